package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
)

// BenchmarkPressJobs measures the outbox writes of one press, inside a transaction
// rolled back each time (no commit, no fsync): the three jobs a press used to
// enqueue (its ask, the summary, the Home tabs), and the one refresh with its mark.
func BenchmarkPressJobs(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)
	db, err := Open(ctx, filepath.Join(b.TempDir(), "press.db"), clock.Stopped(now))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var referralID int64
	err = db.Update(ctx, func(tx bot.Tx) error {
		r := &bot.Referral{Agency: bot.AgencyCommerce, CaseNumber: "Z123456", OpenKey: "k"}
		err := tx.CreateReferral(ctx, r)
		referralID = r.ID
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	press := func(b *testing.B, write func(t *tx) error) {
		for b.Loop() {
			q, err := db.write.BeginTxx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := write(&tx{reader: reader{q: q}, q: sqlx.ExtContext(q), db: db, now: now}); err != nil {
				b.Fatal(err)
			}
			if err := q.Rollback(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("three_jobs", func(b *testing.B) {
		press(b, func(t *tx) error {
			for _, j := range []*bot.Job{{Kind: bot.JobUpdateAsk, ReferralID: referralID, AskID: 1},
				{Kind: bot.JobUpdateSummary, ReferralID: referralID}, {Kind: bot.JobRefreshHome, ReferralID: referralID, AskID: 1}} {
				if err := t.Enqueue(ctx, j); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("one_refresh", func(b *testing.B) {
		press(b, func(t *tx) error {
			if err := t.MarkForRefresh(ctx, referralID, 1); err != nil {
				return err
			}
			return t.Enqueue(ctx, &bot.Job{Kind: bot.JobRefreshReferral, ReferralID: referralID, RunAt: now.Add(300 * time.Millisecond)})
		})
	})
}
