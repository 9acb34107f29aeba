package store_test

import (
	"context"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// TestPrecedentIndex checks that the index follows the final recommendation: a
// recommendation waiting for sign-off is not a precedent until signed, an
// amendment replaces the earlier version's outcome and provisos in the counts,
// names match whatever their spelling, and a referral is never its own precedent.
func TestPrecedentIndex(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	open := func(cs, applicant string) *bot.Referral {
		r := &bot.Referral{Agency: bot.AgencyCommerce, CaseNumber: cs, Applicant: applicant, EndUser: "Bundeswehr",
			Classification: "6A003.b.4", Destination: "DE", State: bot.ReferralOpen}
		ok(t, db.Update(ctx, func(tx bot.Tx) error { return tx.CreateReferral(ctx, r) }))
		return r
	}
	record := func(rec *bot.Recommendation) {
		ok(t, db.Update(ctx, func(tx bot.Tx) error { return tx.CreateRecommendation(ctx, rec) }))
	}
	match := func(except int64) bot.PrecedentMatch {
		m, err := db.PrecedentMatch(ctx, bot.PrecedentQuery{Dim: bot.DimApplicant, Key: bot.NameKey("Acme"), Except: except})
		ok(t, err)
		return m
	}
	a := open("Z000001", "Acme Inc.")
	b := open("Z000002", "ACME, L.L.C.")
	now := open("Z000003", "acme corp")

	record(&bot.Recommendation{ReferralID: a.ID, Outcome: bot.OutcomeApproveWithProvisos, Provisos: []bot.Proviso{{Text: "For stated end-use only"}}})
	pending := &bot.Recommendation{ReferralID: b.ID, Outcome: bot.OutcomeDeny, SignOff: bot.SignOffPending}
	record(pending)
	if m := match(now.ID); m.Total != 1 || len(m.Recent) != 1 || m.Recent[0].CaseNumber != "Z000001" {
		t.Fatalf("before the sign-off: %+v; want Z000001 alone", m)
	}
	ok(t, db.Update(ctx, func(tx bot.Tx) error { return tx.SignRecommendation(ctx, pending.ID, "USUP", db.Now()) }))
	if m := match(now.ID); m.Total != 2 || m.ByOutcome[bot.OutcomeDeny] != 1 {
		t.Fatalf("after the sign-off: %+v; want 2 with one denial", m)
	}

	// Z000001 amended: approve without provisos replaces approve with provisos.
	record(&bot.Recommendation{ReferralID: a.ID, Version: 2, Outcome: bot.OutcomeApprove, AmendReason: "provisos not needed"})
	m := match(now.ID)
	if m.Total != 2 || m.ByOutcome[bot.OutcomeApprove] != 1 || m.ByOutcome[bot.OutcomeApproveWithProvisos] != 0 || len(m.Provisos) != 0 {
		t.Errorf("after the amendment: %+v; want approve and deny, no provisos", m)
	}
	// Seen from Z000002 itself, it is not its own precedent.
	if m := match(b.ID); m.Total != 1 || len(m.Recent) != 1 || m.Recent[0].CaseNumber != "Z000001" || m.ByOutcome[bot.OutcomeDeny] != 0 {
		t.Errorf("from Z000002: %+v; want Z000001 alone", m)
	}
	// A reviewer of an office never asked on either sees nothing.
	if m, err := db.PrecedentMatch(ctx, bot.PrecedentQuery{Dim: bot.DimApplicant, Key: "acme", Except: now.ID, Offices: []string{"navy"}}); err != nil || len(m.Recent) != 0 || m.Total != 0 {
		t.Errorf("navy reviewer: %+v, %v; want nothing", m, err)
	}
}

func ok(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
