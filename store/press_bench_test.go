package store_test

import (
	"context"
	"fmt"
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
// current position, and the referral.
func BenchmarkAskRead(b *testing.B) {
	ctx := context.Background()
	for _, versions := range []int{1, 200} {
		b.Run(fmt.Sprintf("versions=%d", versions), func(b *testing.B) {
			db := MustOpenDB(b)
			_, asks := pressReferral(b, db, versions, false)
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
}
