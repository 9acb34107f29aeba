package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
)

// BenchmarkClaimStatements measures the claim's statements alone: each iteration
// claims inside a transaction it then rolls back, so no commit (and no fsync)
// blurs what the statements cost, and the outbox stays as deep. BenchmarkClaimJobs
// measures whole claims, commit included.
func BenchmarkClaimStatements(b *testing.B) {
	for _, pending := range []int{10, 1000} {
		b.Run(fmt.Sprintf("pending=%d/limit=1", pending), func(b *testing.B) {
			ctx := context.Background()
			now := time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)
			db, err := Open(ctx, filepath.Join(b.TempDir(), "claim.db"), clock.Stopped(now))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			err = db.Update(ctx, func(tx bot.Tx) error {
				r := &bot.Referral{Agency: bot.AgencyCommerce, CaseNumber: "Z123456", OpenKey: "k"}
				if err := tx.CreateReferral(ctx, r); err != nil {
					return err
				}
				for i := range pending {
					j := &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: int64(i + 1), RunAt: now.Add(time.Duration(i) * time.Millisecond)}
					if err := tx.Enqueue(ctx, j); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			at := now.Add(time.Hour)
			for b.Loop() {
				err := db.write.Ping() // the writer is idle between claims
				if err != nil {
					b.Fatal(err)
				}
				tx, err := db.write.BeginTxx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				jobs, err := claimJobs(ctx, sqlx.ExtContext(tx), at, time.Minute, 1)
				if err != nil || len(jobs) != 1 {
					b.Fatalf("claimJobs = %d jobs, %v; want 1", len(jobs), err)
				}
				if err := tx.Rollback(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
