package deadline

import (
	"testing"
	"time"
)

// The widest span the bot now accepts (every date within 2 years of the received
// date, issue 14 #3), counted both ways: docs/RELIABILITY.md quotes the two.
var twoYearsFrom, twoYearsTo = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), time.Date(2028, 11, 30, 0, 0, 0, 0, time.UTC)

func BenchmarkBusinessDaysBetweenTwoYears(b *testing.B) {
	c := NewCalendar(time.UTC)
	for b.Loop() {
		c.BusinessDaysBetween(twoYearsFrom, twoYearsTo)
	}
}

func BenchmarkBusinessDaysBetweenByDayTwoYears(b *testing.B) {
	c := NewCalendar(time.UTC)
	for b.Loop() {
		businessDaysBetweenByDay(c, twoYearsFrom, twoYearsTo)
	}
}
