package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// An answer to the offices' questions reads back with the questions it answered
// (office, version and words from the positions); no question is answered twice;
// the analyst's hold and a final RWA's questions round-trip on their rows.
func TestQuestionAnswer_roundTrip(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	army, navy := mustCreateAsk(t, db, r.ID, "army"), mustCreateAsk(t, db, r.ID, "navy")
	var positions []*bot.Position
	for _, a := range []*bot.Ask{army, navy} {
		p := &bot.Position{AskID: a.ID, ReferralID: r.ID, OfficeCode: a.OfficeCode, Outcome: bot.OutcomeRWA,
			Questions: a.OfficeCode + ": who is the end user?", AnsweredBy: "U1", AnsweredAt: t0}
		mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreatePosition(ctx, p) })
		positions = append(positions, p)
	}
	qa := &bot.QuestionAnswer{ReferralID: r.ID, Source: bot.AnswerFromAgency, Text: "The depot.", DueDate: date("2025-04-02"),
		RecordedBy: "UANALYST", Answered: []bot.AnsweredQuestion{
			{AskID: army.ID, PositionID: positions[0].ID, OfficeCode: "army", Version: 1, Questions: "army: who is the end user?"},
			{AskID: navy.ID, PositionID: positions[1].ID, OfficeCode: "navy", Version: 1, Questions: "navy: who is the end user?"},
		}}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateQuestionAnswer(ctx, qa) })
	if qa.ID == 0 || !qa.RecordedAt.Equal(t0) {
		t.Errorf("ID %d RecordedAt %v; want set, %v", qa.ID, qa.RecordedAt, t0)
	}
	got, err := db.QuestionAnswers(ctx, r.ID)
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], qa) {
		t.Errorf("QuestionAnswers = %s, %v; want %s", dump(got), err, dump(qa))
	}

	again := &bot.QuestionAnswer{ReferralID: r.ID, Source: bot.AnswerFromApplicant, Text: "Again.", DueDate: date("2025-04-02"),
		RecordedBy: "UANALYST", Answered: qa.Answered[:1]}
	wantCode(t, db.Update(ctx, func(tx bot.Tx) error { return tx.CreateQuestionAnswer(ctx, again) }), bot.ECONFLICT)
	if got, _ := db.QuestionAnswers(ctx, r.ID); len(got) != 1 {
		t.Errorf("%d answers after a refused one; want 1", len(got))
	}
	wantCode(t, db.Update(ctx, func(tx bot.Tx) error {
		return tx.CreateQuestionAnswer(ctx, &bot.QuestionAnswer{ReferralID: 999, Source: bot.AnswerFromAgency, Text: "x", DueDate: date("2025-04-02")})
	}), bot.ENOTFOUND)

	r.ManualHold, r.HeldSince = true, t0
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.UpdateReferral(ctx, r) })
	if back, err := db.Referral(ctx, r.ID); err != nil || !back.ManualHold || !back.HeldSince.Equal(t0) {
		t.Errorf("referral after a hold = %+v, %v; want the analyst's hold kept", back, err)
	}
	rec := &bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeRWA, Rationale: "r", Questions: "Army: who?", RecordedBy: "UANALYST"}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateRecommendation(ctx, rec) })
	if back, err := db.Recommendation(ctx, r.ID); err != nil || back.Questions != "Army: who?" {
		t.Errorf("recommendation questions = %q, %v", back.Questions, err)
	}
}

// Every hold recorded before the RWA loop was the analyst's: the migration keeps it
// theirs, so /referral resume still ends it.
func TestOpen_keepsOldHoldsTheAnalysts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "referralbot.db")
	raw := openRaw(t, path)
	if _, err := migrations(t, raw).UpTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	at := "2025-03-01T12:00:00.000000000Z"
	mustExec(t, raw, `INSERT INTO referrals (id, agency, case_number, state, held_since, created_at, updated_at)
		VALUES (1, 'commerce', 'Z123456', 'open', ?, ?, ?), (2, 'commerce', 'Z654321', 'open', NULL, ?, ?)`, at, at, at, at, at)
	raw.Close()
	db := mustOpenPath(t, path)
	for id, want := range map[int64]bool{1: true, 2: false} {
		if r, err := db.Referral(ctx, id); err != nil || r.ManualHold != want {
			t.Errorf("referral %d after migrating: %+v, %v; want the analyst's hold %v", id, r, err, want)
		}
	}
}
