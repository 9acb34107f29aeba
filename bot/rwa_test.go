package bot_test

import (
	"strings"
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

// RecordAnswer refuses, changing nothing: anyone but the referral's own analyst,
// a referral with no questions out, and bad input (each problem by its field).
func TestRecordAnswerRefusals(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	r := inst.openReferral("Z200002", "army", "navy")
	asks := inst.asks(r)
	_, err := inst.svc.RecordAnswer(w.ctx, analystID, r.ID, bot.AnswerInput{Source: "applicant", Text: "x"})
	wantCode(t, "no questions out", err, bot.EINVALID)
	w.clock.Set(nyTime(2026, 12, 2, 11, 0))
	if err := armyRWA(inst, r, asks); err != nil {
		t.Fatal(err)
	}
	w.roster.Analysts = append(w.roster.Analysts, "UANALYST2")
	for _, tt := range []struct {
		name, actor string
		in          bot.AnswerInput
		code, field string
	}{
		{"another analyst", "UANALYST2", bot.AnswerInput{Source: "applicant", Text: "x"}, bot.EFORBIDDEN, ""},
		{"a reviewer", reviewerOf("army"), bot.AnswerInput{Source: "applicant", Text: "x"}, bot.EFORBIDDEN, ""},
		{"no source", analystID, bot.AnswerInput{Text: "x"}, bot.EINVALID, bot.FieldAnswerSource},
		{"an unknown source", analystID, bot.AnswerInput{Source: "the press", Text: "x"}, bot.EINVALID, bot.FieldAnswerSource},
		{"no answer", analystID, bot.AnswerInput{Source: "agency", Text: "  "}, bot.EINVALID, bot.FieldAnswerText},
		{"a past date", analystID, bot.AnswerInput{Source: "agency", Text: "x", Due: "2026-12-01"}, bot.EINVALID, bot.FieldAnswerDue},
		{"after the DoD due date", analystID, bot.AnswerInput{Source: "agency", Text: "x", Due: "2026-12-31"}, bot.EINVALID, bot.FieldAnswerDue},
		{"not a date", analystID, bot.AnswerInput{Source: "agency", Text: "x", Due: "12/18/2026"}, bot.EINVALID, bot.FieldAnswerDue},
		{"questions changed meanwhile", analystID, bot.AnswerInput{Source: "agency", Text: "x", Positions: []int64{999}}, bot.ECONFLICT, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inst.svc.RecordAnswer(w.ctx, tt.actor, r.ID, tt.in)
			wantCode(t, tt.name, err, tt.code)
			var be *bot.Error
			if tt.field != "" && (!asBotError(err, &be) || be.Fields[tt.field] == "") {
				t.Errorf("%s: %v; want a problem on %s", tt.name, err, tt.field)
			}
			if answers, err := inst.db.QuestionAnswers(w.ctx, r.ID); err != nil || len(answers) != 0 {
				t.Errorf("answers after a refusal: %v %v; want none", answers, err)
			}
			if a := inst.asks(r)["army"]; a.State != bot.AskAnswered || !bot.QuestionsOut(a) {
				t.Errorf("army after a refusal: %s; want its questions still out", a.State)
			}
		})
	}
	if _, _, err := inst.svc.CheckQuestions(w.ctx, "UANALYST2", r.ID); err == nil || !strings.Contains(err.Error(), "<@UANALYST>") {
		t.Errorf("CheckQuestions by another analyst = %v; want the referral's analyst named", err)
	}
}

// The same form submitted twice records one answer; a re-ask is answered with a
// new version even when the words are the same.
func TestRecordAnswerTwiceAndNewVersion(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	r := inst.openReferral("Z200003", "army", "navy")
	w.clock.Set(nyTime(2026, 12, 2, 11, 0))
	if err := armyRWA(inst, r, inst.asks(r)); err != nil {
		t.Fatal(err)
	}
	_, out, err := inst.svc.CheckQuestions(w.ctx, analystID, r.ID)
	if err != nil || len(out) != 1 {
		t.Fatalf("CheckQuestions = %v, %v", out, err)
	}
	in := bot.AnswerInput{Source: "agency", Text: "BIS: the depot.", Positions: []int64{out[0].Current.ID}}
	first, err := inst.svc.RecordAnswer(w.ctx, analystID, r.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := inst.svc.RecordAnswer(w.ctx, analystID, r.ID, in)
	if err != nil || again.ID != first.ID {
		t.Errorf("second submission = %+v, %v; want the first answer (%d)", again, err, first.ID)
	}
	inst.drain()
	if n := len(w.fake.Messages(r.ChannelID)); n == 0 {
		t.Fatal("no messages in the referral channel")
	}
	// Army returns it again with the same words: that is version 2, not a double click.
	if err := armyRWA(inst, r, inst.asks(r)); err != nil {
		t.Fatal(err)
	}
	hist, err := inst.db.Positions(w.ctx, inst.asks(r)["army"].ID)
	if err != nil || len(hist) != 2 || hist[1].Version != 2 || hist[1].Outcome != bot.OutcomeRWA {
		t.Fatalf("army history = %v, %v; want v1 and v2, both RWA", hist, err)
	}
	if ref, _ := inst.db.Referral(w.ctx, r.ID); ref.HeldSince.IsZero() {
		t.Error("army's new questions did not stop the clock")
	}
}

// ReaskDue: REASK_BUSINESS_DAYS business days from today, never past the last
// business day before the DoD due date, never before today.
func TestReaskDue(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	for _, tt := range []struct {
		today, dod, want string
	}{
		{"2026-12-01", "2026-12-30", "2026-12-08"},
		{"2026-12-21", "2026-12-30", "2026-12-29"}, // Christmas Day is a federal holiday
		{"2026-12-21", "2026-12-26", "2026-12-24"}, // DoD due on a Saturday after the holiday
		{"2026-12-21", "2026-12-12", "2026-12-21"}, // DoD due passed: today
	} {
		today, _ := bot.ParseDate(tt.today)
		w.clock.Set(today.Add(15 * time.Hour))
		dod, _ := bot.ParseDate(tt.dod)
		if got := bot.FormatDate(inst.svc.ReaskDue(&bot.Referral{DoDDueDate: dod})); got != tt.want {
			t.Errorf("ReaskDue on %s, DoD due %s = %s; want %s", tt.today, tt.dod, got, tt.want)
		}
	}
}

// A final Return without action carries the questions; any other outcome drops them.
func TestRecommendRWACarriesQuestions(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	for _, tt := range []struct {
		caseNumber string
		outcome    bot.Outcome
		want       string
	}{
		{"Z200011", bot.OutcomeRWA, "Army: Who is the end user?"},
		{"Z200012", bot.OutcomeApprove, ""},
	} {
		r := inst.openReferral(tt.caseNumber, "army")
		rec, err := inst.svc.Recommend(w.ctx, analystID, r.ID, bot.RecommendationInput{Outcome: tt.outcome,
			Rationale: "returned", Questions: "Army: Who is the end user?"})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := inst.db.Recommendation(w.ctx, r.ID)
		if err != nil || rec.Questions != tt.want || stored.Questions != tt.want {
			t.Errorf("%s: questions %q, stored %q (%v); want %q", tt.outcome, rec.Questions, stored.Questions, err, tt.want)
		}
	}
}
