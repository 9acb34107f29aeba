package reminders

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/referralbot/referralbot/internal/clock"
)

// Settings of RunBench's workload.
const (
	benchClaimBatch = 500              // reminders per Claim
	benchClaimers   = 4                // concurrent claimers
	benchWindow     = 5 * time.Second  // lag phase: reminders fall due uniformly over this
	benchPoll       = time.Millisecond // lag phase: pause after a Claim that found nothing
	benchLease      = time.Minute      // long enough that no lease expires mid-run
	benchStall      = 30 * time.Second // give up when nothing is claimed for this long
	benchIDPrefix   = "bench:"         // ids are benchIDPrefix + index
)

// BenchResult holds what RunBench measured. Rates are reminders per second.
type BenchResult struct {
	N              int
	ZAddPerSec     float64 // raw pipelined ZADD, scheduleBatch members per command
	SchedulePerSec float64 // ScheduleMany
	ClaimPerSec    float64 // Claim, send and Ack, with everything already due
	ScheduleRatio  float64 // SchedulePerSec / ZAddPerSec
	ClaimRatio     float64 // ClaimPerSec / ZAddPerSec
	LagP50         time.Duration
	LagP99         time.Duration
	LagMax         time.Duration
	Window         time.Duration // the lag phase's due-time spread
}

// String formats r on one line for logs and the bench command.
func (r BenchResult) String() string {
	return fmt.Sprintf("n=%d zadd=%.0f/s schedule=%.0f/s (%.2fx) claim=%.0f/s (%.2fx) lag p50=%v p99=%v max=%v over %v",
		r.N, r.ZAddPerSec, r.SchedulePerSec, r.ScheduleRatio, r.ClaimPerSec, r.ClaimRatio,
		r.LagP50, r.LagP99, r.LagMax, r.Window)
}

// RunBench measures the Redis queue with n reminders under a fresh key prefix,
// which it deletes afterwards. It times raw ZADD, ScheduleMany and a claim-send-ack
// drain of n overdue reminders, then schedules n reminders falling due over
// benchWindow and records, per reminder, the lag from due time to the send call.
// send may be nil; a send error stops the run. Each drain also checks that every
// reminder was claimed exactly once.
func RunBench(ctx context.Context, client *redis.Client, n int, send func(Item) error) (BenchResult, error) {
	if n <= 0 {
		return BenchResult{}, fmt.Errorf("bench: n must be positive, got %d", n)
	}
	if send == nil {
		send = func(Item) error { return nil }
	}
	prefix := "referralbot:bench:" + rand.Text() + ":"
	q := NewRedis(client, prefix)
	raw := prefix + "raw"
	defer client.Unlink(context.WithoutCancel(ctx), append(q.keys, q.seeded, raw)...)
	r := BenchResult{N: n, Window: benchWindow}

	ids := make([]string, n)
	for i := range ids {
		ids[i] = benchIDPrefix + strconv.Itoa(i)
	}
	elapsed, err := timed(func() error { return rawZAdd(ctx, client, raw, ids) })
	if err != nil {
		return r, fmt.Errorf("bench: raw zadd: %w", err)
	}
	r.ZAddPerSec = rate(n, elapsed)
	client.Unlink(ctx, raw)

	// Throughput: everything overdue, spread over the past hour.
	items := make([]Item, n)
	past := clock.Wall().Add(-time.Hour)
	for i := range items {
		items[i] = Item{ID: ids[i], At: past.Add(time.Duration(i) * time.Hour / time.Duration(n))}
	}
	scheduled, err := timed(func() error { return q.ScheduleMany(ctx, items) })
	if err != nil {
		return r, fmt.Errorf("bench: %w", err)
	}
	r.SchedulePerSec = rate(n, scheduled)
	elapsed, err = timed(func() error { _, err := drain(ctx, q, n, send); return err })
	if err != nil {
		return r, fmt.Errorf("bench: claim overdue: %w", err)
	}
	r.ClaimPerSec = rate(n, elapsed)
	r.ScheduleRatio, r.ClaimRatio = r.SchedulePerSec/r.ZAddPerSec, r.ClaimPerSec/r.ZAddPerSec

	// Lag: the first reminder falls due once scheduling has surely finished.
	start := clock.Wall().Add(2*scheduled + 500*time.Millisecond)
	for i := range items {
		items[i].At = start.Add(time.Duration(i) * benchWindow / time.Duration(n))
	}
	if err := q.ScheduleMany(ctx, items); err != nil {
		return r, fmt.Errorf("bench: %w", err)
	}
	lags, err := drain(ctx, q, n, send)
	if err != nil {
		return r, fmt.Errorf("bench: claim as due: %w", err)
	}
	slices.Sort(lags)
	r.LagP50, r.LagP99, r.LagMax = lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1]
	return r, nil
}

// rawZAdd is the baseline: the same members and batching as ScheduleMany, as
// plain ZADD commands.
func rawZAdd(ctx context.Context, client *redis.Client, key string, ids []string) error {
	pipe := client.Pipeline()
	for start := 0; start < len(ids); start += scheduleBatch {
		batch := ids[start:min(start+scheduleBatch, len(ids))]
		zs := make([]redis.Z, len(batch))
		for i, id := range batch {
			zs[i] = redis.Z{Score: float64(start + i), Member: id}
		}
		pipe.ZAdd(ctx, key, zs...)
		if pipe.Len() == pipelineDepth {
			if _, err := pipe.Exec(ctx); err != nil {
				return err
			}
		}
	}
	_, err := pipe.Exec(ctx)
	return err
}

// drain runs benchClaimers claimers with the wall clock until n reminders were
// sent and acked, and returns each one's lag from due time to its send call.
func drain(ctx context.Context, q *Redis, n int, send func(Item) error) ([]time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		claimed  atomic.Int64
		progress atomic.Int64 // unix nanos of the last non-empty claim
		seen     = make([]atomic.Bool, n)
		mu       sync.Mutex
		lags     = make([]time.Duration, 0, n)
		wg       sync.WaitGroup
	)
	progress.Store(clock.Wall().UnixNano())
	for range benchClaimers {
		wg.Go(func() {
			mine := make([]time.Duration, 0, n/benchClaimers)
			defer func() { mu.Lock(); lags = append(lags, mine...); mu.Unlock() }()
			for claimed.Load() < int64(n) && ctx.Err() == nil {
				items, err := q.Claim(ctx, clock.Wall(), benchLease, benchClaimBatch)
				if err != nil {
					cancel(err)
					return
				}
				if len(items) == 0 {
					if clock.Elapsed(time.Unix(0, progress.Load())) > benchStall {
						cancel(fmt.Errorf("stalled at %d of %d reminders", claimed.Load(), n))
					}
					time.Sleep(benchPoll)
					continue
				}
				progress.Store(clock.Wall().UnixNano())
				for _, it := range items {
					i, err := strconv.Atoi(it.ID[len(benchIDPrefix):])
					if err != nil || i < 0 || i >= n || seen[i].Swap(true) {
						cancel(fmt.Errorf("reminder %s claimed twice or unknown", it.ID))
						return
					}
					mine = append(mine, clock.Elapsed(it.At))
					if err := send(it); err != nil {
						cancel(fmt.Errorf("send %s: %w", it.ID, err))
						return
					}
				}
				if err := q.AckMany(ctx, items); err != nil {
					cancel(err)
					return
				}
				claimed.Add(int64(len(items)))
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return lags, nil
}

// timed runs f and returns how long it took.
func timed(f func() error) (time.Duration, error) {
	start := clock.Wall()
	err := f()
	return clock.Elapsed(start), err
}

// rate returns n per second over d.
func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }
