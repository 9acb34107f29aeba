package bot_test

import (
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// rwaStep is one thing that happens to a referral asking army, navy and policy
// (offices due 2026-12-10, DoD due 2026-12-30), at a time in New York.
type rwaStep struct {
	at   time.Time
	what string
	do   func(inst *instance, r *bot.Referral, asks map[string]*bot.Ask) error
	// What must hold after it: the offices' clock stopped or not, by the analyst's
	// own hold or not.
	held, manual bool
}

// armyQuestionsOut opens a referral asking army, navy and policy and, on 1 December
// 2026, has army return it with questions; the referral's Slack work is done.
func armyQuestionsOut(t *testing.T, inst *instance, caseNumber string) *bot.Referral {
	t.Helper()
	r := inst.openReferral(caseNumber, "army", "navy", "policy")
	inst.w.clock.Set(nyTime(2026, 12, 1, 11, 0))
	if err := armyRWA(inst, r, inst.asks(r)); err != nil {
		t.Fatal(err)
	}
	inst.drain()
	return r
}

func armyRWA(inst *instance, _ *bot.Referral, asks map[string]*bot.Ask) error {
	_, err := inst.svc.Answer(inst.w.ctx, reviewerOf("army"), asks["army"].ID, bot.PositionInput{Outcome: bot.OutcomeRWA,
		Questions: "Who is the end user of the spare cores?"})
	return err
}

func answerQuestions(due string) func(*instance, *bot.Referral, map[string]*bot.Ask) error {
	return func(inst *instance, r *bot.Referral, _ map[string]*bot.Ask) error {
		_, err := inst.svc.RecordAnswer(inst.w.ctx, analystID, r.ID, bot.AnswerInput{Source: "applicant", Text: "The Bundeswehr depot.", Due: due})
		return err
	}
}

func hold(inst *instance, r *bot.Referral, _ map[string]*bot.Ask) error {
	return inst.svc.Hold(inst.w.ctx, analystID, r.ID, "waiting on J2")
}

func resume(inst *instance, r *bot.Referral, _ map[string]*bot.Ask) error {
	_, err := inst.svc.Resume(inst.w.ctx, analystID, r.ID)
	return err
}

// TestQuestionsHoldTheClock: while an office's questions are out the offices'
// suspense clock is stopped (no reminders); recording the answer, the office
// changing its position or the ask's withdrawal restarts it, unless the analyst
// holds the referral too. The office asked again gets the new date as set; the
// others move by the business days stopped. The DoD due date never moves.
func TestQuestionsHoldTheClock(t *testing.T) {
	for _, tt := range []struct {
		name  string
		steps []rwaStep
		// The due dates at the end; army's state.
		army, navy string
		armyState  bot.AskState
	}{{
		name: "the answer restarts the clock",
		steps: []rwaStep{
			{nyTime(2026, 12, 1, 11, 0), "army returns it", armyRWA, true, false},
			{nyTime(2026, 12, 3, 11, 0), "the answer", answerQuestions(""), false, false},
		},
		army: "2026-12-10", navy: "2026-12-14", armyState: bot.AskAwaiting, // 12-03 + 5 business days; 12-10 + 2 stopped
	}, {
		name: "the answer on a set date",
		steps: []rwaStep{
			{nyTime(2026, 12, 1, 11, 0), "army returns it", armyRWA, true, false},
			{nyTime(2026, 12, 2, 11, 0), "the answer", answerQuestions("2026-12-18"), false, false},
		},
		army: "2026-12-18", navy: "2026-12-11", armyState: bot.AskAwaiting,
	}, {
		name: "the analyst's hold outlasts the answer",
		steps: []rwaStep{
			{nyTime(2026, 12, 1, 11, 0), "army returns it", armyRWA, true, false},
			{nyTime(2026, 12, 2, 11, 0), "hold", hold, true, true},
			{nyTime(2026, 12, 3, 11, 0), "the answer", answerQuestions(""), true, true},
			{nyTime(2026, 12, 7, 11, 0), "resume", resume, false, false},
		},
		// army's date was set while stopped and stays; navy's moves by 12-01 → 12-07: 4 business days.
		army: "2026-12-10", navy: "2026-12-16", armyState: bot.AskAwaiting,
	}, {
		name: "resume while questions are out ends only the analyst's hold",
		steps: []rwaStep{
			{nyTime(2026, 12, 1, 11, 0), "hold", hold, true, true},
			{nyTime(2026, 12, 2, 11, 0), "army returns it", armyRWA, true, true},
			{nyTime(2026, 12, 3, 11, 0), "resume", resume, true, false},
			{nyTime(2026, 12, 4, 11, 0), "the answer", answerQuestions(""), false, false},
		},
		army: "2026-12-11", navy: "2026-12-15", armyState: bot.AskAwaiting, // stopped since the hold: 3 business days
	}, {
		name: "the office changes its position",
		steps: []rwaStep{
			{nyTime(2026, 12, 1, 11, 0), "army returns it", armyRWA, true, false},
			{nyTime(2026, 12, 2, 11, 0), "army approves", func(inst *instance, _ *bot.Referral, asks map[string]*bot.Ask) error {
				_, err := inst.svc.Answer(inst.w.ctx, reviewerOf("army"), asks["army"].ID, bot.PositionInput{Outcome: bot.OutcomeApprove})
				return err
			}, false, false},
		},
		army: "2026-12-10", navy: "2026-12-11", armyState: bot.AskAnswered,
	}, {
		name: "the ask is withdrawn",
		steps: []rwaStep{
			{nyTime(2026, 12, 1, 11, 0), "army returns it", armyRWA, true, false},
			{nyTime(2026, 12, 2, 11, 0), "withdraw army", func(inst *instance, r *bot.Referral, _ map[string]*bot.Ask) error {
				_, err := inst.svc.WithdrawAsk(inst.w.ctx, analystID, r.ID, "army", "no Army equities")
				return err
			}, false, false},
		},
		army: "2026-12-10", navy: "2026-12-11", armyState: bot.AskWithdrawn,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			inst := w.start(inMemory)
			r := inst.openReferral("Z200001", "army", "navy", "policy")
			for _, st := range tt.steps {
				w.clock.Set(st.at)
				if err := st.do(inst, r, inst.asks(r)); err != nil {
					t.Fatalf("%s: %v", st.what, err)
				}
				inst.drain()
				ref, err := inst.db.Referral(w.ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if held := !ref.HeldSince.IsZero(); held != st.held || ref.ManualHold != st.manual {
					t.Errorf("after %s: held %v (analyst's %v); want %v (%v)", st.what, held, ref.ManualHold, st.held, st.manual)
				}
				if n := inst.pending(); st.held != (n == 0) {
					t.Errorf("after %s: %d reminders queued; want none exactly while the clock is stopped", st.what, n)
				}
				if !ref.DoDDueDate.Equal(civil(2026, 12, 30)) {
					t.Errorf("after %s: DoD due %s; want 2026-12-30 (never moved)", st.what, bot.FormatDate(ref.DoDDueDate))
				}
			}
			asks := inst.asks(r)
			if got := bot.FormatDate(asks["army"].DueDate); got != tt.army || asks["army"].State != tt.armyState {
				t.Errorf("army due %s (%s); want %s (%s)", got, asks["army"].State, tt.army, tt.armyState)
			}
			if got := bot.FormatDate(asks["navy"].DueDate); got != tt.navy {
				t.Errorf("navy due %s; want %s", got, tt.navy)
			}
		})
	}
}

// Withdrawing an ask whose questions are out restarts the clock: the withdrawal's
// redraws and the restart's share the referral's one refresh, instead of queueing
// the summary and the Home tabs twice over.
func TestWithdrawingQuestionsQueuesOneRefresh(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	r := armyQuestionsOut(t, inst, "Z200001")
	w.clock.Set(nyTime(2026, 12, 2, 11, 0))
	if _, err := inst.svc.WithdrawAsk(w.ctx, analystID, r.ID, "army", "no Army equities"); err != nil {
		t.Fatal(err)
	}
	jobs, err := inst.db.ReferralJobs(w.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[bot.JobKind]int{}
	for _, j := range jobs {
		kinds[j.Kind]++
	}
	if kinds[bot.JobRefreshReferral] != 1 || kinds[bot.JobUpdateSummary] != 0 || kinds[bot.JobRefreshHome] != 0 || kinds[bot.JobUpdateAsk] != 0 {
		t.Errorf("jobs after the withdrawal = %v; want one %s and no separate redraws", kinds, bot.JobRefreshReferral)
	}
	ref, err := inst.db.Referral(w.ctx, r.ID)
	if err != nil || !ref.HeldSince.IsZero() {
		t.Errorf("after the withdrawal: held since %v, %v; want the clock running", ref.HeldSince, err)
	}
}
