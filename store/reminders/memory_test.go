package reminders

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMemoryBotIDs checks the compact form of the bot's reminder ids: each reads
// back as written, ids that only look like the bot's stay strings, and equal due
// times hand reminders out in the ids' string order, as Redis does.
func TestMemoryBotIDs(t *testing.T) {
	for _, id := range []string{"ask:1:due:2026-12-01:n:0", "ask:9223372036854775807:due:1969-07-20:n:2147483647"} {
		k, ok := parseBotID(id)
		if !ok {
			t.Fatalf("parseBotID(%q) failed", id)
		}
		if got := string(appendBotID(nil, k)); got != id {
			t.Errorf("%q reads back as %q", id, got)
		}
	}
	for _, id := range []string{"ask:01:due:2026-12-01:n:0", "ask:1:due:2026-12-1:n:0", "ask:1:due:2026-02-30:n:0",
		"ask:1:due:2026-12-01:n:-1", "ask:1:due:2026-12-01:n:00", "ask:+1:due:2026-12-01:n:0", "ask:1:due:2026-12-01:n:0:x",
		"ask:9223372036854775808:due:2026-12-01:n:0", "ask::due:2026-12-01:n:0"} {
		if k, ok := parseBotID(id); ok {
			t.Errorf("parseBotID(%q) = %v; want it kept as a string", id, k)
		}
	}

	ctx := context.Background()
	q := NewMemory()
	r := rand.New(rand.NewPCG(1, 2))
	var ids []string
	for range 2000 {
		id := fmt.Sprintf("ask:%d:due:2026-12-%02d:n:%d", r.Uint64N(pow10[1+r.IntN(6)]), 1+r.IntN(28), r.IntN(15))
		if r.IntN(20) == 0 {
			id = strings.Replace(id, "ask:", "ask:0", 1) // another form: kept as a string
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		if err := q.Schedule(ctx, id, t0); err != nil {
			t.Fatal(err)
		}
	}
	got, err := q.Claim(ctx, t0, lease, len(ids)+1)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	if !slices.Equal(idsOf(got), ids) {
		t.Fatalf("claimed %d ids out of string order; first %v, want %v", len(got), idsOf(got)[:5], ids[:5])
	}
	if err := q.AckMany(ctx, got); err != nil {
		t.Fatal(err)
	}
	if p, l, _ := q.Len(ctx); p+l != 0 {
		t.Errorf("after acking all: %d pending, %d leased", p, l)
	}
}

// TestCompareDecimal checks the order of numbers as text followed by ':' or the end.
func TestCompareDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		a, b := r.Uint64N(pow10[1+r.IntN(19)]), r.Uint64N(pow10[1+r.IntN(19)])
		for _, colon := range []bool{true, false} {
			end := ""
			if colon {
				end = ":"
			}
			want := strings.Compare(fmt.Sprint(a)+end, fmt.Sprint(b)+end)
			if got := compareDecimal(a, b, colon); got != want {
				t.Fatalf("compareDecimal(%d, %d, %v) = %d; want %d", a, b, colon, got, want)
			}
		}
	}
}

// BenchmarkMemoryBytes reports what the in-process queue holds per reminder, in the
// bot's id form, after a rebuild of REMINDER_BENCH_N of them (a million by default):
// the live heap after a collection, divided by the reminders queued.
//
//	go test -run '^$' -bench MemoryBytes -benchtime 1x ./store/reminders/
func BenchmarkMemoryBytes(b *testing.B) {
	ctx := context.Background()
	n := benchN(b)
	items := make([]Item, 0, 4096)
	var perEntry float64
	for b.Loop() {
		before := liveHeap()
		q := NewMemory()
		for i := range n {
			items = append(items, Item{ID: fmt.Sprintf("ask:%d:due:2026-12-%02d:n:%d", i+1, 1+i%28, i%3), At: t0.Add(time.Duration(i%28) * 24 * time.Hour)})
			if len(items) == cap(items) || i == n-1 {
				if err := q.ScheduleMany(ctx, items); err != nil {
					b.Fatal(err)
				}
				items = items[:0]
			}
		}
		perEntry = float64(liveHeap()-before) / float64(n)
		runtime.KeepAlive(q)
	}
	b.ReportMetric(perEntry, "bytes/reminder")
}

func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
