package reminders

import (
	"cmp"
	"context"
	"math"
	"strconv"
	"strings"
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

// parseBotID reads an id in the bot's form, "ask:<ask>:due:<YYYY-MM-DD>:n:<seq>",
// written as the bot writes it (no leading zeros), so that it writes back the same.
func parseBotID(id string) (key, bool) {
	rest, ok := strings.CutPrefix(id, "ask:")
	if !ok {
		return key{}, false
	}
	askS, rest, ok1 := strings.Cut(rest, ":due:")
	dueS, seqS, ok2 := strings.Cut(rest, ":n:")
	ask, ok3 := canonicalUint(askS, math.MaxInt64)
	seq, ok4 := canonicalUint(seqS, math.MaxInt32)
	if !ok1 || !ok2 || !ok3 || !ok4 || len(dueS) != len(time.DateOnly) {
		return key{}, false
	}
	due, err := time.Parse(time.DateOnly, dueS)
	if err != nil {
		return key{}, false
	}
	return key{ask: ask, day: int32(due.Unix() / 86400), seq: int32(seq)}, true
}

// canonicalUint parses decimal digits with no sign and no leading zero, at most limit.
func canonicalUint(s string, limit uint64) (uint64, bool) {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n <= limit
}

// appendBotID appends the bot's id for k.
func appendBotID(b []byte, k key) []byte {
	b = append(b, "ask:"...)
	b = strconv.AppendUint(b, k.ask, 10)
	b = append(b, ":due:"...)
	b = time.Unix(int64(k.day)*86400, 0).UTC().AppendFormat(b, time.DateOnly)
	b = append(b, ":n:"...)
	return strconv.AppendInt(b, int64(k.seq), 10)
}

// compareIDs orders two keys as their ids compare as strings, as members with equal
// scores do in a Redis sorted set. Two ids in the bot's form compare without being
// written out: the ask ids as decimal text, then the dates (whose text sorts as the
// days do), then the sequences as decimal text.
func (m *Memory) compareIDs(a, b key) int {
	if a.day != otherDay && b.day != otherDay {
		if c := compareDecimal(a.ask, b.ask, true); c != 0 {
			return c
		}
		if c := cmp.Compare(a.day, b.day); c != 0 {
			return c
		}
		return compareDecimal(uint64(a.seq), uint64(b.seq), false)
	}
	return strings.Compare(m.idOf(a), m.idOf(b))
}

// compareDecimal compares a and b written in decimal, each followed by ':' (colon)
// or by the end of the string: "12:" sorts after "123:" (':' follows the digits in
// ASCII), but "12" before "123".
func compareDecimal(a, b uint64, colon bool) int {
	da, db := decimalDigits(a), decimalDigits(b)
	switch {
	case da == db:
		return cmp.Compare(a, b)
	case da > db:
		return -compareDecimal(b, a, colon)
	}
	if head := b / pow10[db-da]; head != a {
		return cmp.Compare(a, head)
	}
	// a's text is a prefix of b's: what follows it in a (':' or the end) against a digit.
	if colon {
		return 1
	}
	return -1
}

// pow10[i] is 10 to the i.
var pow10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// decimalDigits is how many digits n has in decimal.
func decimalDigits(n uint64) int {
	d := 1
	for d < len(pow10) && n >= pow10[d] {
		d++
	}
	return d
}

// slotHeap orders slot numbers by due time or, with byLease, by lease expiry; ties
// go by id. It is container/heap's algorithm on int32s, without boxing each one.
type slotHeap struct {
	m       *Memory
	ix      []int32
	byLease bool
}

func (h *slotHeap) Len() int { return len(h.ix) }

func (h *slotHeap) less(i, j int) bool {
	a, b := &h.m.slots[h.ix[i]], &h.m.slots[h.ix[j]]
	ka, kb := a.due, b.due
	if h.byLease {
		ka, kb = h.m.leases[h.ix[i]].until, h.m.leases[h.ix[j]].until
	}
	if ka != kb {
		return ka < kb
	}
	return h.m.compareIDs(a.k, b.k) < 0
}

func (h *slotHeap) swap(i, j int) {
	h.ix[i], h.ix[j] = h.ix[j], h.ix[i]
	h.m.slots[h.ix[i]].pos, h.m.slots[h.ix[j]].pos = int32(i), int32(j)
}

func (h *slotHeap) push(i int32) {
	h.m.slots[i].pos = int32(len(h.ix))
	h.ix = append(h.ix, i)
	h.up(len(h.ix) - 1)
}

// pop takes out the first slot.
func (h *slotHeap) pop() int32 {
	return h.remove(0)
}

// remove takes out the slot at position pos and returns it.
func (h *slotHeap) remove(pos int32) int32 {
	i, n := int(pos), len(h.ix)-1
	if i != n {
		h.swap(i, n)
		if !h.down(i, n) {
			h.up(i)
		}
	}
	s := h.ix[n]
	h.ix = h.ix[:n]
	return s
}

// fix restores the order after the slot at pos changed its time.
func (h *slotHeap) fix(pos int32) {
	if !h.down(int(pos), len(h.ix)) {
		h.up(int(pos))
	}
}

func (h *slotHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if i == j || !h.less(j, i) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

func (h *slotHeap) down(i0, n int) bool {
	i := i0
	for {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 {
			break
		}
		j := j1
		if j2 := j1 + 1; j2 < n && h.less(j2, j1) {
			j = j2
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}

// slotIndex finds a key's slot: open addressing with linear probing over slot
// numbers (plus one; zero is an empty cell), at most three quarters full. It costs
// 5 to 11 bytes a reminder, where a Go map of key to slot costs 30 to 60.
type slotIndex struct {
	cells []int32
	n     int
}

func (x *slotIndex) home(k key) int {
	h := k.ask*0x9E3779B97F4A7C15 ^ uint64(uint32(k.day))<<32 ^ uint64(uint32(k.seq))
	h ^= h >> 31
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 29
	return int(h & uint64(len(x.cells)-1))
}

// find returns k's slot, if it has one.
func (x *slotIndex) find(slots []slot, k key) (int32, bool) {
	if len(x.cells) == 0 {
		return 0, false
	}
	for c := x.home(k); ; c = (c + 1) & (len(x.cells) - 1) {
		v := x.cells[c]
		if v == 0 {
			return 0, false
		}
		if slots[v-1].k == k {
			return v - 1, true
		}
	}
}

// insert adds slot i, whose key is not in the index.
func (x *slotIndex) insert(slots []slot, i int32) {
	if 4*(x.n+1) > 3*len(x.cells) {
		old := x.cells
		x.cells = make([]int32, max(16, 2*len(old)))
		for _, v := range old {
			if v != 0 {
				x.put(slots, v)
			}
		}
	}
	x.put(slots, i+1)
	x.n++
}

func (x *slotIndex) put(slots []slot, v int32) {
	c := x.home(slots[v-1].k)
	for x.cells[c] != 0 {
		c = (c + 1) & (len(x.cells) - 1)
	}
	x.cells[c] = v
}

// remove takes slot i out, moving back the cells after it that probed past it.
func (x *slotIndex) remove(slots []slot, i int32) {
	mask := len(x.cells) - 1
	c := x.home(slots[i].k)
	for x.cells[c] != i+1 {
		c = (c + 1) & mask
	}
	x.cells[c] = 0
	x.n--
	for d := (c + 1) & mask; x.cells[d] != 0; d = (d + 1) & mask {
		v := x.cells[d]
		h := x.home(slots[v-1].k)
		// v stays unless its home lies cyclically in (c, d].
		if (d > c && (h <= c || h > d)) || (d < c && h <= c && h > d) {
			x.cells[c], x.cells[d] = v, 0
			c = d
		}
	}
}
