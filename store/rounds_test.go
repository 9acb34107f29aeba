package store_test

import (
	"context"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// TestRounds: a case number may have several rounds, each unique, at most one of
// them open; ReferralByCase finds the latest.
func TestRounds(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	first := newReferral("Z123456")
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateReferral(ctx, first) })
	second := newReferral("Z123456")
	second.OpenKey, second.Round, second.PriorID, second.ReReferral = "key-r2", 2, first.ID, bot.ReReferralResubmission
	create := func(r *bot.Referral) error {
		return db.Update(ctx, func(tx bot.Tx) error { return tx.CreateReferral(ctx, r) })
	}
	if err := create(second); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("a second open round: %v; want ECONFLICT", err)
	}
	first.State = bot.ReferralRecommended
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.UpdateReferral(ctx, first) })
	second.ID = 0
	if err := create(second); err != nil {
		t.Fatalf("round 2 after the final: %v", err)
	}
	dup := *second
	dup.ID, dup.OpenKey, dup.State = 0, "key-dup", bot.ReferralRecommended
	if err := create(&dup); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("round 2 twice: %v; want ECONFLICT", err)
	}
	got, err := db.ReferralByCase(ctx, bot.AgencyCommerce, "Z123456")
	if err != nil || got.ID != second.ID || got.Round != 2 || got.PriorID != first.ID || got.ReReferral != bot.ReReferralResubmission {
		t.Errorf("ReferralByCase = %+v, %v; want round 2", got, err)
	}
}

// TestRecommendationVersions: versions are kept, Recommendation reads the newest
// final one, at most one waits for sign-off, and signing it makes it final.
func TestRecommendationVersions(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	r := newReferral("Z123456")
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateReferral(ctx, r) })
	create := func(rec *bot.Recommendation) error {
		return db.Update(ctx, func(tx bot.Tx) error { return tx.CreateRecommendation(ctx, rec) })
	}
	if err := create(&bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeApprove, RecordedBy: "U1"}); err != nil {
		t.Fatal(err)
	}
	if err := create(&bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeDeny, RecordedBy: "U1"}); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("version 1 twice: %v; want ECONFLICT", err)
	}
	pending := &bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeDeny, Version: 2, AmendReason: "why", SignOff: bot.SignOffPending, RecordedBy: "U1"}
	if err := create(pending); err != nil {
		t.Fatal(err)
	}
	if err := create(&bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeRWA, Version: 3, SignOff: bot.SignOffPending}); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("a second pending version: %v; want ECONFLICT", err)
	}
	if rec, err := db.Recommendation(ctx, r.ID); err != nil || rec.Version != 1 {
		t.Errorf("Recommendation while version 2 waits = %+v, %v; want version 1", rec, err)
	}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.SignRecommendation(ctx, pending.ID, "USUP", t0) })
	if err := db.Update(ctx, func(tx bot.Tx) error { return tx.SignRecommendation(ctx, pending.ID, "USUP2", t0) }); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("signing twice: %v; want ECONFLICT", err)
	}
	rec, err := db.Recommendation(ctx, r.ID)
	if err != nil || rec.Version != 2 || rec.SignOff != bot.SignOffSigned || rec.SignedBy != "USUP" || !rec.SignedAt.Equal(t0) || rec.AmendReason != "why" {
		t.Errorf("Recommendation after sign-off = %+v, %v", rec, err)
	}
	if vs, err := db.RecommendationVersions(ctx, r.ID); err != nil || len(vs) != 2 || vs[0].Outcome != bot.OutcomeApprove {
		t.Errorf("RecommendationVersions = %v, %v", vs, err)
	}
}
