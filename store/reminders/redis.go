package reminders

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the key prefix NewRedis uses when given an empty one.
const DefaultPrefix = "referralbot:reminders:"

// scheduleBatch is how many reminders one schedule script call carries, and
// pipelineDepth how many such calls share one round trip.
const (
	scheduleBatch = 1000
	pipelineDepth = 16
)

// Redis is a bot.ReminderQueue kept in Redis, safe to share between processes. Run
// Redis with maxmemory-policy noeviction: an evicted key would silently lose
// reminders while the seeded marker survives.
type Redis struct {
	client  *redis.Client
	keys    []string // pending, leased, leases — the order every script expects
	seeded  string
	pending string
	leased  string
}

// NewRedis returns a queue whose keys all start with prefix (DefaultPrefix if empty).
func NewRedis(client *redis.Client, prefix string) *Redis {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	q := &Redis{client: client, seeded: prefix + "seeded"}
	q.keys = []string{prefix + "pending", prefix + "leased", prefix + "leases"}
	q.pending, q.leased = q.keys[0], q.keys[1]
	return q
}

// Schedule adds or moves id to fire at at, dropping any lease it holds.
func (q *Redis) Schedule(ctx context.Context, id string, at time.Time) error {
	if id == "" {
		return ErrInvalid
	}
	if err := scheduleScript.Run(ctx, q.client, q.keys, millis(at), id).Err(); err != nil {
		return fmt.Errorf("schedule reminder %s: %w", id, err)
	}
	return nil
}

// ScheduleMany upserts items, scheduleBatch per script call and pipelineDepth
// calls per round trip. It is not atomic as a whole: on error, a prefix of the
// batches may have been applied, and calling it again is safe.
func (q *Redis) ScheduleMany(ctx context.Context, items []Item) error {
	if err := checkIDs(items); err != nil {
		return err
	}
	var calls [][]any
	for start := 0; start < len(items); start += scheduleBatch {
		batch := items[start:min(start+scheduleBatch, len(items))]
		args := make([]any, 0, 2*len(batch))
		for _, it := range batch {
			args = append(args, millis(it.At), it.ID)
		}
		calls = append(calls, args)
		if len(calls) == pipelineDepth {
			if err := q.pipeline(ctx, scheduleScript, calls); err != nil {
				return fmt.Errorf("schedule %d reminders: %w", len(items), err)
			}
			calls = calls[:0]
		}
	}
	if err := q.pipeline(ctx, scheduleScript, calls); err != nil {
		return fmt.Errorf("schedule %d reminders: %w", len(items), err)
	}
	return nil
}

// Cancel removes the ids whether pending or leased, with one script call.
func (q *Redis) Cancel(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	if err := cancelScript.Run(ctx, q.client, q.keys, args...).Err(); err != nil {
		return fmt.Errorf("cancel %d reminders (%s...): %w", len(ids), ids[0], err)
	}
	return nil
}

// Claim hands back expired leases, then leases up to limit reminders due by now.
func (q *Redis) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Item, error) {
	until, err := leaseUntil(now, lease)
	if err != nil || limit <= 0 {
		return nil, err
	}
	// A random part per call keeps tokens unique across calls, processes and a
	// flushed Redis; the script numbers the reminders under it.
	nonce := rand.Text() + "."
	res, err := claimScript.Run(ctx, q.client, q.keys, millis(now), until, limit, nonce, maxHandBack).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	items := make([]Item, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		due, err := tokenDue(res[i+1])
		if err != nil {
			return nil, fmt.Errorf("claim reminder %s: %w", res[i], err)
		}
		items = append(items, Item{ID: res[i], At: time.UnixMilli(due), Token: res[i+1]})
	}
	return items, nil
}

// Ack deletes id if token is still its lease.
func (q *Redis) Ack(ctx context.Context, id, token string) error {
	if err := ackScript.Run(ctx, q.client, q.keys, id, token).Err(); err != nil {
		return fmt.Errorf("ack reminder %s: %w", id, err)
	}
	return nil
}

// AckMany deletes each claimed reminder whose token is still its lease, with one
// script call.
func (q *Redis) AckMany(ctx context.Context, claimed []Item) error {
	if len(claimed) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(claimed))
	for _, it := range claimed {
		args = append(args, it.ID, it.Token)
	}
	if err := ackScript.Run(ctx, q.client, q.keys, args...).Err(); err != nil {
		return fmt.Errorf("ack %d reminders: %w", len(claimed), err)
	}
	return nil
}

// Release returns id to pending at its original due time if token is still its lease.
func (q *Redis) Release(ctx context.Context, id, token string) error {
	if err := releaseScript.Run(ctx, q.client, q.keys, id, token).Err(); err != nil {
		return fmt.Errorf("release reminder %s: %w", id, err)
	}
	return nil
}

// Len counts pending and leased reminders from one consistent snapshot.
func (q *Redis) Len(ctx context.Context) (pending, leased int, err error) {
	var p, l *redis.IntCmd
	_, err = q.client.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		p = pipe.ZCard(ctx, q.pending)
		l = pipe.ZCard(ctx, q.leased)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("count reminders: %w", err)
	}
	return int(p.Val()), int(l.Val()), nil
}

// Seeded reports whether the seeded marker exists; FLUSHDB or an empty restart
// removes it along with the schedule.
func (q *Redis) Seeded(ctx context.Context) (bool, error) {
	n, err := q.client.Exists(ctx, q.seeded).Result()
	if err != nil {
		return false, fmt.Errorf("check reminders seeded: %w", err)
	}
	return n == 1, nil
}

// MarkSeeded sets the seeded marker, without expiry.
func (q *Redis) MarkSeeded(ctx context.Context) error {
	if err := q.client.Set(ctx, q.seeded, "1", 0).Err(); err != nil {
		return fmt.Errorf("mark reminders seeded: %w", err)
	}
	return nil
}

// pipeline runs script once per argument list in a single round trip. The
// scripts it is used with are idempotent, so after a script-cache flush
// (NOSCRIPT) the whole round is loaded and sent again.
func (q *Redis) pipeline(ctx context.Context, script *redis.Script, calls [][]any) error {
	if len(calls) == 0 {
		return nil
	}
	run := func() error {
		_, err := q.client.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for _, args := range calls {
				script.EvalSha(ctx, pipe, q.keys, args...)
			}
			return nil
		})
		return err
	}
	err := run()
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		if err := script.Load(ctx, q.client).Err(); err != nil {
			return err
		}
		err = run()
	}
	return err
}

// tokenDue reads the due time a claim wrote into a lease token. Redis formats
// the score as a double; integers up to 2^53 come back exact.
func tokenDue(token string) (int64, error) {
	s, _, ok := strings.Cut(token, ":")
	if !ok {
		return 0, fmt.Errorf("malformed lease token %q", token)
	}
	due, err := strconv.ParseFloat(s, 64)
	return int64(due), err
}
