package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

func TestRecommendation_roundTrip(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")

	rec := &bot.Recommendation{
		ReferralID: r.ID,
		Outcome:    bot.OutcomeApproveWithProvisos,
		Provisos: []bot.Proviso{
			{OfficeCode: "navy", Text: "For stated end-use only", Code: "BIS-1"},
			{Text: "Applicant must inform consignee of all license conditions"}, // the analyst's own
			{OfficeCode: "army", Text: "No resale, transfer, or reexport without prior authorization"},
		},
		// Each fate keeps its office proviso's library code, whatever the fate.
		Treatments: []bot.Treatment{
			{OfficeCode: "navy", Number: 1, OfficeText: "For stated end-use only", Fate: bot.FateKept, Code: "BIS-1"},
			{OfficeCode: "army", Number: 1, OfficeText: "No resale without authorization", Fate: bot.FateModified,
				DTSAText: "No resale, transfer, or reexport without prior authorization", Code: "BIS-2"},
			{OfficeCode: "army", Number: 2, OfficeText: "Quarterly reports", Fate: bot.FateDropped, Reason: "covered"},
		},
		Rationale:  "Army's concern is met by the end-use proviso.",
		Dissent:    []string{"navy", "army"},
		RecordedBy: "U0ANALYST",
	}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateRecommendation(ctx, rec) })
	if rec.ID == 0 || !rec.RecordedAt.Equal(t0) {
		t.Errorf("ID %d RecordedAt %v; want set, %v", rec.ID, rec.RecordedAt, t0)
	}
	if got := rec.Provisos[1].OfficeCode; got != bot.OfficeDTSA {
		t.Errorf("origin of the analyst's proviso = %q; want %q", got, bot.OfficeDTSA)
	}

	got, err := db.Recommendation(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rec) {
		t.Errorf("Recommendation:\ngot  %s\nwant %s", dump(got), dump(rec))
	}

	second := &bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeDeny, Rationale: "Changed mind"}
	err = db.Update(ctx, func(tx bot.Tx) error { return tx.CreateRecommendation(ctx, second) })
	wantCode(t, err, bot.ECONFLICT)
}

func TestRecommendation_noProvisosNoDissent(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	rec := &bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeApprove, RecordedBy: "U1"}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateRecommendation(ctx, rec) })
	got, err := db.Recommendation(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rec) {
		t.Errorf("got %s; want %s", dump(got), dump(rec))
	}
}

func TestRecommendation_errors(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")

	_, err := db.Recommendation(ctx, r.ID)
	wantCode(t, err, bot.ENOTFOUND)

	err = db.Update(ctx, func(tx bot.Tx) error {
		return tx.CreateRecommendation(ctx, &bot.Recommendation{ReferralID: 999, Outcome: bot.OutcomeApprove})
	})
	wantCode(t, err, bot.ENOTFOUND)

	err = db.Update(ctx, func(tx bot.Tx) error {
		return tx.CreateRecommendation(ctx, &bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeDeny,
			Dissent: []string{"army", "army"}})
	})
	wantCode(t, err, bot.ECONFLICT)
}
