package reminders

// The in-process queue's heaps and index, over slot numbers.

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
