package reminders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// t0 is the suite's fixed clock; every test passes times derived from it.
var t0 = time.UnixMilli(1_700_000_000_000)

const lease = 30 * time.Second

func TestMemory(t *testing.T) {
	testQueue(t, func(t *testing.T) bot.ReminderQueue { return NewMemory() })
}

// testQueue is the contract every bot.ReminderQueue implementation must meet.
func testQueue(t *testing.T, newQ func(t *testing.T) bot.ReminderQueue) {
	ctx := context.Background()

	t.Run("ClaimInDueOrder", func(t *testing.T) {
		q := newQ(t)
		mustSchedule(t, q, "c", t0.Add(3*time.Second))
		mustSchedule(t, q, "a", t0.Add(1*time.Second))
		mustSchedule(t, q, "b", t0.Add(2*time.Second))
		mustSchedule(t, q, "a2", t0.Add(1*time.Second)) // tie: ordered by id
		got := mustClaim(t, q, t0.Add(time.Minute), 10)
		if ids := idsOf(got); !slices.Equal(ids, []string{"a", "a2", "b", "c"}) {
			t.Fatalf("got %v; want [a a2 b c]", ids)
		}
		if want := t0.Add(2 * time.Second); !got[2].At.Equal(want) {
			t.Errorf("b.At = %v; want %v", got[2].At, want)
		}
		for _, it := range got {
			if it.Token == "" {
				t.Errorf("%s has no token", it.ID)
			}
		}
	})

	t.Run("NothingBeforeDue", func(t *testing.T) {
		q := newQ(t)
		mustSchedule(t, q, "x", t0.Add(time.Minute))
		if got := mustClaim(t, q, t0.Add(time.Minute-time.Millisecond), 10); len(got) != 0 {
			t.Fatalf("claimed %v a millisecond early", idsOf(got))
		}
		if got := mustClaim(t, q, t0.Add(time.Minute), 10); len(got) != 1 {
			t.Fatalf("claimed %d at due time; want 1", len(got))
		}
	})

	t.Run("LimitAndArguments", func(t *testing.T) {
		q := newQ(t)
		for i := range 5 {
			mustSchedule(t, q, fmt.Sprint("r", i), t0)
		}
		if got := mustClaim(t, q, t0, 0); len(got) != 0 {
			t.Errorf("limit 0 claimed %d", len(got))
		}
		if got := mustClaim(t, q, t0, 2); len(got) != 2 {
			t.Errorf("limit 2 claimed %d", len(got))
		}
		if _, err := q.Claim(ctx, t0, 0, 10); !errors.Is(err, ErrInvalid) {
			t.Errorf("zero lease: got %v; want ErrInvalid", err)
		}
		if err := q.Schedule(ctx, "", t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty id: got %v; want ErrInvalid", err)
		}
	})

	t.Run("UpsertMovesTime", func(t *testing.T) {
		q := newQ(t)
		mustSchedule(t, q, "x", t0.Add(time.Hour))
		mustSchedule(t, q, "x", t0.Add(time.Second))
		mustSchedule(t, q, "y", t0.Add(time.Second))
		mustSchedule(t, q, "y", t0.Add(time.Hour))
		mustLen(t, q, 2, 0)
		got := mustClaim(t, q, t0.Add(time.Second), 10)
		if len(got) != 1 || got[0].ID != "x" || !got[0].At.Equal(t0.Add(time.Second)) {
			t.Fatalf("got %v; want x at t0+1s", got)
		}
	})

	t.Run("ScheduleMany", func(t *testing.T) {
		q := newQ(t)
		var items []Item
		for i := range 2500 {
			items = append(items, Item{ID: fmt.Sprintf("r%04d", i), At: t0.Add(time.Duration(2500-i) * time.Millisecond)})
		}
		items = append(items, Item{ID: "r0000", At: t0}) // the last entry for an id wins
		if err := q.ScheduleMany(ctx, items); err != nil {
			t.Fatal(err)
		}
		mustLen(t, q, 2500, 0)
		got := mustClaim(t, q, t0.Add(time.Hour), 3000)
		if len(got) != 2500 || got[0].ID != "r0000" || got[1].ID != "r2499" || got[2499].ID != "r0001" {
			t.Fatalf("got %d starting %v; want 2500 starting r0000 r2499, ending r0001", len(got), idsOf(got[:2]))
		}
		if err := q.ScheduleMany(ctx, []Item{{ID: "ok", At: t0}, {At: t0}}); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty id: got %v; want ErrInvalid", err)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		q := newQ(t)
		mustSchedule(t, q, "pending", t0.Add(time.Hour))
		mustSchedule(t, q, "leased", t0)
		claimed := mustClaim(t, q, t0, 10)
		for _, id := range []string{"pending", "leased", "unknown"} {
			if err := q.Cancel(ctx, id); err != nil {
				t.Fatalf("cancel %s: %v", id, err)
			}
		}
		mustLen(t, q, 0, 0)
		mustAck(t, q, claimed[0])
		if got := mustClaim(t, q, t0.Add(24*time.Hour), 10); len(got) != 0 {
			t.Fatalf("claimed %v after cancel", idsOf(got))
		}
	})

	t.Run("CancelMany", func(t *testing.T) {
		q := newQ(t)
		var items []Item
		for i := range 2500 { // more than one bulk step of the script
			items = append(items, Item{ID: fmt.Sprintf("c%04d", i), At: t0.Add(time.Duration(i) * time.Second)})
		}
		if err := q.ScheduleMany(ctx, items); err != nil {
			t.Fatal(err)
		}
		claimed := mustClaim(t, q, t0, 1) // c0000, leased
		ids := append(idsOf(items[:2400]), "unknown")
		if err := q.Cancel(ctx, ids...); err != nil {
			t.Fatalf("cancel %d: %v", len(ids), err)
		}
		mustLen(t, q, 100, 0)
		if err := q.Cancel(ctx); err != nil {
			t.Fatalf("cancel nothing: %v", err)
		}
		mustAck(t, q, claimed[0]) // a no-op: it was cancelled
		if got := mustClaim(t, q, t0.Add(24*time.Hour), 3000); len(got) != 100 || got[0].ID != "c2400" {
			t.Fatalf("claimed %d starting %v; want the 100 not cancelled, from c2400", len(got), idsOf(got[:min(1, len(got))]))
		}
	})

	t.Run("AckMany", func(t *testing.T) {
		q := newQ(t)
		for _, id := range []string{"a", "b", "c"} {
			mustSchedule(t, q, id, t0)
		}
		claimed := mustClaim(t, q, t0, 10)
		stale := claimed[2]
		stale.Token = "not-its-lease"
		if err := q.AckMany(ctx, []Item{claimed[0], claimed[1], stale}); err != nil {
			t.Fatalf("AckMany: %v", err)
		}
		// a and b are gone; c's lease did not match, so it stays leased.
		mustLen(t, q, 0, 1)
		if err := q.AckMany(ctx, nil); err != nil {
			t.Fatalf("AckMany(nil): %v", err)
		}
	})

	t.Run("ClaimExclusive", func(t *testing.T) {
		q := newQ(t)
		var items []Item
		for i := range 1000 {
			items = append(items, Item{ID: fmt.Sprint("ask:", i, ":nudge:1"), At: t0.Add(time.Duration(i%50) * time.Millisecond)})
		}
		if err := q.ScheduleMany(ctx, items); err != nil {
			t.Fatal(err)
		}
		var (
			mu   sync.Mutex
			seen = map[string]int{}
			wg   sync.WaitGroup
		)
		for range 8 {
			wg.Go(func() {
				for {
					got, err := q.Claim(ctx, t0.Add(time.Second), lease, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					if !slices.IsSortedFunc(got, func(a, b Item) int { return a.At.Compare(b.At) }) {
						t.Errorf("batch not in due order: %v", got)
					}
					mu.Lock()
					for _, it := range got {
						seen[it.ID]++
					}
					mu.Unlock()
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
		mustLen(t, q, 0, 1000)
	})

	t.Run("LeaseExpiry", func(t *testing.T) {
		q := newQ(t)
		mustSchedule(t, q, "x", t0)
		first := mustClaim(t, q, t0, 1)[0]
		if got := mustClaim(t, q, t0.Add(lease-time.Millisecond), 1); len(got) != 0 {
			t.Fatalf("reclaimed %v before the lease ended", got)
		}
		again := mustClaim(t, q, t0.Add(lease), 1)
		if len(again) != 1 || again[0].ID != "x" || !again[0].At.Equal(t0) {
			t.Fatalf("got %v; want x, due t0, after lease expiry", again)
		}
		if again[0].Token == first.Token {
			t.Fatalf("token %q reused after expiry", first.Token)
		}
		mustAck(t, q, first) // the crashed claimer's late Ack
		mustLen(t, q, 0, 1)
		mustAck(t, q, again[0])
		mustLen(t, q, 0, 0)
	})

	t.Run("AckRemoves", func(t *testing.T) {
		q := newQ(t)
		mustSchedule(t, q, "x", t0)
		mustAck(t, q, mustClaim(t, q, t0, 1)[0])
		mustLen(t, q, 0, 0)
		if got := mustClaim(t, q, t0.Add(24*time.Hour), 1); len(got) != 0 {
			t.Fatalf("claimed %v after ack", got)
		}
	})

	t.Run("RescheduleDuringLease", func(t *testing.T) {
		q := newQ(t)
		mustSchedule(t, q, "x", t0)
		old := mustClaim(t, q, t0, 1)[0]
		mustSchedule(t, q, "x", t0.Add(time.Hour))
		mustLen(t, q, 1, 0)
		mustAck(t, q, old)
		mustLen(t, q, 1, 0)
		got := mustClaim(t, q, t0.Add(time.Hour), 1)
		if len(got) != 1 || !got[0].At.Equal(t0.Add(time.Hour)) {
			t.Fatalf("got %v; want x due t0+1h", got)
		}
	})

	t.Run("Release", func(t *testing.T) {
		q := newQ(t)
		mustSchedule(t, q, "x", t0)
		old := mustClaim(t, q, t0.Add(time.Minute), 1)[0]
		if err := q.Release(ctx, "x", "not-the-token"); err != nil {
			t.Fatal(err)
		}
		mustLen(t, q, 0, 1)
		if err := q.Release(ctx, "x", old.Token); err != nil {
			t.Fatal(err)
		}
		mustLen(t, q, 1, 0)
		got := mustClaim(t, q, t0, 1)
		if len(got) != 1 || !got[0].At.Equal(t0) || got[0].Token == old.Token {
			t.Fatalf("got %v; want x due t0 with a new token", got)
		}
	})

	t.Run("Len", func(t *testing.T) {
		q := newQ(t)
		mustLen(t, q, 0, 0)
		for i := range 5 {
			mustSchedule(t, q, fmt.Sprint("r", i), t0.Add(time.Duration(i)*time.Hour))
		}
		mustClaim(t, q, t0.Add(time.Hour), 10)
		mustLen(t, q, 3, 2)
	})

	t.Run("Seeded", func(t *testing.T) {
		q := newQ(t)
		if ok, err := q.Seeded(ctx); err != nil || ok {
			t.Fatalf("Seeded() = %v, %v; want false, nil", ok, err)
		}
		if err := q.MarkSeeded(ctx); err != nil {
			t.Fatal(err)
		}
		if ok, err := q.Seeded(ctx); err != nil || !ok {
			t.Fatalf("Seeded() = %v, %v; want true, nil", ok, err)
		}
	})
}

func mustSchedule(t *testing.T, q bot.ReminderQueue, id string, at time.Time) {
	t.Helper()
	if err := q.Schedule(context.Background(), id, at); err != nil {
		t.Fatalf("schedule %s: %v", id, err)
	}
}

func mustClaim(t *testing.T, q bot.ReminderQueue, now time.Time, limit int) []Item {
	t.Helper()
	got, err := q.Claim(context.Background(), now, lease, limit)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return got
}

func mustAck(t *testing.T, q bot.ReminderQueue, it Item) {
	t.Helper()
	if err := q.Ack(context.Background(), it.ID, it.Token); err != nil {
		t.Fatalf("ack %s: %v", it.ID, err)
	}
}

func mustLen(t *testing.T, q bot.ReminderQueue, pending, leased int) {
	t.Helper()
	p, l, err := q.Len(context.Background())
	if err != nil || p != pending || l != leased {
		t.Fatalf("Len() = %d, %d, %v; want %d, %d, nil", p, l, err, pending, leased)
	}
}

func idsOf(items []Item) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}
