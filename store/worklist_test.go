package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

// worklistFixture opens referrals Z1…Z5 with the given DoD due dates, in that
// order of creation, each asking army and navy with office due date 2025-03-20.
func worklistFixture(t *testing.T, db *store.DB, dues ...string) []*bot.Referral {
	t.Helper()
	ctx := context.Background()
	var refs []*bot.Referral
	for i, due := range dues {
		r := newReferral("Z10000" + string(rune('1'+i)))
		r.DoDDueDate = date(due)
		mustUpdate(t, db, func(tx bot.Tx) error {
			if err := tx.CreateReferral(ctx, r); err != nil {
				return err
			}
			for _, o := range []string{"army", "navy"} {
				if err := tx.CreateAsk(ctx, &bot.Ask{ReferralID: r.ID, OfficeCode: o, DueDate: date("2025-03-20")}); err != nil {
					return err
				}
			}
			return nil
		})
		refs = append(refs, r)
	}
	return refs
}

func cases(refs []*bot.Referral) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.CaseNumber)
	}
	return out
}

func answer(t *testing.T, db *store.DB, referralID int64, office string, o bot.Outcome) {
	t.Helper()
	ctx := context.Background()
	mustUpdate(t, db, func(tx bot.Tx) error {
		asks, err := tx.Asks(ctx, referralID)
		if err != nil {
			return err
		}
		for _, a := range asks {
			if a.OfficeCode == office {
				if err := tx.CreatePosition(ctx, &bot.Position{AskID: a.ID, Outcome: o, AnsweredBy: "U1"}); err != nil {
					return err
				}
				a.State = bot.AskAnswered
				return tx.UpdateAsk(ctx, a)
			}
		}
		t.Fatalf("no %s ask on referral %d", office, referralID)
		return nil
	})
}

func TestWorklistReferralLists(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	refs := worklistFixture(t, db, "2025-04-03", "2025-04-01", "2025-04-02", "2025-04-04", "2025-04-05")
	// Z100004 is another analyst's; Z100005 is recommended; Z100003 is on hold.
	mustUpdate(t, db, func(tx bot.Tx) error {
		refs[3].AnalystID = "U0OTHER"
		refs[4].State = bot.ReferralRecommended
		refs[2].HeldSince = t0
		for _, r := range refs[2:] {
			if err := tx.UpdateReferral(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})

	got, total, err := db.AnalystReferrals(ctx, "U0ANALYST", 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Z100002", "Z100003"}; !slices.Equal(cases(got), want) || total != 3 {
		t.Errorf("analyst's page = %v of %d; want %v of 3 (soonest DoD due first)", cases(got), total, want)
	}
	got, total, err = db.OpenReferralList(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Z100002", "Z100003", "Z100001", "Z100004"}; !slices.Equal(cases(got), want) || total != 4 {
		t.Errorf("open referrals = %v of %d; want %v of 4", cases(got), total, want)
	}

	// Everyone's due date 2025-03-20: on that day nothing is overdue, the day after
	// all open referrals not on hold are, until their offices answer.
	if got, total, err = db.OverdueReferrals(ctx, date("2025-03-20"), 10); err != nil || len(got) != 0 || total != 0 {
		t.Errorf("overdue on the due date = %v of %d, %v; want none", cases(got), total, err)
	}
	answer(t, db, refs[1].ID, "army", bot.OutcomeApprove)
	answer(t, db, refs[1].ID, "navy", bot.OutcomeDeny)
	answer(t, db, refs[0].ID, "army", bot.OutcomeApprove)
	got, total, err = db.OverdueReferrals(ctx, date("2025-03-21"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Z100001"}; !slices.Equal(cases(got), want) || total != 2 {
		t.Errorf("overdue = %v of %d; want %v of 2 (Z100004; not the answered Z100002 nor Z100003 on hold)", cases(got), total, want)
	}

	answer(t, db, refs[1].ID, "navy", bot.OutcomeApprove) // a second version: the current one counts
	st, err := db.Standings(ctx, []int64{refs[1].ID, refs[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	outcomes := func(id int64) []bot.Outcome {
		var out []bot.Outcome
		for _, s := range st[id] {
			out = append(out, s.Outcome)
		}
		return out
	}
	if got, want := outcomes(refs[1].ID), []bot.Outcome{bot.OutcomeApprove, bot.OutcomeApprove}; !slices.Equal(got, want) {
		t.Errorf("standings of Z100002 = %v; want %v", got, want)
	}
	if got, want := outcomes(refs[0].ID), []bot.Outcome{bot.OutcomeApprove, ""}; !slices.Equal(got, want) {
		t.Errorf("standings of Z100001 = %v; want %v", got, want)
	}
}

func TestWorklistOfficeQueue(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	refs := worklistFixture(t, db, "2025-04-01", "2025-04-02", "2025-04-03")
	// Navy's asks come due on different days; army answered the first referral.
	mustUpdate(t, db, func(tx bot.Tx) error {
		for i, r := range refs {
			asks, err := tx.Asks(ctx, r.ID)
			if err != nil {
				return err
			}
			asks[1].DueDate = date("2025-03-24").AddDate(0, 0, -2*i) // navy: 24th, 22nd, 20th
			asks[1].ChannelID, asks[1].MessageTS = "CNAVYQUEUE", "1700000000.00000"+string(rune('1'+i))
			if err := tx.UpdateAsk(ctx, asks[1]); err != nil {
				return err
			}
		}
		refs[2].HeldSince = t0
		return tx.UpdateReferral(ctx, refs[2])
	})
	answer(t, db, refs[0].ID, "army", bot.OutcomeApprove)

	got, total, err := db.OfficeQueue(ctx, []string{"navy", "army"}, time.Time{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for _, p := range got {
		desc = append(desc, p.Ask.OfficeCode+" "+p.Referral.CaseNumber+" "+bot.FormatDate(p.Ask.DueDate))
	}
	want := []string{"army Z100002 2025-03-20", "army Z100003 2025-03-20", "navy Z100003 2025-03-20"}
	if !slices.Equal(desc, want) || total != 5 {
		t.Errorf("queue = %v of %d; want %v of 5 (soonest due, then oldest ask)", desc, total, want)
	}
	if got[0].Ask.State != bot.AskAwaiting || got[0].Referral.ID != refs[1].ID {
		t.Errorf("first = %+v on %+v", got[0].Ask, got[0].Referral)
	}
	// Where each ask was posted, so that a digest links to it there.
	if a := got[2].Ask; a.ChannelID != "CNAVYQUEUE" || a.MessageTS != "1700000000.000003" {
		t.Errorf("navy ask posted at %q %q; want CNAVYQUEUE 1700000000.000003", a.ChannelID, a.MessageTS)
	}

	got, total, err = db.OfficeQueue(ctx, []string{"navy"}, date("2025-03-23"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || total != 1 || got[0].Referral.ID != refs[1].ID {
		t.Errorf("navy overdue on the 23rd = %d of %d; want Z100002 only (Z100003 is on hold, Z100001 due the 24th)", len(got), total)
	}
	if got, total, err := db.OfficeQueue(ctx, nil, time.Time{}, 10); err != nil || len(got) != 0 || total != 0 {
		t.Errorf("queue of no office = %d of %d, %v", len(got), total, err)
	}
}

func TestHomeViewers(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if found, err := db.AnyHomeViewer(ctx); err != nil || found {
		t.Fatalf("AnyHomeViewer on a new database = %v, %v", found, err)
	}
	for range 2 { // opening it again is no error
		mustUpdate(t, db, func(tx bot.Tx) error { return tx.RecordHomeOpened(ctx, "U2") })
	}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.RecordHomeOpened(ctx, "U1") })
	got, err := db.HomeViewers(ctx, []string{"U3", "U2", "U1"})
	if err != nil || !slices.Equal(got, []string{"U1", "U2"}) {
		t.Errorf("HomeViewers = %v, %v; want [U1 U2]", got, err)
	}
	if found, err := db.AnyHomeViewer(ctx); err != nil || !found {
		t.Errorf("AnyHomeViewer = %v, %v; want true", found, err)
	}
}
