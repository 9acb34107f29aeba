// Package bot is referralbot's domain: referrals, offices, positions, provisos and
// the final recommendation, and the lifecycle service that moves a referral from
// opened to recommended.
//
// Where to look:
//   - the lifecycle: open.go, provision.go, answer.go, recommend.go, suspense.go
//     (extend, hold and resume of the offices' due dates), reassign.go, rwa.go (the
//     RWA loop: questions out stop the offices' clock; the analyst records the
//     answer and the offices that asked are asked again);
//   - reminders: remind.go (the loop), remind_send.go (what is posted), reminder.go;
//   - the worklist behind the Home tab and /referral list: worklist.go, home.go;
//   - Block Kit rendering, pure functions checked against golden files: blocks_*.go;
//   - importing referrals: import.go (CheckImport, Import); package bot/importfile
//     reads the file (JSON or CSV) into ImportRows;
//   - the official record: record.go (Record, LoadRecord, FindReferral); package
//     bot/record writes it as a file (Markdown, JSON in the export schema, CSV);
//   - the outbox that does Slack work after the acknowledgement: outbox.go;
//   - what it needs from the world, as small interfaces: store.go (Store, Tx, and
//     Reader made of ReferralReader, HistoryReader, ReminderReader, WorklistReader
//     and HomeReader; RecordReader for LoadRecord), slack.go (Slack made of
//     SlackChannels, SlackMessages, SlackViews and SlackUserGroups), reminder.go
//     (ReminderQueue).
//
// It imports neither handlers nor store, nor bot/record and bot/importfile: they
// depend on it.
package bot
