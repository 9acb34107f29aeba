package main

import (
	"fmt"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// run is the demo's script: the applicant's earlier referrals decided (quietly),
// then open (with the precedent panel), answer from the office queues (Navy from
// the standard conditions), join the discussion, be reminded, recommend (the panel
// again), export, archive; then the noise figures.
func (d *demoRun) run() error {
	sb, fake := d.sb, d.sb.Fake
	d.say("referralbot demo: one export-license referral, start to finish, in an emulated Slack workspace.")
	d.say("Every request below reaches the bot's real HTTP handlers signed as Slack signs them; the bot's")
	d.say("Slack Web API calls go to the emulator, which checks them as Slack would. Times are New York's.")
	d.say("Each office works from its own queue channel (#army-queue, …): its asks are posted there, and")
	d.say("its reviewers join the referral's private channel only if they choose to.")
	if err := d.seedPrecedents(); err != nil {
		return fmt.Errorf("seed the earlier referrals: %w", err)
	}
	d.say("\n⏱  %s", demoStart.In(sb.App.Config.Location()).Format("Mon 2006-01-02 15:04 MST"))

	d.act(sandbox.Analyst, "types `/referral new` in #general", func() (slackfake.Ack, error) {
		return fake.SlashCommand(sb.Transport, sandbox.Analyst, sb.General, "/referral", "new")
	})
	d.submitLast(sandbox.Analyst, "fills in Commerce Z123456 (BIS-748P, Acme Photonics Inc., 6A003.b.4 thermal cameras to DE, $1,250,000, received 2026-11-20) and submits",
		sandbox.ReferralInputs("Z123456")...)
	if d.err != nil {
		return d.err
	}
	ref, err := sb.App.DB.ReferralByCase(d.ctx, bot.AgencyCommerce, "Z123456")
	if err != nil {
		return err
	}
	click := func(who, office, action string) { d.press(who, ref, office, action) }
	submit := d.submitLast

	click(sandbox.Reviewer("army", 1), "army", "answer_approve")
	click(sandbox.Reviewer("navy", 2), "navy", "answer_approve_with_provisos")
	submit(sandbox.Reviewer("navy", 2), "chooses two standard conditions from the library, BIS-1 and BIS-2",
		slackfake.Input{BlockID: bot.FieldStandardProvisos, Values: []string{"BIS-1", "BIS-2"}})
	click(sandbox.Reviewer("air_force", 1), "air_force", "answer_rwa")
	submit(sandbox.Reviewer("air_force", 1), "asks the applicant a question", slackfake.Input{BlockID: bot.FieldQuestions,
		Value: "Identify the end user of the 40 spare detector cores."})
	click(sandbox.Reviewer("policy", 1), "policy", "answer_deny")
	submit(sandbox.Reviewer("policy", 1), "gives the reasons for denial", slackfake.Input{BlockID: bot.FieldReasons,
		Value: "Risk of diversion to a restricted end user."}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	for _, o := range []string{"as_re", "technology", "foreign_affairs", "infosec"} {
		click(sandbox.Reviewer(o, 1), o, "answer_approve")
	}
	// The applicant answers Air Force's question (its offices' clock stopped while it
	// was out): the analyst records it, and Air Force is asked again in the same ask.
	d.act(sandbox.Analyst, "types `/referral answer`: the applicant answered Air Force's question", func() (slackfake.Ack, error) {
		return fake.SlashCommand(sb.Transport, sandbox.Analyst, ref.ChannelID, "/referral", "answer")
	})
	submit(sandbox.Analyst, "records the applicant's answer; Air Force is asked again", slackfake.Input{BlockID: bot.FieldAnswerText,
		Value: "The 40 spare cores stay with the Bundeswehr depot in Koblenz."})
	click(sandbox.Reviewer("air_force", 1), "air_force", "answer_approve")
	// navy.one also sits in #army-queue (people come and go in a channel), but is not
	// on the Army roster.
	sb.Fake.JoinChannel(sb.Queues["army"], sandbox.Reviewer("navy", 1))
	click(sandbox.Reviewer("navy", 1), "army", "answer_deny")

	// A Policy reviewer wants to talk it over with the analyst.
	click(sandbox.Reviewer("policy", 1), "policy", bot.ActionJoinDiscussion)

	// Joint Staff stays silent: the bot chases it in its queue, once a morning.
	loc := sb.App.Config.Location()
	morning := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 9, 0, 30, 0, loc) }
	d.tick(morning(2026, 12, 9))  // 2 business days before the office due date (Fri 12-11)
	d.tick(morning(2026, 12, 10)) // 1 business day before
	d.tick(morning(2026, 12, 11)) // due today
	d.tick(morning(2026, 12, 14)) // Monday: overdue, escalated to the analyst
	click(sandbox.Reviewer("joint_staff", 2), "joint_staff", "answer_approve")

	click(sandbox.Reviewer("army", 2), "army", "answer_deny")
	submit(sandbox.Reviewer("army", 2), "changes Army's position to Deny, with reasons", slackfake.Input{BlockID: bot.FieldReasons,
		Value: "New information on the consignee."}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})

	// The analyst's own deadline: the DoD due date is Sunday 12-20, so its last
	// business day is Friday 12-18, and the analyst is told 3 business days before.
	d.tick(morning(2026, 12, 15))

	d.act(sandbox.Analyst, "types `/referral status` in the referral channel", func() (slackfake.Ack, error) {
		return fake.SlashCommand(sb.Transport, sandbox.Analyst, ref.ChannelID, "/referral", "status")
	})
	d.act(sandbox.Analyst, "types `/referral recommend`", func() (slackfake.Ack, error) {
		return fake.SlashCommand(sb.Transport, sandbox.Analyst, ref.ChannelID, "/referral", "recommend")
	})
	// Dropping one of Navy's conditions partially overrides Navy: the post and the
	// record name it, and Navy is told in its ask's thread.
	submit(sandbox.Analyst, "chooses Approve with conditions, keeps Navy's BIS-1, drops its BIS-2 with a reason, adds a condition of DTSA's own, and writes the rationale",
		slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApproveWithProvisos)},
		slackfake.Input{BlockID: bot.FieldFate("navy", 2), Value: string(bot.FateDropped)},
		slackfake.Input{BlockID: bot.FieldFateReason("navy", 2), Value: "Redundant with the standard conditions BIS puts on every license"},
		slackfake.Input{BlockID: bot.FieldAddProvisos, Value: "Applicant must inform consignee of all license conditions"},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Navy's conditions answer Policy's and Army's diversion concerns."})

	// The channel's work is done: it is archived some business days later.
	d.tick(morning(2026, 12, 22)) // ARCHIVE_AFTER_DAYS (5) business days after Tue 12-15
	if d.err != nil {
		return d.err
	}
	rec, err := sb.App.Service.Record(d.ctx, ref.ID)
	if err != nil {
		return err
	}
	d.say("\n──────── The exported record ────────\n")
	d.say("%s", record.Markdown(rec))
	d.noise()
	return d.err
}
