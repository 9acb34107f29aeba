package reminders

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/referralbot/referralbot/bot"
)

// flushDB is the database the FLUSHDB test empties, away from db 0 where other
// packages' tests and a developer's bot may keep data.
const flushDB = 15

func TestRedis(t *testing.T) {
	client := redisClient(t, -1)
	testQueue(t, func(t *testing.T) bot.ReminderQueue { return NewRedis(client, testPrefix(t, client)) })
}

// TestRedisTwoProcesses claims from two clients sharing one Redis, as two bot
// processes do.
func TestRedisTwoProcesses(t *testing.T) {
	ctx := context.Background()
	a := redisClient(t, -1)
	prefix := testPrefix(t, a)
	qs := []bot.ReminderQueue{NewRedis(a, prefix), NewRedis(redisClient(t, -1), prefix)}
	var items []Item
	for i := range 1000 {
		items = append(items, Item{ID: fmt.Sprint("ask:", i, ":nudge:2"), At: t0})
	}
	if err := qs[0].ScheduleMany(ctx, items); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for g := range 8 {
		q := qs[g%2]
		wg.Go(func() {
			for {
				got, err := q.Claim(ctx, t0, lease, 13)
				if err != nil || len(got) == 0 {
					if err != nil {
						t.Error(err)
					}
					return
				}
				mu.Lock()
				for _, it := range got {
					seen[it.ID]++
				}
				mu.Unlock()
				for _, it := range got {
					if err := q.Ack(ctx, it.ID, it.Token); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != 1000 {
		t.Errorf("claimed %d distinct reminders; want 1000", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times; want 1", id, n)
		}
	}
	mustLen(t, qs[1], 0, 0)
}

// TestRedisFlushForgetsSeed checks that an emptied Redis asks for a rebuild.
func TestRedisFlushForgetsSeed(t *testing.T) {
	ctx := context.Background()
	client := redisClient(t, flushDB)
	if n, err := client.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Fatalf("redis db %d holds %d keys (err %v); this test FLUSHDBs it and refuses to destroy data it did not create", flushDB, n, err)
	}
	q := NewRedis(client, testPrefix(t, client))
	if err := q.MarkSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	mustSchedule(t, q, "x", t0)
	if err := client.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, err := q.Seeded(ctx); err != nil || ok {
		t.Fatalf("Seeded() after FLUSHDB = %v, %v; want false, nil", ok, err)
	}
	mustLen(t, q, 0, 0)
}

// TestRedisScriptFlush checks that pipelined script calls survive SCRIPT FLUSH.
func TestRedisScriptFlush(t *testing.T) {
	ctx := context.Background()
	client := redisClient(t, -1)
	q := NewRedis(client, testPrefix(t, client))
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := q.ScheduleMany(ctx, []Item{{ID: "x", At: t0}, {ID: "y", At: t0}}); err != nil {
		t.Fatal(err)
	}
	mustLen(t, q, 2, 0)
}

// redisClient connects to REDIS_URL (default 127.0.0.1:6379), on database db
// unless db is negative, and fails the test if Redis does not answer.
func redisClient(tb testing.TB, db int) *redis.Client {
	tb.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("parse REDIS_URL %q: %v", url, err)
	}
	if db >= 0 {
		opts.DB = db
	}
	client := redis.NewClient(opts)
	tb.Cleanup(func() { client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		tb.Fatalf("redis at %s did not answer (%v): these tests need a real Redis; start one or set REDIS_URL", opts.Addr, err)
	}
	return client
}

// testPrefix returns a key prefix unique to this test and deletes its keys when
// the test ends.
func testPrefix(tb testing.TB, client *redis.Client) string {
	prefix := "referralbot:test:" + rand.Text() + ":"
	tb.Cleanup(func() { deleteKeys(tb, client, prefix) })
	return prefix
}

// deleteKeys removes every key under prefix.
func deleteKeys(tb testing.TB, client *redis.Client, prefix string) {
	ctx := context.Background()
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		if err := client.Unlink(ctx, iter.Val()).Err(); err != nil {
			tb.Errorf("delete %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		tb.Errorf("scan %s*: %v", prefix, err)
	}
}
