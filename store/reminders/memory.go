package reminders

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"
)

// Memory is a bot.ReminderQueue held in process memory, for a single bot instance
// without Redis. It forgets everything on restart, so Seeded starts false and the
// caller rebuilds from SQLite. Operations are O(log n).
//
// It is compact: a start-up with 10,000 open referrals queues about 90,000
// reminders, and each costs a fixed-size slot of integers in one slice, a slot
// number in a heap and an index entry, with no string or pointer per reminder
// (nothing for the garbage collector to walk). The bot's ids
// ("ask:<ask>:due:<YYYY-MM-DD>:n:<seq>") are kept as those three numbers and
// written out again only when claimed; an id of any other form is kept as a string.
type Memory struct {
	mu      sync.Mutex
	slots   []slot
	free    []int32             // unused slots
	index   slotIndex           // slot of each reminder, by key
	leases  map[int32]heldLease // of the leased slots: few at any time
	pending slotHeap            // by due time, then id
	leased  slotHeap            // by lease expiry, then id
	other   []string            // ids not in the bot's form, by key.ask (key.day == otherDay)
	otherAt map[string]uint64
	seq     uint64 // numbers lease tokens
	seeded  bool
}

// key is a reminder id as numbers: the bot's ask id, due date (days since 1970-01-01)
// and sequence; or, for an id of another form, day otherDay and ask its place in
// Memory.other.
type key struct {
	ask uint64
	day int32
	seq int32
}

// otherDay marks a key that stands for an id not in the bot's form.
const otherDay = math.MinInt32

// slot is one reminder; it sits in exactly one of the two heaps: leased when
// Memory.leases holds its lease.
type slot struct {
	k   key
	due int64 // unix millis
	pos int32 // position in its heap
}

// heldLease is a claimed reminder's lease.
type heldLease struct {
	until int64  // expiry, unix millis
	token uint64 // what Ack and Release must present
}

// NewMemory returns an empty in-process queue.
func NewMemory() *Memory {
	m := &Memory{leases: map[int32]heldLease{}, otherAt: map[string]uint64{}}
	m.pending = slotHeap{m: m}
	m.leased = slotHeap{m: m, byLease: true}
	return m
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
		k := m.keyOf(it.ID, true)
		i, ok := m.index.find(m.slots, k)
		_, leased := m.leases[i]
		switch {
		case !ok:
			i = m.alloc(k, due)
			m.index.insert(m.slots, i)
			m.pending.push(i)
		case leased:
			m.leased.remove(m.slots[i].pos)
			delete(m.leases, i)
			m.slots[i].due = due
			m.pending.push(i)
		default:
			m.slots[i].due = due
			m.pending.fix(m.slots[i].pos)
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
		if i, ok := m.index.find(m.slots, m.keyOf(id, false)); ok {
			h := &m.pending
			if _, leased := m.leases[i]; leased {
				h = &m.leased
			}
			h.remove(m.slots[i].pos)
			m.drop(i)
		}
	}
	return nil
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
	for n := 0; n < maxHandBack && m.leased.Len() > 0 && m.leases[m.leased.ix[0]].until <= at; n++ {
		i := m.leased.pop()
		delete(m.leases, i)
		m.pending.push(i)
	}
	var items []Item
	for len(items) < limit && m.pending.Len() > 0 && m.slots[m.pending.ix[0]].due <= at {
		i := m.pending.pop()
		m.seq++
		m.leases[i] = heldLease{until: until, token: m.seq}
		m.leased.push(i)
		s := &m.slots[i]
		items = append(items, Item{ID: m.idOf(s.k), At: time.UnixMilli(s.due), Token: strconv.FormatUint(m.seq, 10)})
	}
	return items, nil
}

// Ack deletes id if token is still its lease.
func (m *Memory) Ack(ctx context.Context, id, token string) error {
	return m.AckMany(ctx, []Item{{ID: id, Token: token}})
}

// AckMany is Ack for each claimed reminder, under one lock.
func (m *Memory) AckMany(ctx context.Context, claimed []Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range claimed {
		if i, ok := m.holding(it.ID, it.Token); ok {
			m.leased.remove(m.slots[i].pos)
			delete(m.leases, i)
			m.drop(i)
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
	if i, ok := m.holding(id, token); ok {
		m.leased.remove(m.slots[i].pos)
		delete(m.leases, i)
		m.pending.push(i)
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

// alloc takes a free slot (or a new one) for k due at due.
func (m *Memory) alloc(k key, due int64) int32 {
	s := slot{k: k, due: due}
	if n := len(m.free); n > 0 {
		i := m.free[n-1]
		m.free = m.free[:n-1]
		m.slots[i] = s
		return i
	}
	m.slots = append(m.slots, s)
	return int32(len(m.slots) - 1)
}

// drop forgets slot i, which is in neither heap nor leased any more.
func (m *Memory) drop(i int32) {
	m.index.remove(m.slots, i)
	m.slots[i] = slot{}
	m.free = append(m.free, i)
}

// holding returns id's slot if token is its current lease. An empty or foreign
// token never matches, since pending slots carry none.
func (m *Memory) holding(id, token string) (int32, bool) {
	t, err := strconv.ParseUint(token, 10, 64)
	if err != nil || t == 0 {
		return 0, false
	}
	i, ok := m.index.find(m.slots, m.keyOf(id, false))
	if !ok || m.leases[i].token != t {
		return 0, false
	}
	return i, true
}

// keyOf is id as a key. An id not in the bot's form gets a place in m.other when
// add is set; otherwise it maps to a key that is never queued.
func (m *Memory) keyOf(id string, add bool) key {
	if k, ok := parseBotID(id); ok {
		return k
	}
	n, ok := m.otherAt[id]
	if !ok {
		if !add {
			return key{ask: math.MaxUint64, day: otherDay}
		}
		n = uint64(len(m.other))
		m.other = append(m.other, id)
		m.otherAt[id] = n
	}
	return key{ask: n, day: otherDay}
}

// idOf writes a key back as its id.
func (m *Memory) idOf(k key) string {
	if k.day == otherDay {
		return m.other[k.ask]
	}
	return string(appendBotID(make([]byte, 0, 40), k))
}
