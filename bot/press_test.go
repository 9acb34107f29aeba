package bot_test

import (
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// A press re-checks the referral's hold and the other offices' questions with one
// read (AskStanding) instead of reading every ask: another office answering while
// army's questions are out leaves the clock stopped; a stale press on a position
// recorded meanwhile is refused; a double click records nothing; army's answer
// restarts the clock.
func TestPressWhileQuestionsOut(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	r := armyQuestionsOut(t, inst, "Z200002")
	navy := inst.asks(r)["navy"]
	seen := 0
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("navy"), navy.ID, bot.PositionInput{Outcome: bot.OutcomeApprove, Seen: &seen}); err != nil {
		t.Fatalf("navy approves: %v", err)
	}
	inst.drain()
	ref, err := inst.db.Referral(w.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ref.HeldSince.IsZero() || inst.pending() != 0 {
		t.Errorf("after navy's answer: held since %v, %d reminders queued; want still stopped for army's questions", ref.HeldSince, inst.pending())
	}
	// A press on the message that still shows no position for navy, of another button.
	_, err = inst.svc.Answer(w.ctx, reviewerOf("navy"), navy.ID, bot.PositionInput{Outcome: bot.OutcomeDeny, Reasons: "No.", Basis: "EAR 742.4", Seen: &seen})
	if bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("stale press: err = %v; want ECONFLICT", err)
	}
	// The same person pressing the same button again records nothing new.
	pos, err := inst.svc.Answer(w.ctx, reviewerOf("navy"), navy.ID, bot.PositionInput{Outcome: bot.OutcomeApprove})
	if err != nil || pos.Version != 1 {
		t.Errorf("double click: %+v, %v; want version 1 again", pos, err)
	}
	// Army's answer restarts the clock: the standing says nobody else's questions are out.
	if err := answerQuestions("")(inst, r, nil); err != nil {
		t.Fatal(err)
	}
	inst.drain()
	if ref, err = inst.db.Referral(w.ctx, r.ID); err != nil || !ref.HeldSince.IsZero() {
		t.Errorf("after the answer: held since %v, %v; want running", ref.HeldSince, err)
	}
}
