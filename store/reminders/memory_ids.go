package reminders

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"time"
)

// The in-process queue's keys: the bot's reminder ids as numbers, ordered as the
// ids' text is.

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
