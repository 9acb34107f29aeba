package store_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// BenchmarkClaimJobs measures one claim (a write transaction on a real SQLite
// file) with 10 and with 1,000 jobs pending, claiming one job (a worker with one
// idle runner) and a batch of 16 (DrainJobs). Between claims, untimed, the claimed
// jobs go back to pending, so the outbox stays as deep.
func BenchmarkClaimJobs(b *testing.B) {
	for _, pending := range []int{10, 1000} {
		for _, limit := range []int{1, min(16, pending)} {
			b.Run(fmt.Sprintf("pending=%d/limit=%d", pending, limit), func(b *testing.B) {
				db := MustOpenDB(b)
				ctx := context.Background()
				r := mustCreateReferral(b, db, "Z123456")
				mustUpdate(b, db, func(tx bot.Tx) error {
					for i := range pending {
						// Distinct keys (an ask each), as a busy outbox has.
						j := &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: int64(i + 1), RunAt: t0.Add(time.Duration(i) * time.Millisecond)}
						if err := tx.Enqueue(ctx, j); err != nil {
							return err
						}
					}
					return nil
				})
				now := t0.Add(time.Hour)
				var cpu time.Duration
				b.ResetTimer()
				for b.Loop() {
					before := cpuTime(b)
					jobs, err := db.ClaimJobs(ctx, now, time.Minute, limit)
					cpu += cpuTime(b) - before
					if err != nil || len(jobs) != limit {
						b.Fatalf("ClaimJobs = %d jobs, %v; want %d", len(jobs), err, limit)
					}
					b.StopTimer()
					for _, j := range jobs {
						if err := db.RetryJob(ctx, j.ID, now, "", false); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
				}
				// The process's CPU (user and system) per claim: on a shared machine it
				// varies less than the wall time, which includes the commit's fsync.
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
