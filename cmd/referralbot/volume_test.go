package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/app"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// The tests of DTSA's volume mode (issue 10), end to end over signed HTTP and over
// Socket Mode: offices answer from their own queue channels, referral channels stay
// quiet, morning digests go out once, finished channels are archived, people who
// leave an office leave its channels, and the analyst staffs after opening.

func bothTransports(t *testing.T, test func(t *testing.T, transport string)) {
	for _, transport := range []string{"http", "socket"} {
		t.Run(transport, func(t *testing.T) { test(t, transport) })
	}
}

// askOffices fills the form's offices; none at all opens an unstaffed referral.
func askOffices(codes ...string) slackfake.Input {
	return slackfake.Input{BlockID: bot.FieldOffices, Values: codes}
}

// alsoInvite fills the form's Also invite.
func alsoInvite(users ...string) slackfake.Input {
	return slackfake.Input{BlockID: bot.FieldAlsoInvite, Values: users}
}

// topLevel returns the bot's top-level messages in a channel: the ones that notify
// or badge its members. Thread replies are left out.
func (h *harness) topLevel(channel string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.Fake.Messages(channel) {
		if m.BotID != "" && (m.ThreadTS == "" || m.ThreadTS == m.TS) {
			out = append(out, m)
		}
	}
	return out
}

// replies returns the bot's replies in the thread of the message at ts.
func (h *harness) replies(channel, ts string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.Fake.Messages(channel) {
		if m.BotID != "" && m.ThreadTS == ts && m.TS != ts {
			out = append(out, m)
		}
	}
	return out
}

// members returns who is in a channel, sorted.
func (h *harness) members(channel string) []string {
	h.t.Helper()
	c, ok := h.Fake.Channel(channel)
	if !ok {
		h.t.Fatalf("no channel %s", channel)
	}
	return slices.Sorted(slices.Values(c.Members))
}

func (h *harness) isMember(channel, user string) bool {
	return slices.Contains(h.members(channel), user)
}

// morningOf is 09:00 in New York (the default REMINDER_TIME) on a day of December 2026.
func morningOf(day int) time.Time { return time.Date(2026, 12, day, 14, 0, 0, 0, time.UTC) }

// pass runs one pass of a bot instance's reminder loop (morning digests, then the
// reminders due), then the Slack work it queued, as the serving loops would.
func (h *harness) pass(svc *bot.Service) {
	h.t.Helper()
	if _, err := svc.ProcessReminders(h.ctx); err != nil {
		h.t.Fatalf("reminder pass: %v", err)
	}
	if err := svc.DrainJobs(h.ctx); err != nil {
		h.t.Fatalf("drain outbox: %v", err)
	}
}

// secondInstance starts another bot on the same database and the same Slack, as a
// restart or a second replica would.
func (h *harness) secondInstance() *app.App {
	h.t.Helper()
	a, err := app.New(h.ctx, h.App.Config, app.Serving, h.Clock.Now, testLog(h.t))
	if err != nil {
		h.t.Fatalf("second instance: %v", err)
	}
	h.t.Cleanup(a.Close)
	return a
}

// digests returns the morning digests posted in an office's queue.
func (h *harness) digests(queue string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.topLevel(queue) {
		if strings.Contains(m.Text, "Good morning") {
			out = append(out, m)
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`<(https://[^|>]+)\|([^>]+)>`)

// digestLinks checks that each line of a digest links, by the permalink Slack
// itself gives, to an ask message in the office's queue, and returns the case
// numbers linked.
func (h *harness) digestLinks(queue string, digest slackfake.Message) []string {
	h.t.Helper()
	var cases []string
	for _, l := range linkRE.FindAllStringSubmatch(digest.Text, -1) {
		link, caseNumber := l[1], l[2]
		_, path, ok1 := strings.Cut(link, "/archives/")
		channel, p, ok2 := strings.Cut(path, "/p")
		if !ok1 || !ok2 || channel != queue || len(p) <= 6 {
			h.t.Errorf("digest link %s does not lead into the queue %s", link, queue)
			continue
		}
		ts := p[:len(p)-6] + "." + p[len(p)-6:]
		m, ok := h.Fake.FindMessage(channel, func(m slackfake.Message) bool { return m.TS == ts })
		if !ok || !strings.Contains(m.Text, caseNumber) || !strings.Contains(blocksText(m.Blocks), "[Join the discussion]") {
			h.t.Errorf("digest link %s (%s) leads to %+v; want the ask of %s", link, caseNumber, m.Text, caseNumber)
		}
		if want, err := h.App.API.GetPermalinkContext(h.ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts}); err != nil || want != link {
			h.t.Errorf("digest link %s; Slack's permalink is %s (%v)", link, want, err)
		}
		cases = append(cases, caseNumber)
	}
	return cases
}

// approveButton returns the Approve button of an ask message.
func approveButton(m slackfake.Message) *slack.ButtonBlockElement {
	for _, b := range m.Blocks.BlockSet {
		if act, ok := b.(*slack.ActionBlock); ok {
			for _, e := range act.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok && btn.ActionID == bot.ActionAnswerPrefix+string(bot.OutcomeApprove) {
					return btn
				}
			}
		}
	}
	return nil
}

// TestQueueMode: asks go to the offices' queues with the referral's facts and a
// Join button; the referral channel gets only the analyst (and whom the form
// names) and at most the summary, the final recommendation and the record.
func TestQueueMode(t *testing.T) { bothTransports(t, testQueueMode) }

func testQueueMode(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithQueues())
	asked := []string{"army", "navy", "policy"}
	r := h.openReferralWith("Z123456", askOffices(asked...), alsoInvite(analyst2))

	if got, want := h.members(r.ChannelID), slices.Sorted(slices.Values([]string{analyst, analyst2, h.Fake.BotUserID()})); !slices.Equal(got, want) {
		t.Errorf("referral channel members = %v; want only the analyst, the person named on the form and the bot %v", got, want)
	}
	for _, code := range asked {
		queue := h.Queues[code]
		if a := h.ask(r, code); a.ChannelID != queue {
			t.Errorf("%s ask posted in %s; want its queue %s", code, a.ChannelID, queue)
		}
		txt := blocksText(h.askMessage(r, code).Blocks)
		for _, want := range []string{"Z123456", "Acme Photonics Inc.", "Uncooled thermal imaging cameras", "6A003.b.4",
			"Bundeswehr procurement office, Koblenz", "$1,250,000", "[Approve]", "[Deny]", "[Join the discussion]"} {
			if !strings.Contains(txt, want) {
				t.Errorf("%s ask in its queue lacks %q:\n%s", code, want, txt)
			}
		}
		if n := len(h.topLevel(queue)); n != 1 {
			t.Errorf("%s queue has %d top-level messages; want its one ask", code, n)
		}
	}
	if n := len(h.Fake.Messages(h.Queues["infosec"])); n != 0 {
		t.Errorf("the queue of an office not asked got %d messages", n)
	}
	top := h.topLevel(r.ChannelID)
	if len(top) != 1 || !strings.Contains(blocksText(top[0].Blocks), "0 of 3 offices answered") {
		t.Fatalf("referral channel holds %d top-level messages; want the summary alone", len(top))
	}

	// Approve records an official position: Slack asks for confirmation first (the
	// emulator delivers the click as confirmed).
	army := h.askMessage(r, "army")
	if btn := approveButton(army); btn == nil || btn.Confirm == nil || btn.Confirm.Confirm == nil {
		t.Errorf("Approve button of the queued ask has no confirmation dialog: %+v", btn)
	}
	h.click(reviewer("army", 1), h.Queues["army"], army.TS, "answer_approve")
	navy := h.askMessage(r, "navy")
	h.click(reviewer("navy", 2), h.Queues["navy"], navy.TS, "answer_deny")
	v := h.lastView(reviewer("navy", 2), bot.CallbackPosition)
	h.submit(reviewer("navy", 2), v.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "Diversion risk to a restricted end user."},
		slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 742.4 (national security)"}) // a Commerce deny needs its basis (EO 12981)
	h.drain()
	if a := h.ask(r, "army"); a.Current == nil || a.Current.Outcome != bot.OutcomeApprove || a.Current.AnsweredBy != reviewer("army", 1) {
		t.Errorf("army position = %+v; want Approve by %s", a.Current, reviewer("army", 1))
	}
	if a := h.ask(r, "navy"); a.Current == nil || a.Current.Outcome != bot.OutcomeDeny {
		t.Errorf("navy position = %+v; want Deny", a.Current)
	}
	if m := h.askMessage(r, "army"); m.Updates == 0 || !strings.Contains(blocksText(m.Blocks), "Approve — <@UARMY1>") {
		t.Errorf("army's queued ask not updated to its position:\n%s", blocksText(m.Blocks))
	}
	if summary := h.Fake.Messages(r.ChannelID)[0]; !strings.Contains(blocksText(summary.Blocks), "2 of 3 offices answered") {
		t.Errorf("summary after two answers:\n%s", blocksText(summary.Blocks))
	}
	for _, u := range []string{reviewer("army", 1), reviewer("navy", 2)} {
		if h.isMember(r.ChannelID, u) {
			t.Errorf("%s answered from the queue and was pulled into the referral channel", u)
		}
	}

	h.recommend(r, bot.OutcomeApprove, "End use verified; Navy's concern is met by the end-use check.")
	top = h.topLevel(r.ChannelID)
	if len(top) != 2 || !strings.Contains(top[1].Text, "Final DoD recommendation") {
		t.Errorf("referral channel holds %d top-level messages; want the summary and the final recommendation", len(top))
	}
	var shared int
	for _, f := range h.Fake.Files() {
		if f.Completed && slices.Equal(f.Channels, []string{r.ChannelID}) {
			shared++
		}
	}
	if shared != 1 {
		t.Errorf("%d record files shared to the referral channel; want 1", shared)
	}
	for _, code := range asked {
		if txt := blocksText(h.askMessage(r, code).Blocks); strings.Contains(txt, "[Approve]") || strings.Contains(txt, "[Join the discussion]") || !strings.Contains(txt, "Closed") {
			t.Errorf("%s ask still open in its queue after the recommendation:\n%s", code, txt)
		}
	}
}

// TestJoinDiscussion: Join invites people on the office's roster into the referral
// channel, once however often they press it; anyone else is refused.
func TestJoinDiscussion(t *testing.T) { bothTransports(t, testJoinDiscussion) }

func testJoinDiscussion(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithQueues())
	r := h.openReferralWith("Z123456", askOffices("army", "navy"))
	queue, ask := h.Queues["army"], h.askMessage(r, "army")

	// A stranger, and a reviewer of another office, are in the army queue (a private
	// channel, but people come and go) without being on its roster: refused.
	h.Fake.JoinChannel(queue, outsider, reviewer("navy", 1))
	for _, u := range []string{outsider, reviewer("navy", 1)} {
		h.click(u, queue, ask.TS, bot.ActionJoinDiscussion)
		h.drain()
		if got := h.ephemeralsTo(queue, u); len(got) != 1 || !strings.Contains(got[0], "Only people on the Army roster can join") {
			t.Errorf("%s pressing Join was told %q; want a refusal", u, got)
		}
		if h.isMember(r.ChannelID, u) {
			t.Errorf("%s, not on the Army roster, was let into the referral channel", u)
		}
	}

	// A member of the office's user group presses Join twice (a double click), and
	// someone named individually on the roster once.
	joiner := reviewer("army", 1)
	h.click(joiner, queue, ask.TS, bot.ActionJoinDiscussion)
	h.click(joiner, queue, ask.TS, bot.ActionJoinDiscussion)
	h.click(delegate, queue, ask.TS, bot.ActionJoinDiscussion)
	h.drain()
	if got := h.ephemeralsTo(queue, joiner); len(got) != 2 || !strings.Contains(got[0], "Adding you to the discussion of Z123456") {
		t.Errorf("joiner was told %q", got)
	}
	for _, u := range []string{joiner, delegate} {
		if !h.isMember(r.ChannelID, u) {
			t.Errorf("%s pressed Join and is not in the referral channel", u)
		}
	}
	if h.isMember(r.ChannelID, reviewer("army", 2)) {
		t.Error("a reviewer who did not press Join is in the referral channel")
	}
	invites := 0
	for _, c := range h.Fake.CallsTo("conversations.invite") {
		if c.Param("channel") == r.ChannelID && strings.Contains(c.Param("users"), joiner) {
			invites++
		}
	}
	if invites != 1 {
		t.Errorf("%d invitations of the joiner for two presses; want 1", invites)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE kind = 'referral.joined' AND referral_id = ?`, r.ID); n != 2 {
		t.Errorf("%d joins recorded; want 2 (one each)", n)
	}
	// Inside, the joiner takes part like anyone in the channel.
	if ack := h.command(joiner, r.ChannelID, "status"); !strings.Contains(string(ack.Body), "Where the offices stand") {
		t.Errorf("/referral status by the joiner = %s", ack.Body)
	}
}

// TestReferralChannelMode: an office with no queue channel keeps the old ways:
// its roster is invited into the referral channel and its ask is posted there.
func TestReferralChannelMode(t *testing.T) { bothTransports(t, testReferralChannelMode) }

func testReferralChannelMode(t *testing.T, transport string) {
	h := newHarness(t, transport)
	r := h.openReferralWith("Z123456", askOffices("army", "navy"))

	want := []string{analyst, reviewer("army", 1), reviewer("army", 2), delegate, reviewer("navy", 1), reviewer("navy", 2), h.Fake.BotUserID()}
	if got := h.members(r.ChannelID); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("referral channel members = %v; want the analyst, the asked offices' rosters and the bot", got)
	}
	for _, code := range []string{"army", "navy"} {
		if a := h.ask(r, code); a.ChannelID != r.ChannelID {
			t.Errorf("%s ask posted in %s; want the referral channel %s", code, a.ChannelID, r.ChannelID)
		}
		txt := blocksText(h.askMessage(r, code).Blocks)
		if !strings.Contains(txt, "<!subteam^"+group(code)+">") || !strings.Contains(txt, "[Approve]") || strings.Contains(txt, "[Join the discussion]") {
			t.Errorf("%s ask in the referral channel:\n%s", code, txt)
		}
	}
	if n := len(h.topLevel(r.ChannelID)); n != 3 {
		t.Errorf("referral channel has %d top-level messages; want the summary and 2 asks", n)
	}

	h.click(reviewer("army", 2), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.drain()
	if a := h.ask(r, "army"); a.Current == nil || a.Current.AnsweredBy != reviewer("army", 2) {
		t.Errorf("army position = %+v", a.Current)
	}

	// An office asked later is staffed the same way: roster invited, ask in the channel.
	if ack := h.command(analyst, r.ChannelID, "ask policy"); !strings.Contains(ack.Text(), "Asking Policy on Z123456") {
		t.Errorf("/referral ask policy = %s", ack.Body)
	}
	h.drain()
	if !h.isMember(r.ChannelID, reviewer("policy", 1)) || !h.isMember(r.ChannelID, reviewer("policy", 2)) {
		t.Errorf("policy roster not invited when Policy was asked: %v", h.members(r.ChannelID))
	}
	if a := h.ask(r, "policy"); a.ChannelID != r.ChannelID || a.MessageTS == "" {
		t.Errorf("policy ask = %+v; want it posted in the referral channel", a)
	}
}

// TestMorningDigests: each business morning, each office queue gets one digest of
// its asks coming due, each line a working link to its ask; reminders are replies
// in the asks' threads; a second instance or a restart never doubles a digest, and
// one recorded but not posted is posted once.
func TestMorningDigests(t *testing.T) { bothTransports(t, testMorningDigests) }

func testMorningDigests(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithQueues())
	r := h.openReferralWith("Z123456", askOffices("army", "navy"))
	r2 := h.openReferralWith("Z234567", askOffices("army"))
	army, navy := h.Queues["army"], h.Queues["navy"]
	// The offices' due date, Friday 2026-12-11, is what the mornings below count from.
	if due := bot.FormatDate(h.ask(r, "army").DueDate); due != "2026-12-11" {
		t.Fatalf("office due date = %s; the test counts its mornings from 2026-12-11", due)
	}

	// Monday 12-07: nothing is due within two business days.
	h.Clock.Set(morningOf(7))
	h.pass(h.App.Service)
	if n := len(h.digests(army)) + len(h.digests(navy)); n != 0 {
		t.Errorf("%d digests on a morning with nothing coming due", n)
	}

	// Wednesday 12-09: one digest per queue with work coming due, one line per ask.
	h.Clock.Set(morningOf(9))
	h.pass(h.App.Service)
	d := h.digests(army)
	if len(d) != 1 {
		t.Fatalf("army queue has %d digests on 12-09; want 1", len(d))
	}
	if !strings.Contains(d[0].Text, "<!subteam^"+group("army")+">") || !strings.Contains(d[0].Text, "2 asks due within two business days") {
		t.Errorf("army digest = %q", d[0].Text)
	}
	if got := h.digestLinks(army, d[0]); !slices.Equal(got, []string{"Z123456", "Z234567"}) {
		t.Errorf("army digest links the asks of %v; want Z123456 and Z234567", got)
	}
	if d := h.digests(navy); len(d) != 1 || !slices.Equal(h.digestLinks(navy, d[0]), []string{"Z123456"}) {
		t.Errorf("navy queue digests = %d; want 1 linking Z123456", len(d))
	}
	if n := len(h.Fake.Messages(h.Queues["policy"])); n != 0 {
		t.Errorf("the queue of an office with nothing asked got %d messages", n)
	}

	// The reminders are replies under each ask; nothing else reached the referral channel.
	checkThreads := func(when string) {
		t.Helper()
		for _, q := range []string{army, navy} {
			asks := 0
			for _, m := range h.topLevel(q) {
				if strings.Contains(blocksText(m.Blocks), "[Join the discussion]") {
					asks++
					if got := h.replies(q, m.TS); len(got) != 1 || !strings.Contains(got[0].Text, "Reminder") {
						t.Errorf("%s: ask %q has %d reminder replies; want 1", when, m.Text, len(got))
					}
				} else if !strings.Contains(m.Text, "Good morning") {
					t.Errorf("%s: a top-level message in the queue that is neither an ask nor a digest: %q", when, m.Text)
				}
			}
			if asks == 0 {
				t.Errorf("%s: no asks found in queue %s", when, q)
			}
		}
		for _, ref := range []int64{r.ID, r2.ID} {
			ch := h.referral(ref).ChannelID
			if n := len(h.Fake.Messages(ch)); n != 1 {
				t.Errorf("%s: referral channel %s has %d messages; want the summary alone", when, ch, n)
			}
		}
	}
	checkThreads("12-09")

	// A second instance on the same database (a restart, or another replica) runs the
	// same morning: no second digest, no second reminder; nor does the first again.
	app2 := h.secondInstance()
	h.pass(app2.Service)
	h.pass(h.App.Service)
	if a, n := len(h.digests(army)), len(h.digests(navy)); a != 1 || n != 1 {
		t.Errorf("after a second instance's pass: %d army and %d navy digests on 12-09; want 1 each", a, n)
	}
	checkThreads("12-09, second instance")

	// Thursday 12-10: a new morning, a new digest. Slack fails the first instance's
	// first post and the instance dies; the second posts what is left, and the one
	// that failed once the dead instance's claim has run out. Never twice.
	h.Clock.Set(morningOf(10))
	h.Fake.FailNextHTTP("chat.postMessage", 503, 1)
	if _, err := h.App.Service.ProcessReminders(h.ctx); err != nil {
		t.Fatal(err)
	}
	if posted := len(h.digests(army)) + len(h.digests(navy)); posted != 2 {
		t.Fatalf("%d digests after the failed post; want yesterday's 2 only", posted)
	}
	h.pass(app2.Service)
	h.Clock.Set(morningOf(10).Add(h.App.Config.OutboxLease + time.Second))
	h.pass(app2.Service)
	h.pass(app2.Service)
	if a, n := len(h.digests(army)), len(h.digests(navy)); a != 2 || n != 2 {
		t.Errorf("after 12-10: %d army and %d navy digests; want 2 each (one a morning)", a, n)
	}
	if n := h.count(`SELECT COUNT(*) FROM digests WHERE posted_ts = ''`); n != 0 {
		t.Errorf("%d digests recorded but never posted", n)
	}

	// Monday 12-14: the asks are overdue. The analyst gets one message for the
	// morning listing every overdue office of every referral, with no details.
	h.Clock.Set(morningOf(14))
	h.pass(app2.Service)
	h.pass(h.App.Service)
	var escalations []string
	for _, m := range h.Fake.Messages(h.Fake.DMChannel(analyst)) {
		if strings.Contains(m.Text, "Overdue this morning") {
			escalations = append(escalations, m.Text)
		}
	}
	if len(escalations) != 1 {
		t.Fatalf("analyst got %d escalation messages on 12-14; want 1: %q", len(escalations), escalations)
	}
	if e := escalations[0]; !strings.Contains(e, "Z123456") || !strings.Contains(e, "Army, Navy") || !strings.Contains(e, "Z234567") ||
		strings.Contains(e, "Acme") {
		t.Errorf("escalation = %q; want both cases and their overdue offices, and no details", e)
	}
	if d := h.digests(army); len(d) != 3 || !strings.Contains(d[2].Text, "overdue") {
		t.Errorf("army digests by 12-14 = %d; want 3, the last listing overdue asks", len(d))
	}
}

// recommend records the analyst's final recommendation through the modal, with no
// changes to the offices' provisos, and runs the Slack work it queues.
func (h *harness) recommend(r *bot.Referral, outcome bot.Outcome, rationale string) {
	h.t.Helper()
	h.command(analyst, r.ChannelID, "recommend")
	v := h.lastView(analyst, bot.CallbackRecommendation)
	in := []slackfake.Input{{BlockID: bot.FieldOutcome, Value: string(outcome)}}
	if rationale != "" {
		in = append(in, slackfake.Input{BlockID: bot.FieldRationale, Value: rationale})
	}
	if ack := h.submit(analyst, v.ID, in...); len(ack.Body) > 0 {
		h.t.Fatalf("recommendation refused: %s", ack.Body)
	}
	h.drain()
}

// referral reads a referral as it is now.
func (h *harness) referral(id int64) *bot.Referral {
	h.t.Helper()
	r, err := h.App.DB.Referral(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// TestArchiveAfterBusinessDays: after the final recommendation the record is
// uploaded to the channel, and the channel archived ARCHIVE_AFTER_DAYS business
// days later, not before.
func TestArchiveAfterBusinessDays(t *testing.T) { bothTransports(t, testArchiveAfterBusinessDays) }

func testArchiveAfterBusinessDays(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithQueues(), sandbox.WithSetting("ARCHIVE_AFTER_DAYS", "2"))
	r := h.openReferralWith("Z123456", askOffices("army"))
	h.click(reviewer("army", 1), h.Queues["army"], h.askMessage(r, "army").TS, "answer_approve")
	h.drain()

	// Recorded on Friday 2026-11-27, 10:00 New York.
	h.recommend(r, bot.OutcomeApprove, "")
	var records []slackfake.File
	for _, f := range h.Fake.Files() {
		if f.Completed && slices.Contains(f.Channels, r.ChannelID) {
			records = append(records, f)
		}
	}
	if len(records) != 1 || records[0].Name != "dod-record-commerce-Z123456.md" ||
		!strings.Contains(string(records[0].Content), "## Final recommendation") || !strings.Contains(string(records[0].Content), "**Approve**") {
		t.Fatalf("record files in the channel = %+v; want the Markdown record", records)
	}
	if n := len(h.topLevel(r.ChannelID)); n > 3 {
		t.Errorf("referral channel holds %d top-level messages; want at most summary, final and record", n)
	}

	archived := func() bool {
		c, _ := h.Fake.Channel(r.ChannelID)
		return c.IsArchived
	}
	// Two business days after Friday is Tuesday's morning; Monday, and Tuesday
	// before the morning, are too early.
	for _, at := range []time.Time{
		time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC), // Monday 09:00
		time.Date(2026, 12, 1, 13, 59, 0, 0, time.UTC), // Tuesday 08:59
	} {
		h.Clock.Set(at)
		h.drain()
		if archived() || !h.referral(r.ID).ArchivedAt.IsZero() {
			t.Fatalf("channel archived at %s; want Tuesday 09:00 New York", at)
		}
	}
	h.Clock.Set(morningOf(1))
	h.drain()
	if !archived() {
		t.Fatal("channel not archived two business days after the recommendation")
	}
	if ref := h.referral(r.ID); !ref.ArchivedAt.Equal(morningOf(1)) {
		t.Errorf("archived_at = %v; want %v", ref.ArchivedAt, morningOf(1))
	}
	if n := len(h.Fake.CallsTo("conversations.archive")); n != 1 {
		t.Errorf("conversations.archive called %d times; want 1", n)
	}
}

// TestLeavingUserGroup: someone who leaves an office's user group is removed from
// the referral channels they joined through it, and can no longer answer for it;
// someone also on another asked office's roster stays.
func TestLeavingUserGroup(t *testing.T) { bothTransports(t, testLeavingUserGroup) }

func testLeavingUserGroup(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithQueues())
	leaver, dual, stayer := reviewer("army", 1), reviewer("army", 2), delegate
	// dual reviews for the Navy as well.
	h.Fake.SetUserGroupMembers(group("navy"), reviewer("navy", 1), reviewer("navy", 2), dual)
	r := h.openReferralWith("Z123456", askOffices("army", "navy"))
	queue, ask := h.Queues["army"], h.askMessage(r, "army")
	for _, u := range []string{leaver, dual, stayer} {
		h.click(u, queue, ask.TS, bot.ActionJoinDiscussion)
	}
	h.drain()
	for _, u := range []string{leaver, dual, stayer} {
		if !h.isMember(r.ChannelID, u) {
			t.Fatalf("%s pressed Join and is not in the channel: %v", u, h.members(r.ChannelID))
		}
	}

	// An admin empties @army-reviewers; Slack tells the bot in the form its
	// documentation shows (the counts as strings).
	h.Fake.SetUserGroupMembers(group("army"))
	_, ack, err := h.Fake.SendEvent(h.tr, "subteam_members_changed", map[string]any{
		"subteam_id": group("army"), "team_id": h.Fake.TeamID(),
		"date_previous_update": start.Unix(), "date_update": h.Clock.Now().Unix(),
		"added_users": []string{}, "added_users_count": "0",
		"removed_users": []string{leaver, dual}, "removed_users_count": "2",
	})
	if err != nil || ack.Status != 200 {
		t.Fatalf("subteam_members_changed: %v (status %d %s)", err, ack.Status, ack.Body)
	}
	h.drain()
	if h.isMember(r.ChannelID, leaver) {
		t.Error("the reviewer who left the office is still in the referral channel")
	}
	for _, u := range []string{dual, stayer, analyst} {
		if !h.isMember(r.ChannelID, u) {
			t.Errorf("%s, still entitled, was removed: %v", u, h.members(r.ChannelID))
		}
	}
	if n := len(h.Fake.CallsTo("conversations.kick")); n != 1 {
		t.Errorf("conversations.kick called %d times; want 1", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE kind = 'referral.member_removed' AND referral_id = ? AND detail LIKE '%"kept":false%'`, r.ID); n != 1 {
		t.Errorf("%d removals recorded; want 1", n)
	}

	// From the queue, the leaver can neither answer nor join again.
	h.click(leaver, queue, ask.TS, "answer_approve")
	h.click(leaver, queue, ask.TS, bot.ActionJoinDiscussion)
	h.drain()
	got := h.ephemeralsTo(queue, leaver)
	if len(got) < 2 || !strings.Contains(got[len(got)-2], "Only people on the Army roster") || !strings.Contains(got[len(got)-1], "Only people on the Army roster") {
		t.Errorf("the leaver was told %q; want two refusals", got)
	}
	if a := h.ask(r, "army"); a.Current != nil {
		t.Errorf("a position was recorded by someone who left the office: %+v", a.Current)
	}
	if h.isMember(r.ChannelID, leaver) {
		t.Error("the leaver got back into the referral channel")
	}
}

// TestStaffingAfterOpening: the analyst asks another office, and withdraws an ask
// with a reason, after the referral is opened.
func TestStaffingAfterOpening(t *testing.T) { bothTransports(t, testStaffingAfterOpening) }

func testStaffingAfterOpening(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithQueues())
	r := h.openReferralWith("Z123456", askOffices("army"))

	if ack := h.command(analyst, r.ChannelID, "ask navy"); !strings.Contains(ack.Text(), "Asking Navy on Z123456") {
		t.Errorf("/referral ask navy = %s", ack.Body)
	}
	h.drain()
	navy := h.ask(r, "navy")
	if navy.ChannelID != h.Queues["navy"] || navy.State != bot.AskAwaiting {
		t.Fatalf("navy ask = %+v; want it awaiting in the navy queue", navy)
	}
	if txt := blocksText(h.askMessage(r, "navy").Blocks); !strings.Contains(txt, "Acme Photonics Inc.") || !strings.Contains(txt, "[Join the discussion]") {
		t.Errorf("navy ask in its queue:\n%s", txt)
	}
	if txt := blocksText(h.Fake.Messages(r.ChannelID)[0].Blocks); !strings.Contains(txt, "0 of 2 offices answered") {
		t.Errorf("summary after asking Navy:\n%s", txt)
	}
	if n := len(h.topLevel(r.ChannelID)); n != 1 {
		t.Errorf("referral channel has %d top-level messages; want the summary alone", n)
	}

	for _, c := range []struct{ text, want string }{
		{"ask navy", "already asked"},
		{"ask marines", "not an office on the roster"},
		{"withdraw navy", "needs the office and a reason"},
		{"withdraw policy no naval equities", "has no open ask"},
	} {
		if ack := h.command(analyst, r.ChannelID, c.text); !strings.Contains(ack.Text(), c.want) {
			t.Errorf("/referral %s = %q; want %q", c.text, ack.Text(), c.want)
		}
	}
	h.drain()
	if a := h.ask(r, "navy"); a.State != bot.AskAwaiting {
		t.Fatalf("navy ask = %s after refused commands; want awaiting", a.State)
	}

	if ack := h.command(analyst, r.ChannelID, "withdraw navy no naval equities"); !strings.Contains(ack.Text(), "Withdrew the ask to Navy") {
		t.Errorf("/referral withdraw = %s", ack.Body)
	}
	// A Join pressed before the ask's message shows the withdrawal is refused: the
	// office no longer needs to know.
	h.click(reviewer("navy", 1), h.Queues["navy"], h.askMessage(r, "navy").TS, bot.ActionJoinDiscussion)
	h.drain()
	if got := h.ephemeralsTo(h.Queues["navy"], reviewer("navy", 1)); len(got) != 1 || !strings.Contains(got[0], "withdrew the ask to Navy") {
		t.Errorf("Join on a withdrawn ask was answered %q; want a refusal", got)
	}
	if h.isMember(r.ChannelID, reviewer("navy", 1)) {
		t.Error("a reviewer joined through a withdrawn ask")
	}
	if a := h.ask(r, "navy"); a.State != bot.AskWithdrawn || a.WithdrawnReason != "no naval equities" {
		t.Errorf("navy ask = %s (%q); want withdrawn with the reason", a.State, a.WithdrawnReason)
	}
	m := h.askMessage(r, "navy")
	if txt := blocksText(m.Blocks); m.Updates == 0 || !strings.Contains(txt, "Withdrawn by the analyst: no naval equities") ||
		strings.Contains(txt, "[Approve]") || strings.Contains(txt, "[Join the discussion]") {
		t.Errorf("withdrawn ask message (updated %d times):\n%s", m.Updates, txt)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE kind = 'ask.withdrawn' AND detail LIKE '%no naval equities%'`); n != 1 {
		t.Errorf("%d withdrawals with the reason in the log; want 1", n)
	}

	// A withdrawn ask is neither reminded nor in the digest.
	h.Clock.Set(morningOf(9))
	h.pass(h.App.Service)
	if n := len(h.Fake.Messages(h.Queues["navy"])); n != 1 {
		t.Errorf("navy queue has %d messages after the morning; want only its withdrawn ask", n)
	}
	if d := h.digests(h.Queues["army"]); len(d) != 1 {
		t.Errorf("army queue has %d digests; want 1", len(d))
	}

	// Only analysts staff referrals.
	h.click(reviewer("army", 1), h.Queues["army"], h.askMessage(r, "army").TS, bot.ActionJoinDiscussion)
	h.drain()
	if ack := h.command(reviewer("army", 1), r.ChannelID, "ask policy"); !strings.Contains(ack.Text(), "Only licensing analysts") {
		t.Errorf("/referral ask by a reviewer = %s", ack.Body)
	}
}

// TestNoOffices: a low-concern referral opened without staffing it; the analyst
// records the recommendation directly.
func TestNoOffices(t *testing.T) { bothTransports(t, testNoOffices) }

func testNoOffices(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithQueues())
	r := h.openReferralWith("Z123456", askOffices())
	if asks, err := h.App.DB.Asks(h.ctx, r.ID); err != nil || len(asks) != 0 {
		t.Fatalf("asks = %d (%v); want none", len(asks), err)
	}
	if got, want := h.members(r.ChannelID), slices.Sorted(slices.Values([]string{analyst, h.Fake.BotUserID()})); !slices.Equal(got, want) {
		t.Errorf("channel members = %v; want %v", got, want)
	}
	for code, q := range h.Queues {
		if n := len(h.Fake.Messages(q)); n != 0 {
			t.Errorf("%s queue got %d messages for a referral that asks nobody", code, n)
		}
	}

	h.recommend(r, bot.OutcomeApprove, "Low concern: closed without staffing.")
	rec, err := h.App.DB.Recommendation(h.ctx, r.ID)
	if err != nil || rec.Outcome != bot.OutcomeApprove || rec.RecordedBy != analyst || len(rec.Dissent) != 0 {
		t.Fatalf("recommendation = %+v (%v); want Approve by the analyst, no dissent", rec, err)
	}
	top := h.topLevel(r.ChannelID)
	if len(top) != 2 || !strings.Contains(top[1].Text, "Final DoD recommendation") {
		t.Errorf("referral channel holds %d top-level messages; want the summary and the final recommendation", len(top))
	}
}
