package reminders

import (
	"container/heap"
	"context"
	"strconv"
	"sync"
	"time"
)

// Memory is a bot.ReminderQueue held in process memory, for a single bot instance
// without Redis. It forgets everything on restart, so Seeded starts false and the
// caller rebuilds from SQLite. Operations are O(log n).
type Memory struct {
	mu      sync.Mutex
	byID    map[string]*entry
	pending entryHeap // by due time, then id
	leased  entryHeap // by lease expiry, then id
	seq     uint64    // numbers lease tokens
	seeded  bool
}

// entry is one reminder; it sits in exactly one of the two heaps.
type entry struct {
	id    string
	due   int64  // unix millis
	until int64  // lease expiry, unix millis; meaningful while leased
	token string // non-empty exactly while leased
	index int    // position in its heap
}

// NewMemory returns an empty in-process queue.
func NewMemory() *Memory {
	return &Memory{byID: make(map[string]*entry), leased: entryHeap{byLease: true}}
}

// Schedule adds or moves id to fire at at, dropping any lease it holds.
func (m *Memory) Schedule(ctx context.Context, id string, at time.Time) error {
	return m.ScheduleMany(ctx, []Item{{ID: id, At: at}})
}

// ScheduleMany upserts items in order, so the last entry for an id wins.
func (m *Memory) ScheduleMany(ctx context.Context, items []Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkIDs(items); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range items {
		due := millis(it.At)
		e, ok := m.byID[it.ID]
		switch {
		case !ok:
			e = &entry{id: it.ID, due: due}
			m.byID[it.ID] = e
			heap.Push(&m.pending, e)
		case e.token != "":
			heap.Remove(&m.leased, e.index)
			e.token, e.due = "", due
			heap.Push(&m.pending, e)
		default:
			e.due = due
			heap.Fix(&m.pending, e.index)
		}
	}
	return nil
}

// Cancel removes the ids whether pending or leased.
func (m *Memory) Cancel(ctx context.Context, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		m.cancel(id)
	}
	return nil
}

// cancel removes id; m.mu is held.
func (m *Memory) cancel(id string) {
	if e, ok := m.byID[id]; ok {
		m.heapOf(e).remove(e)
		delete(m.byID, id)
	}
}

// Claim hands back expired leases, then leases up to limit reminders due by now.
func (m *Memory) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	until, err := leaseUntil(now, lease)
	if err != nil || limit <= 0 {
		return nil, err
	}
	at := millis(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	for n := 0; n < maxHandBack && m.leased.Len() > 0 && m.leased.es[0].until <= at; n++ {
		e := heap.Pop(&m.leased).(*entry)
		e.token = ""
		heap.Push(&m.pending, e)
	}
	var items []Item
	for len(items) < limit && m.pending.Len() > 0 && m.pending.es[0].due <= at {
		e := heap.Pop(&m.pending).(*entry)
		m.seq++
		e.token, e.until = strconv.FormatUint(m.seq, 10), until
		heap.Push(&m.leased, e)
		items = append(items, Item{ID: e.id, At: time.UnixMilli(e.due), Token: e.token})
	}
	return items, nil
}

// Ack deletes id if token is still its lease.
func (m *Memory) Ack(ctx context.Context, id, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.holding(id, token); e != nil {
		m.leased.remove(e)
		delete(m.byID, id)
	}
	return nil
}

// AckMany is Ack for each claimed reminder, under one lock.
func (m *Memory) AckMany(ctx context.Context, claimed []Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range claimed {
		if e := m.holding(it.ID, it.Token); e != nil {
			m.leased.remove(e)
			delete(m.byID, it.ID)
		}
	}
	return nil
}

// Release returns id to pending at its original due time if token is still its lease.
func (m *Memory) Release(ctx context.Context, id, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.holding(id, token); e != nil {
		m.leased.remove(e)
		e.token = ""
		heap.Push(&m.pending, e)
	}
	return nil
}

// Len counts pending and leased reminders.
func (m *Memory) Len(ctx context.Context) (pending, leased int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pending.Len(), m.leased.Len(), nil
}

// Seeded reports whether MarkSeeded was called on this instance.
func (m *Memory) Seeded(ctx context.Context) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seeded, ctx.Err()
}

// MarkSeeded records that the schedule was rebuilt.
func (m *Memory) MarkSeeded(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seeded = true
	return ctx.Err()
}

// holding returns id's entry if token is its current lease, else nil. An empty
// token never matches, since pending entries carry one.
func (m *Memory) holding(id, token string) *entry {
	e, ok := m.byID[id]
	if !ok || token == "" || e.token != token {
		return nil
	}
	return e
}

// heapOf returns the heap e currently sits in.
func (m *Memory) heapOf(e *entry) *entryHeap {
	if e.token != "" {
		return &m.leased
	}
	return &m.pending
}

// entryHeap orders entries by due time or, with byLease, by lease expiry; ties
// go by id, as members with equal scores do in a Redis sorted set.
type entryHeap struct {
	es      []*entry
	byLease bool
}

func (h *entryHeap) Len() int { return len(h.es) }

func (h *entryHeap) Less(i, j int) bool {
	a, b := h.es[i], h.es[j]
	ka, kb := a.due, b.due
	if h.byLease {
		ka, kb = a.until, b.until
	}
	if ka != kb {
		return ka < kb
	}
	return a.id < b.id
}

func (h *entryHeap) Swap(i, j int) {
	h.es[i], h.es[j] = h.es[j], h.es[i]
	h.es[i].index, h.es[j].index = i, j
}

func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(h.es)
	h.es = append(h.es, e)
}

func (h *entryHeap) Pop() any {
	n := len(h.es) - 1
	e := h.es[n]
	h.es[n] = nil
	h.es = h.es[:n]
	return e
}

func (h *entryHeap) remove(e *entry) { heap.Remove(h, e.index) }
