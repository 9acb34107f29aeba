package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

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
