package deadline

import "time"

// Default deadline settings, used for any Defaults field left at zero.
const (
	// DefaultCommerceDays is the review period for Commerce referrals: 30 calendar days
	// from referral under Executive Order 12981 (15 CFR 750.4).
	DefaultCommerceDays = 30
	// DefaultStateDays is the review period assumed for State referrals. Unconfirmed: State
	// publishes a 60-day adjudication target (NSPD-56) but no DoD deadline, so 30 mirrors Commerce.
	DefaultStateDays = 30
	// DefaultOfficeLeadBusinessDays is how many business days before the DoD due date the
	// offices' suspense falls. Unconfirmed: DoD's internal suspense rules are not public.
	DefaultOfficeLeadBusinessDays = 5
	// DefaultReaskBusinessDays is how many business days the offices that returned a
	// referral without action get to answer again once the applicant's or agency's
	// answer is recorded. Unconfirmed: DoD's internal suspense rules are not public.
	DefaultReaskBusinessDays = 5
)

// Agency names accepted by DoDDueDate; they match bot.Agency's values.
const (
	AgencyState    = "state"
	AgencyCommerce = "commerce"
)

// Defaults are the configurable deadline settings; a field at zero or below takes its Default* value.
type Defaults struct {
	// CommerceDays is the DoD review period for Commerce referrals, in calendar days (EO 12981).
	CommerceDays int
	// StateDays is the DoD review period for State referrals, in calendar days. Unconfirmed:
	// no public rule sets it; see DefaultStateDays.
	StateDays int
	// OfficeLeadBusinessDays is how many business days before the DoD due date offices are due.
	OfficeLeadBusinessDays int
	// ReaskBusinessDays is how many business days from the day an answer to RWA
	// questions is recorded the offices that asked are due again.
	ReaskBusinessDays int
}

// withFallbacks fills the unset fields, so a zero Defaults means the documented defaults.
func (d Defaults) withFallbacks() Defaults {
	if d.CommerceDays <= 0 {
		d.CommerceDays = DefaultCommerceDays
	}
	if d.StateDays <= 0 {
		d.StateDays = DefaultStateDays
	}
	if d.OfficeLeadBusinessDays <= 0 {
		d.OfficeLeadBusinessDays = DefaultOfficeLeadBusinessDays
	}
	if d.ReaskBusinessDays <= 0 {
		d.ReaskBusinessDays = DefaultReaskBusinessDays
	}
	return d
}

// Rules turn a referral's received date into its due dates and its reminder schedule.
type Rules struct {
	*Calendar
	// Defaults are the settings in force, with every field filled in by NewRules.
	Defaults Defaults
}

// NewRules returns Rules on calendar c (a New York calendar when c is nil) with settings d.
func NewRules(c *Calendar, d Defaults) *Rules {
	if c == nil {
		c = NewCalendar(nil)
	}
	return &Rules{Calendar: c, Defaults: d.withFallbacks()}
}

// DoDDueDate returns when DoD's position on a referral received on date received is due to
// agency ("state" or "commerce"); for any other agency it returns the zero time.
//
// The period is counted in calendar days and the result is kept even when it is a weekend or
// holiday: the statutory clock does not stop for either, and an agency that has not heard from
// DoD by then deems it to have no objection. Office suspenses and reminders are what move to
// business days (see OfficeDueDate and Nudges).
func (r *Rules) DoDDueDate(agency string, received time.Time) time.Time {
	var days int
	switch agency {
	case AgencyCommerce:
		days = r.Defaults.CommerceDays
	case AgencyState:
		days = r.Defaults.StateDays
	default:
		return time.Time{}
	}
	return civilOf(received).time().AddDate(0, 0, days)
}

// OfficeDueDate returns the offices' default suspense: OfficeLeadBusinessDays business days
// before the last business day on or before date dodDue.
//
// A DoD due date on a weekend or holiday is first rolled back to the business day the analyst
// would actually send the position, so the analyst always keeps the full lead of business days
// to consolidate the offices' answers: a Saturday due date gives the same suspense as the
// Friday before it.
func (r *Rules) OfficeDueDate(dodDue time.Time) time.Time {
	return r.AddBusinessDays(r.BusinessDayOnOrBefore(dodDue), -r.Defaults.OfficeLeadBusinessDays)
}
