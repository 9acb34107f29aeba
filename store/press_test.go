package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

// pressReferral stores a referral asking nine offices, each with versions
// versions of its position (the last with a proviso when provisos is set).
func pressReferral(tb testing.TB, db *store.DB, versions int, provisos bool) (*bot.Referral, []*bot.Ask) {
	tb.Helper()
	ctx := context.Background()
	r := mustCreateReferral(tb, db, "Z900001")
	var asks []*bot.Ask
	mustUpdate(tb, db, func(tx bot.Tx) error {
		for _, o := range bot.DefaultOffices() {
			a := &bot.Ask{ReferralID: r.ID, OfficeCode: o.Code, DueDate: date("2025-03-26")}
			if err := tx.CreateAsk(ctx, a); err != nil {
				return err
			}
			for v := range versions {
				p := &bot.Position{AskID: a.ID, Outcome: bot.OutcomeApprove, AnsweredBy: fmt.Sprintf("U%d", v%2)}
				if provisos && v == versions-1 {
					p.Outcome, p.Provisos = bot.OutcomeApproveWithProvisos, []bot.Proviso{{Text: "For stated end-use only"}}
				}
				if err := tx.CreatePosition(ctx, p); err != nil {
					return err
				}
			}
			asks = append(asks, a)
		}
		return nil
	})
	return r, asks
}

// BenchmarkAskRead is what a press reads before its transaction: the ask with its
// current position, and the referral, in one query.
func BenchmarkAskRead(b *testing.B) {
	ctx := context.Background()
	for _, versions := range []int{1, 200} {
		b.Run(fmt.Sprintf("versions=%d", versions), func(b *testing.B) {
			db := MustOpenDB(b)
			_, asks := pressReferral(b, db, versions, false)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, _, err := db.AskWithReferral(ctx, asks[i%len(asks)].ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// Beside it, the two reads a press made before (Ask, then Referral).
	b.Run("ask+referral", func(b *testing.B) {
		db := MustOpenDB(b)
		_, asks := pressReferral(b, db, 1, false)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			a, err := db.Ask(ctx, asks[i%len(asks)].ID)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.Referral(ctx, a.ReferralID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// AskWithReferral reads in one query what Ask and Referral read in three: the same
// ask, position (provisos included, in order) and referral.
func TestAskWithReferral(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	_, asks := pressReferral(t, db, 2, true)
	// One ask awaiting, with no position at all.
	mustUpdate(t, db, func(tx bot.Tx) error {
		return tx.CreateAsk(ctx, &bot.Ask{ReferralID: asks[0].ReferralID, OfficeCode: "extra", DueDate: date("2025-03-27")})
	})
	all, err := db.Asks(ctx, asks[0].ReferralID)
	if err != nil {
		t.Fatal(err)
	}
	wantRef, err := db.Referral(ctx, asks[0].ReferralID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range all {
		ref, got, err := db.AskWithReferral(ctx, want.ID)
		if err != nil {
			t.Fatalf("AskWithReferral(%d): %v", want.ID, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ask %d = %+v (current %+v); want %+v (current %+v)", want.ID, got, got.Current, want, want.Current)
		}
		if !reflect.DeepEqual(ref, wantRef) {
			t.Errorf("referral of ask %d = %+v; want %+v", want.ID, ref, wantRef)
		}
	}
	if cur := all[0].Current; cur == nil || len(cur.Provisos) != 1 || cur.Provisos[0].Text != "For stated end-use only" {
		t.Errorf("first ask's current position = %+v; want version 2 with its proviso", cur)
	}
	if all[len(all)-1].Current != nil {
		t.Errorf("the awaiting ask has a position: %+v", all[len(all)-1].Current)
	}
	if _, _, err := db.AskWithReferral(ctx, 999); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("AskWithReferral(999) err = %v; want ENOTFOUND", err)
	}
}

// AskStanding reads the ask's state and version, the referral's state and hold,
// and whether another office's questions are out; SetAskState changes the state
// alone.
func TestAskStanding(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	_, asks := pressReferral(t, db, 0, false)
	a, b := asks[0], asks[1]
	standing := func(id int64) bot.AskStanding {
		t.Helper()
		var st bot.AskStanding
		mustUpdate(t, db, func(tx bot.Tx) error {
			var err error
			st, err = tx.AskStanding(ctx, id)
			return err
		})
		return st
	}
	want := bot.AskStanding{ReferralState: bot.ReferralOpen, AskState: bot.AskAwaiting}
	if got := standing(a.ID); got != want {
		t.Errorf("fresh ask: %+v; want %+v", got, want)
	}
	// b's office returns it with questions; the referral is held meanwhile.
	a.MessageTS = "1700000000.000100"
	mustUpdate(t, db, func(tx bot.Tx) error {
		if err := tx.UpdateAsk(ctx, a); err != nil {
			return err
		}
		if err := tx.CreatePosition(ctx, &bot.Position{AskID: b.ID, Outcome: bot.OutcomeRWA, Questions: "Which end user?"}); err != nil {
			return err
		}
		if err := tx.SetAskState(ctx, b.ID, bot.AskAnswered); err != nil {
			return err
		}
		r, err := tx.Referral(ctx, a.ReferralID)
		if err != nil {
			return err
		}
		r.HeldSince, r.ManualHold = t0, true
		return tx.UpdateReferral(ctx, r)
	})
	want = bot.AskStanding{ReferralState: bot.ReferralOpen, AskState: bot.AskAwaiting, Held: true, ManualHold: true, QuestionsElsewhere: true}
	if got := standing(a.ID); got != want {
		t.Errorf("a beside b's questions: %+v; want %+v", got, want)
	}
	want = bot.AskStanding{ReferralState: bot.ReferralOpen, AskState: bot.AskAnswered, Version: 1, Held: true, ManualHold: true}
	if got := standing(b.ID); got != want {
		t.Errorf("b, whose own questions are out: %+v; want %+v", got, want)
	}
	// SetAskState left what UpdateAsk wrote.
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.SetAskState(ctx, a.ID, bot.AskAnswered) })
	got, err := db.Ask(ctx, a.ID)
	if err != nil || got.State != bot.AskAnswered || got.MessageTS != a.MessageTS || !got.DueDate.Equal(a.DueDate) {
		t.Errorf("after SetAskState: %+v, %v; want answered with its message %s and due date kept", got, err, a.MessageTS)
	}
	err = db.Update(ctx, func(tx bot.Tx) error { return tx.SetAskState(ctx, 999, bot.AskAnswered) })
	if bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("SetAskState(999) err = %v; want ENOTFOUND", err)
	}
	err = db.Update(ctx, func(tx bot.Tx) error { _, err := tx.AskStanding(ctx, 999); return err })
	if bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("AskStanding(999) err = %v; want ENOTFOUND", err)
	}
}
