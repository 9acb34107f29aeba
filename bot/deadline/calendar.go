// Package deadline is referralbot's business-day clock: US federal business days in one
// time zone, the default DoD and office due dates, and when reminders about them go out.
//
// A date is a time.Time whose year, month and day, read in its own Location, name a civil
// day; the project writes dates at 00:00 UTC (2026-12-25 is time.Date(2026, 12, 25, 0, 0, 0,
// 0, time.UTC)). Functions that take a date ignore its clock and its location, so a date is
// never shifted by a time zone; functions that take an instant (a moment something happened)
// say so and convert it with Calendar.Date. Every date returned is at 00:00 UTC.
//
// Nothing here reads the system clock: callers pass "now" in, so tests control time.
package deadline

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // the bot runs in minimal containers that may ship no zoneinfo

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/us"
)

// DefaultZone is the time zone the federal workday is kept in unless NewCalendar is told otherwise.
const DefaultZone = "America/New_York"

// federalHolidays are the eleven holidays of 5 U.S.C. 6103. Inauguration Day is left out: it
// closes offices only around Washington, DC, once every four years. Ad hoc closures by
// executive order are not known in advance and are not here either.
var federalHolidays = []*cal.Holiday{
	us.NewYear,
	us.MlkDay,
	// cal calls it Presidents' Day; the statute and OPM call it Washington's Birthday.
	us.PresidentsDay.Clone(&cal.Holiday{Name: "Washington's Birthday"}),
	us.MemorialDay,
	us.Juneteenth,
	us.IndependenceDay,
	us.LaborDay,
	us.ColumbusDay,
	us.VeteransDay,
	us.ThanksgivingDay,
	us.ChristmasDay,
}

// civil is a calendar day, used as a map key where time.Time would compare locations too.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(d time.Time) civil {
	y, m, day := d.Date()
	return civil{y, m, day}
}

func (c civil) time() time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC) }

// Calendar knows which days are federal business days and which time zone the workday is in.
// It is safe for concurrent use.
type Calendar struct {
	loc *time.Location

	mu       sync.Mutex
	holidays map[int]map[civil]string // year -> observed date -> holiday name
}

// NewCalendar returns a Calendar whose workday is kept in loc (America/New_York when loc is nil).
func NewCalendar(loc *time.Location) *Calendar {
	if loc == nil {
		var err error
		loc, err = time.LoadLocation(DefaultZone)
		if err != nil {
			// Unreachable while time/tzdata is linked in.
			panic(fmt.Sprintf("deadline: load %s: %v", DefaultZone, err))
		}
	}
	return &Calendar{loc: loc, holidays: make(map[int]map[civil]string)}
}

// Location returns the time zone the calendar keeps the workday in.
func (c *Calendar) Location() *time.Location { return c.loc }

// Date returns the civil date of instant t in the calendar's time zone, at 00:00 UTC.
func (c *Calendar) Date(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// At returns the instant when the calendar's wall clock reads hour:min on date d.
//
// Daylight saving is taken care of by time.Date: 09:00 on 2026-03-08 is 13:00 UTC, on
// 2026-11-02 it is 14:00 UTC. A wall time skipped by a spring-forward is normalized the way
// time.Date does it.
func (c *Calendar) At(d time.Time, hour, min int) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, hour, min, 0, 0, c.loc)
}

// IsBusinessDay reports whether date d is a Monday to Friday that is not an observed federal holiday.
func (c *Calendar) IsBusinessDay(d time.Time) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	_, hol := c.Holiday(d)
	return !hol
}

// Holiday reports the federal holiday observed on date d, if any.
//
// Observed is what counts: Independence Day 2026 falls on Saturday and is reported on Friday
// 2026-07-03, not on the Saturday (a weekend is no business day anyway). The name is the
// holiday's, without "(observed)".
func (c *Calendar) Holiday(d time.Time) (name string, ok bool) {
	k := civilOf(d)
	name, ok = c.holidaysIn(k.y)[k]
	return name, ok
}

// holidaysIn returns the observed holidays that fall in year y, computing them once. New
// Year's Day of y+1 is observed on 31 December of y when 1 January is a Saturday, so the
// following year's holidays are looked at too.
func (c *Calendar) holidaysIn(y int) map[civil]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.holidays[y]; ok {
		return m
	}
	m := make(map[civil]string, len(federalHolidays))
	for _, year := range []int{y, y + 1} {
		for _, h := range federalHolidays {
			// cal returns midnight in cal.DefaultLoc; only the civil date of it is used.
			_, observed := h.Calc(year)
			if observed.IsZero() {
				continue
			}
			if k := civilOf(observed); k.y == y {
				m[k] = h.Name
			}
		}
	}
	c.holidays[y] = m
	return m
}

// AddBusinessDays returns the n-th business day after date d, or before it when n is negative.
//
// d itself is never counted, whether or not it is a business day: from Saturday, +1 is the
// next business day (usually Monday) and -1 the previous one (usually Friday). With n == 0 the
// date d is returned unchanged, even if it is not a business day.
func (c *Calendar) AddBusinessDays(d time.Time, n int) time.Time {
	t := civilOf(d).time()
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		t = t.AddDate(0, 0, step)
		if c.IsBusinessDay(t) {
			n--
		}
	}
	return t
}

// BusinessDaysBetween counts the business days after date from up to and including date to.
//
// When to is before from the result is the negated count after to up to and including from,
// so BusinessDaysBetween(a, b) == -BusinessDaysBetween(b, a). It takes time in the number of
// years spanned, not days: weekdays are counted by whole weeks, then the observed holidays
// (always weekdays) of each year are taken off, so a far-future date costs microseconds.
func (c *Calendar) BusinessDaysBetween(from, to time.Time) int {
	a, b := civilOf(from).time(), civilOf(to).time()
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	days := int(b.Sub(a).Hours()+12) / 24 // whole days; +12h absorbs a DST hour, though a and b are UTC
	n := days / 7 * 5
	for t := a.AddDate(0, 0, days/7*7+1); !t.After(b); t = t.AddDate(0, 0, 1) {
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	for y := a.Year(); y <= b.Year(); y++ {
		for k := range c.holidaysIn(y) {
			t := k.time()
			if wd := t.Weekday(); t.After(a) && !t.After(b) && wd != time.Saturday && wd != time.Sunday {
				n--
			}
		}
	}
	return sign * n
}

// BusinessDayOnOrBefore returns date d if it is a business day, else the last business day before it.
func (c *Calendar) BusinessDayOnOrBefore(d time.Time) time.Time {
	t := civilOf(d).time()
	if c.IsBusinessDay(t) {
		return t
	}
	return c.AddBusinessDays(t, -1)
}

// ShiftByBusinessDays moves date d later by the business days a referral spent on hold.
//
// heldFrom and resumedAt are instants; the hold lasted BusinessDaysBetween their dates in the
// calendar's zone, so a hold put on and lifted the same day shifts nothing, and one from Friday
// afternoon to Monday morning shifts one day. A resume before the hold shifts nothing. The
// result is counted with AddBusinessDays, so a d on a weekend lands on a business day.
func (c *Calendar) ShiftByBusinessDays(d, heldFrom, resumedAt time.Time) time.Time {
	n := c.BusinessDaysBetween(c.Date(heldFrom), c.Date(resumedAt))
	if n <= 0 {
		return civilOf(d).time()
	}
	return c.AddBusinessDays(d, n)
}
