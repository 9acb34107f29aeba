package reminders

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
)

// BenchmarkReminders runs RunBench once per iteration with REMINDER_BENCH_N
// reminders (default 1,000,000) against the test Redis:
//
//	go test -run '^$' -bench Reminders -benchtime 1x ./store/reminders/
func BenchmarkReminders(b *testing.B) {
	n := benchN(b)
	client := redisClient(b, -1)
	var r BenchResult
	for b.Loop() {
		var err error
		if r, err = RunBench(context.Background(), client, n, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.Log(r)
	b.ReportMetric(r.ZAddPerSec, "zadd_per_s")
	b.ReportMetric(r.SchedulePerSec, "schedule_per_s")
	b.ReportMetric(r.ClaimPerSec, "claim_per_s")
	b.ReportMetric(r.ScheduleRatio, "schedule_zadd_ratio")
	b.ReportMetric(r.ClaimRatio, "claim_zadd_ratio")
	b.ReportMetric(float64(r.LagP50.Microseconds())/1000, "lag_p50_ms")
	b.ReportMetric(float64(r.LagP99.Microseconds())/1000, "lag_p99_ms")
}

// BenchmarkMemory schedules REMINDER_BENCH_N reminders in reverse due order on
// the in-process queue, then claims and acks them all in batches of 500.
func BenchmarkMemory(b *testing.B) {
	ctx := context.Background()
	n := benchN(b)
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{ID: benchIDPrefix + strconv.Itoa(i), At: t0.Add(time.Duration(n-i) * time.Millisecond)}
	}
	var scheduled, claimed time.Duration
	for b.Loop() {
		q := NewMemory()
		start := clock.Wall()
		if err := q.ScheduleMany(ctx, items); err != nil {
			b.Fatal(err)
		}
		scheduled += clock.Elapsed(start)
		start = clock.Wall()
		for got := 0; got < n; {
			batch, err := q.Claim(ctx, t0.Add(time.Hour), time.Hour, benchClaimBatch)
			if err != nil || len(batch) == 0 {
				b.Fatalf("claimed %d of %d: %v", got, n, err)
			}
			for _, it := range batch {
				if err := q.Ack(ctx, it.ID, it.Token); err != nil {
					b.Fatal(err)
				}
			}
			got += len(batch)
		}
		claimed += clock.Elapsed(start)
	}
	b.ReportMetric(float64(n*b.N)/scheduled.Seconds(), "schedule_per_s")
	b.ReportMetric(float64(n*b.N)/claimed.Seconds(), "claim_per_s")
}

// benchN reads REMINDER_BENCH_N, defaulting to a million.
func benchN(b *testing.B) int {
	s := os.Getenv("REMINDER_BENCH_N")
	if s == "" {
		return 1_000_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("REMINDER_BENCH_N=%q: want a positive integer", s)
	}
	return n
}

// BenchmarkRemindersRecordedSend is BenchmarkReminders with a "send" that formats
// a line for each reminder and appends it to a slice in memory. It measures the
// Redis queue's claim and ack plus that append: not a reminder recorded in SQLite,
// nor a post to Slack. The whole path is the reminder row of referralbot-bench
// (docs/BENCHMARKS.md).
//
//	go test -run '^$' -bench RemindersRecordedSend -benchtime 1x ./store/reminders/
func BenchmarkRemindersRecordedSend(b *testing.B) {
	n := benchN(b)
	client := redisClient(b, -1)
	var r BenchResult
	for b.Loop() {
		var mu sync.Mutex
		sent := make([]string, 0, n)
		send := func(it Item) error {
			text := fmt.Sprintf(":alarm_clock: reminder %s (due %s)", it.ID, it.At.Format(time.RFC3339))
			mu.Lock()
			sent = append(sent, text)
			mu.Unlock()
			return nil
		}
		var err error
		if r, err = RunBench(context.Background(), client, n, send); err != nil {
			b.Fatal(err)
		}
		if len(sent) < n {
			b.Fatalf("sent %d of %d", len(sent), n)
		}
	}
	b.Log(r)
	b.ReportMetric(r.ClaimPerSec, "claim_send_per_s")
	b.ReportMetric(r.ClaimRatio, "claim_send_zadd_ratio")
	b.ReportMetric(float64(r.LagP99.Microseconds())/1000, "lag_p99_ms")
}
