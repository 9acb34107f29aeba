package bot

// Where a referral stands against its DoD due date, the licensing agency's
// deadline. The date itself runs in calendar days (agencyclock.go); how much time
// is left is counted in business days to the last business day on or before it,
// because a DoD due date on a Sunday must be met by the Friday before.
//
// When the date passes without a final recommendation the two agencies differ:
// under EO 12981 (15 CFR 750.4) DoD is deemed to have no objection to a Commerce
// license; State has no deemed concurrence, so a State referral is overdue and
// stays open until the analyst records DoD's position (DOMAIN.md).

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/referralbot/referralbot/bot/deadline"
)

// DoDAlertDays are the business days before the DoD due date on whose mornings
// the analyst is told: 3, 1 and 0, the last business day on or before it (issue 11).
var DoDAlertDays = []int{3, 1, 0}

// The events recorded once when a DoD due date passes without a final
// recommendation; the detail's dod_due names the date that passed.
const (
	// EventDeemedNoObjection: a Commerce referral's DoD due date passed; under EO
	// 12981 DoD is deemed to have no objection.
	EventDeemedNoObjection = "dod_due.deemed_no_objection"
	// EventDoDOverdue: a State referral's DoD due date passed; it stays open, overdue.
	EventDoDOverdue = "dod_due.overdue"
)

// DoDClockReader reads the open referrals the morning pass tells analysts about.
type DoDClockReader interface {
	// DoDDueBetween returns the open referrals whose DoD due date is on or after
	// from and before to, soonest first.
	DoDDueBetween(ctx context.Context, from, to time.Time, limit int) ([]*Referral, error)
	// DoDDuePassed returns the open referrals whose DoD due date is before today and
	// whose passing of that date is not yet in their event log, soonest first.
	DoDDuePassed(ctx context.Context, today time.Time, limit int) ([]*Referral, error)
}

// DoDClock is where a referral stands against its DoD due date on one day.
type DoDClock struct {
	Agency Agency
	Due    time.Time // the DoD due date
	Today  time.Time
	// LastBusinessDay is the last business day on or before Due: the last day DoD
	// can answer. It is Due itself unless Due falls on a weekend or holiday.
	LastBusinessDay time.Time
	// DaysLeft counts business days after Today up to LastBusinessDay: 0 on it,
	// negative after it.
	DaysLeft int
	// Passed is set once Due is before Today: deemed no objection (Commerce) or
	// overdue (State).
	Passed bool
}

// ReckonDoD returns where a referral of agency due on due stands on today.
func ReckonDoD(rules *deadline.Rules, agency Agency, due, today time.Time) DoDClock {
	if due.IsZero() { // no DoD due date: nothing is left or passed
		return DoDClock{Agency: agency, Today: today}
	}
	last := rules.BusinessDayOnOrBefore(due)
	return DoDClock{Agency: agency, Due: due, Today: today, LastBusinessDay: last,
		DaysLeft: rules.BusinessDaysBetween(today, last), Passed: due.Before(today)}
}

// DeemedNoObjection reports whether DoD is deemed to have no objection: a
// Commerce referral past its DoD due date.
func (c DoDClock) DeemedNoObjection() bool { return c.Passed && c.Agency == AgencyCommerce }

// Overdue reports whether a referral with no deemed concurrence (State) is past
// its DoD due date.
func (c DoDClock) Overdue() bool { return c.Passed && c.Agency != AgencyCommerce }

// alertToday reports whether this morning is one of DoDAlertDays before the DoD
// due date. Nothing is alerted on a day that is not a business day.
func (c DoDClock) alertToday(rules *deadline.Rules) bool {
	if c.Passed || !rules.IsBusinessDay(c.Today) || c.LastBusinessDay.Before(c.Today) {
		return false
	}
	for _, n := range DoDAlertDays {
		if c.DaysLeft == n {
			return true
		}
	}
	return false
}

// LeftWords says how much time is left, for the Home tab and the lists:
// "3 business days left", "due today", "last business day today", "deemed no
// objection", "overdue".
func (c DoDClock) LeftWords() string {
	switch {
	case c.Due.IsZero():
		return "no DoD due date"
	case c.DeemedNoObjection():
		return "passed: :scales: *deemed no objection* under EO 12981"
	case c.Overdue():
		return ":warning: *overdue*, no deemed concurrence"
	case c.Due.Equal(c.Today):
		return "due *today*"
	case c.LastBusinessDay.Equal(c.Today):
		return "*last business day* today"
	case c.DaysLeft <= 0:
		return "no business day left"
	case c.DaysLeft == 1:
		return "1 business day left"
	}
	return strconv.Itoa(c.DaysLeft) + " business days left"
}

// agencyWord names an agency in a line: Commerce or State.
func agencyWord(a Agency) string {
	if a == "" {
		return ""
	}
	return strings.ToUpper(string(a[:1])) + string(a[1:])
}

// dayAndDate writes a date with its weekday, "Sun 2026-12-20", so that a DoD due
// date on a weekend is seen as one.
func dayAndDate(d time.Time) string { return d.Format("Mon ") + FormatDate(d) }
