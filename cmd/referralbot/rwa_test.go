package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestRWALoop: an office returns the referral without action with questions; the
// offices' clock stops (no reminders) while they are out; only the analyst may
// record the answer; the office is asked again in the same message, with the
// answer in its thread and a new suspense date; the reminders resume; its next
// position is a new version; the record shows the answer and the re-ask.
func TestRWALoop(t *testing.T) { bothTransports(t, testRWALoop) }

func testRWALoop(t *testing.T, transport string) {
	h := newHarness(t, transport)
	r := h.openReferralWith("Z123456", askOffices("army", "navy")) // DoD due 2026-12-20, offices 2026-12-11
	armyTS := h.askMessage(r, "army").TS

	// Tuesday 12-08: Army returns it without action.
	h.Clock.Set(time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC))
	h.click(reviewer("army", 1), r.ChannelID, armyTS, "answer_rwa")
	v := h.lastView(reviewer("army", 1), bot.CallbackPosition)
	h.submit(reviewer("army", 1), v.ID, slackfake.Input{BlockID: bot.FieldQuestions, Value: "Who is the end user of the spare cores?"})
	h.drain()
	if ref := h.referral(r.ID); ref.HeldSince.IsZero() || ref.ManualHold {
		t.Fatalf("after Army's questions: held since %v (analyst's hold %v); want the clock stopped by the questions", ref.HeldSince, ref.ManualHold)
	}
	army := h.askMessage(r, "army")
	if !slices.Contains(buttonIDs(army), bot.ActionRecordAnswer) {
		t.Errorf("Army's ask with questions out has no Record the answer button: %v", buttonIDs(army))
	}
	if txt := blocksText(h.Fake.Messages(r.ChannelID)[0].Blocks); !strings.Contains(txt, "*Questions out* (Army's)") {
		t.Errorf("summary does not say questions are out:\n%s", txt)
	}

	// Navy's reminders (due 12-09 and 12-10, before its 12-11 suspense) are held.
	navyTS := h.askMessage(r, "navy").TS
	for _, day := range []int{9, 10} {
		h.Clock.Set(morningOf(day))
		h.pass(h.App.Service)
	}
	if got := h.replies(r.ChannelID, navyTS); len(got) != 0 {
		t.Errorf("%d reminders to Navy while Army's questions were out; want none", len(got))
	}

	// Thursday 12-10: only the referral's analyst records the answer.
	h.Clock.Set(time.Date(2026, 12, 10, 15, 0, 0, 0, time.UTC))
	if got := h.command(reviewer("navy", 1), r.ChannelID, "answer").Text(); !strings.Contains(got, "Only the referral's analyst, <@"+analyst+">") {
		t.Errorf("/referral answer by a reviewer = %q", got)
	}
	h.click(reviewer("army", 1), r.ChannelID, armyTS, bot.ActionRecordAnswer)
	if got := h.ephemeralsTo(r.ChannelID, reviewer("army", 1)); len(got) == 0 || !strings.Contains(got[len(got)-1], "Only the referral's analyst") {
		t.Errorf("Record the answer pressed by a reviewer: told %q", got)
	}
	if v, ok := h.Fake.LastView(reviewer("army", 1)); ok && v.CallbackID == bot.CallbackAnswerQuestions {
		t.Error("a reviewer got the answer modal")
	}
	h.click(analyst, r.ChannelID, armyTS, bot.ActionRecordAnswer)
	v = h.lastView(analyst, bot.CallbackAnswerQuestions)
	if txt := blocksText(v.Blocks); !strings.Contains(txt, "Who is the end user of the spare cores?") {
		t.Errorf("answer modal does not show Army's questions:\n%s", txt)
	}
	// A suspense date past the DoD due date is refused next to its field.
	source := slackfake.Input{BlockID: bot.FieldAnswerSource, Value: string(bot.AnswerFromAgency)}
	text := slackfake.Input{BlockID: bot.FieldAnswerText, Value: "BIS: the Bundeswehr depot in Koblenz keeps them."}
	if errs := fieldErrors(t, h.submit(analyst, v.ID, source, text, slackfake.Input{BlockID: bot.FieldAnswerDue, Value: "2026-12-21"})); !strings.Contains(errs[bot.FieldAnswerDue], "DoD due date, 2026-12-20") {
		t.Errorf("due after the DoD due date: errors %v", errs)
	}
	if ack := h.submit(analyst, v.ID, source, text); len(ack.Body) > 0 { // the date as prefilled
		t.Fatalf("answer refused: %s", ack.Body)
	}
	h.drain()

	ref := h.referral(r.ID)
	if !ref.HeldSince.IsZero() || bot.FormatDate(ref.DoDDueDate) != "2026-12-20" {
		t.Errorf("after the answer: held since %v, DoD due %s; want running, 2026-12-20", ref.HeldSince, bot.FormatDate(ref.DoDDueDate))
	}
	a := h.ask(r, "army")
	if a.State != bot.AskAwaiting || bot.FormatDate(a.DueDate) != "2026-12-17" || a.MessageTS != armyTS { // 12-10 + 5 business days
		t.Errorf("army after the answer: %s, due %s, message %s; want awaiting, due 2026-12-17, the same message", a.State, bot.FormatDate(a.DueDate), a.MessageTS)
	}
	if n := bot.FormatDate(h.ask(r, "navy").DueDate); n != "2026-12-15" { // 12-11 + the 2 business days stopped
		t.Errorf("navy due %s; want 2026-12-15", n)
	}
	army = h.askMessage(r, "army")
	if txt := blocksText(army.Blocks); !strings.Contains(txt, "*Asked again*") || !strings.Contains(txt, "Bundeswehr depot") || !strings.Contains(txt, "*2026-12-17*") {
		t.Errorf("Army's ask after the answer:\n%s", txt)
	}
	if slices.Contains(buttonIDs(army), bot.ActionRecordAnswer) {
		t.Error("Army's ask still offers Record the answer")
	}
	replies := h.replies(r.ChannelID, armyTS)
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "asked again, due 2026-12-17") || !strings.Contains(blocksText(replies[0].Blocks), "Bundeswehr depot") {
		t.Errorf("thread replies under Army's ask: %+v; want the answer", replies)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = 'questions.answered' AND actor = ?`, r.ID, analyst); n != 1 {
		t.Errorf("%d questions.answered events; want 1", n)
	}

	// Friday 12-11: the reminders run again, for Navy's moved date.
	h.Clock.Set(morningOf(11))
	h.pass(h.App.Service)
	if got := h.replies(r.ChannelID, navyTS); len(got) != 1 || !strings.Contains(got[0].Text, "due in 2 business days") {
		t.Errorf("reminders to Navy after the answer: %v; want one, due in 2 business days", texts(got))
	}

	// Army answers again: a new version.
	h.click(reviewer("army", 2), r.ChannelID, armyTS, "answer_approve")
	h.drain()
	hist, err := h.App.DB.Positions(h.ctx, a.ID)
	if err != nil || len(hist) != 2 || hist[0].Outcome != bot.OutcomeRWA || hist[1].Outcome != bot.OutcomeApprove || hist[1].Version != 2 {
		t.Fatalf("army history = %v, %v; want v1 RWA, v2 Approve", hist, err)
	}

	h.recordHas(r,
		"recorded the answer from the licensing agency (BIS): BIS: the Bundeswehr depot in Koblenz keeps them.\n  Asked again, due 2026-12-17: Army (questions of v1).",
		"returned the referral without action: questions out, the offices' suspense clock stopped",
		"recorded the answer to the offices' questions: the offices' suspense clock restarted after 2 business day(s) stopped")
}

// recordHas checks that the referral's official record (Markdown) says each of wants.
func (h *harness) recordHas(r *bot.Referral, wants ...string) {
	h.t.Helper()
	rec, err := h.App.Service.Record(h.ctx, r.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	md := record.Markdown(rec)
	for _, want := range wants {
		if !strings.Contains(md, want) {
			h.t.Errorf("record lacks %q", want)
		}
	}
}

// TestRWAFinal: a final Return without action carries the offices' questions, in
// the modal's prefill, the post and the record.
func TestRWAFinal(t *testing.T) { bothTransports(t, testRWAFinal) }

func testRWAFinal(t *testing.T, transport string) {
	h := newHarness(t, transport)
	r := h.openReferralWith("Z654321", askOffices("army", "navy"))
	h.click(reviewer("navy", 1), r.ChannelID, h.askMessage(r, "navy").TS, "answer_rwa")
	v := h.lastView(reviewer("navy", 1), bot.CallbackPosition)
	h.submit(reviewer("navy", 1), v.ID, slackfake.Input{BlockID: bot.FieldQuestions, Value: "Which vessel carries the cameras?"})
	h.drain()

	h.command(analyst, r.ChannelID, "recommend")
	v = h.lastView(analyst, bot.CallbackRecommendation)
	if !strings.Contains(string(v.JSON), "Navy: Which vessel carries the cameras?") {
		t.Errorf("recommendation modal does not prefill Navy's questions")
	}
	if ack := h.submit(analyst, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeRWA)},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Navy's question goes back to the applicant."}); len(ack.Body) > 0 {
		t.Fatalf("recommendation refused: %s", ack.Body)
	}
	h.drain()
	rec, err := h.App.DB.Recommendation(h.ctx, r.ID)
	if err != nil || rec.Questions != "Navy: Which vessel carries the cameras?" {
		t.Fatalf("recommendation questions = %+v, %v", rec, err)
	}
	final, ok := h.Fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool { return strings.HasPrefix(m.Text, "Final DoD recommendation") })
	if !ok || !strings.Contains(blocksText(final.Blocks), "*Questions for the applicant:*\nNavy: Which vessel carries the cameras?") {
		t.Errorf("final post lacks the questions: %+v", final.Text)
	}
	h.recordHas(r, "Questions for the applicant: Navy: Which vessel carries the cameras?")
	// The questions of a closed referral can no longer be answered.
	if got := h.command(analyst, r.ChannelID, "answer").Text(); !strings.Contains(got, "final recommendation on Z654321 is recorded") {
		t.Errorf("/referral answer after the final = %q", got)
	}
}

// buttonIDs lists the action ids of a message's buttons.
func buttonIDs(m slackfake.Message) []string {
	var out []string
	for _, b := range m.Blocks.BlockSet {
		if act, ok := b.(*slack.ActionBlock); ok {
			for _, e := range act.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					out = append(out, btn.ActionID)
				}
			}
		}
	}
	return out
}

// fieldErrors reads the problems a modal submission was refused with, by field.
func fieldErrors(t *testing.T, ack slackfake.Ack) map[string]string {
	t.Helper()
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := ack.Decode(&resp); err != nil || resp.Action != "errors" {
		t.Fatalf("ack = %s (%v); want response_action errors", ack.Body, err)
	}
	return resp.Errors
}

func texts(ms []slackfake.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}
