package deadline

import (
	"slices"
	"time"
)

// NudgeKind says where a reminder falls relative to the due date.
type NudgeKind string

// Nudge kinds.
const (
	NudgeBefore  NudgeKind = "before"  // a business morning before the due date
	NudgeDue     NudgeKind = "due"     // the morning of the due date
	NudgeOverdue NudgeKind = "overdue" // a business morning after the due date
)

// Policy is when an office is reminded of an open ask.
type Policy struct {
	// BeforeBusinessDays lists how many business days before the due date to remind; zero,
	// negative and repeated entries are ignored, and the order does not matter.
	BeforeBusinessDays []int
	// MorningHour and MorningMinute are the local wall time every reminder goes out.
	MorningHour, MorningMinute int
	// OverdueEvery is how many business days apart overdue reminders are (1 when zero or less).
	OverdueEvery int
	// EscalateFromOverdue is the first overdue reminder (1-based) marked Escalate; zero or
	// less never escalates.
	EscalateFromOverdue int
}

// DefaultPolicy reminds 2 and 1 business days ahead, on the day, then every business day
// after, at 09:00 local, escalating from the first overdue reminder.
func DefaultPolicy() Policy {
	return Policy{
		BeforeBusinessDays:  []int{2, 1},
		MorningHour:         9,
		MorningMinute:       0,
		OverdueEvery:        1,
		EscalateFromOverdue: 1,
	}
}

// before returns the positive lead days, largest first, so the reminders come out in time order.
func (p Policy) before() []int {
	var out []int
	for _, n := range p.BeforeBusinessDays {
		if n > 0 && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

func (p Policy) overdueEvery() int {
	if p.OverdueEvery <= 0 {
		return 1
	}
	return p.OverdueEvery
}

// Nudge is one scheduled reminder about a due date.
type Nudge struct {
	// Seq numbers the reminders of one due date and policy from 0, in time order, so that a
	// job id such as "ask:42:nudge:3" names the same reminder however often it is computed.
	Seq int
	// At is the instant the reminder goes out.
	At time.Time
	// Kind is before, due or overdue.
	Kind NudgeKind
	// BusinessDaysLeft is 2, 1 before the due date, 0 on it, and -1, -2, … after it.
	BusinessDaysLeft int
	// Escalate says the reminder should go beyond the office's point of contact; to whom is the caller's call.
	Escalate bool
}

// Nudges returns the reminders for date officeDue under policy, in time order: one each
// morning policy.BeforeBusinessDays business days ahead, one the morning it is due, then
// limitOverdue overdue ones (none when limitOverdue is zero or less).
//
// A due date on a weekend or holiday is reminded as due on the business day before it, the
// last day an office can actually answer; the overdue reminders start the business day after
// the due date. Reminders whose time has passed are included: the caller drops them against
// its own clock.
func (r *Rules) Nudges(officeDue time.Time, policy Policy, limitOverdue int) []Nudge {
	due := r.BusinessDayOnOrBefore(officeDue)
	before := policy.before()
	out := make([]Nudge, 0, len(before)+1+max(limitOverdue, 0))
	for _, n := range before {
		out = append(out, Nudge{
			Seq:              len(out),
			At:               r.morning(r.AddBusinessDays(due, -n), policy),
			Kind:             NudgeBefore,
			BusinessDaysLeft: n,
		})
	}
	out = append(out, Nudge{
		Seq:  len(out),
		At:   r.morning(due, policy),
		Kind: NudgeDue,
	})
	for k := 1; k <= limitOverdue; k++ {
		out = append(out, r.overdue(due, policy, len(before), k))
	}
	return out
}

// NextOverdue returns the n-th overdue reminder (n < 1 counts as 1) for date officeDue, with
// the Seq that Nudges gives it, so overdue reminders can be scheduled one at a time.
func (r *Rules) NextOverdue(officeDue time.Time, policy Policy, n int) Nudge {
	due := r.BusinessDayOnOrBefore(officeDue)
	return r.overdue(due, policy, len(policy.before()), max(n, 1))
}

// overdue builds the k-th overdue reminder after the business day due; it follows nBefore
// before-reminders and the due one in the Seq order.
func (r *Rules) overdue(due time.Time, policy Policy, nBefore, k int) Nudge {
	days := k * policy.overdueEvery()
	return Nudge{
		Seq:              nBefore + k,
		At:               r.morning(r.AddBusinessDays(due, days), policy),
		Kind:             NudgeOverdue,
		BusinessDaysLeft: -days,
		Escalate:         policy.EscalateFromOverdue > 0 && k >= policy.EscalateFromOverdue,
	}
}

func (r *Rules) morning(d time.Time, policy Policy) time.Time {
	return r.At(d, policy.MorningHour, policy.MorningMinute)
}
