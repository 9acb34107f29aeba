package bot

import (
	"fmt"
	"time"
)

// SuspenseProblem says what is wrong with due as an office's suspense date on a
// referral due back to the licensing agency on dodDue, or "" when nothing is. It is
// the one statement of the rule every path that sets an office's date follows — the
// form, extend, the RWA re-ask, an office asked later — so that no path lets an
// office be due after the agency's deadline (issue 14 #4): not in the past, not
// after the DoD due date.
func SuspenseProblem(due, dodDue, today time.Time) string {
	switch {
	case due.Before(today):
		return fmt.Sprintf("The offices' suspense date %s is in the past.", FormatDate(due))
	case !dodDue.IsZero() && due.After(dodDue):
		return fmt.Sprintf("The offices' suspense cannot fall after the DoD due date, %s (the licensing agency's deadline).", FormatDate(dodDue))
	}
	return ""
}
