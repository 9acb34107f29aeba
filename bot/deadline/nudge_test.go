package deadline

import (
	"fmt"
	"testing"
)

// wantNudge is a Nudge as the tables write it: At as an RFC 3339 instant.
type wantNudge struct {
	seq      int
	at       string
	kind     NudgeKind
	left     int
	escalate bool
}

func (w wantNudge) String() string {
	return fmt.Sprintf("{%d %s %s %d %v}", w.seq, w.at, w.kind, w.left, w.escalate)
}

func nudgeString(n Nudge) string {
	return fmt.Sprintf("{%d %s %s %d %v}", n.Seq, n.At.UTC().Format("2006-01-02T15:04:05Z"), n.Kind, n.BusinessDaysLeft, n.Escalate)
}

func TestNudges(t *testing.T) {
	custom := Policy{
		BeforeBusinessDays:  []int{1, 3, 3, 0, -1},
		MorningHour:         8,
		MorningMinute:       30,
		OverdueEvery:        2,
		EscalateFromOverdue: 2,
	}
	noEscalation := DefaultPolicy()
	noEscalation.EscalateFromOverdue = 0

	tests := []struct {
		name      string
		due       string
		policy    Policy
		limit     int
		wantNudge []wantNudge
	}{
		{"due on a Wednesday", "2026-10-21", DefaultPolicy(), 2, []wantNudge{
			{0, "2026-10-19T13:00:00Z", NudgeBefore, 2, false},
			{1, "2026-10-20T13:00:00Z", NudgeBefore, 1, false},
			{2, "2026-10-21T13:00:00Z", NudgeDue, 0, false},
			{3, "2026-10-22T13:00:00Z", NudgeOverdue, -1, true},
			{4, "2026-10-23T13:00:00Z", NudgeOverdue, -2, true},
		}},
		// Two business days before a Monday is the Thursday; DST begins on the Sunday between.
		{"due on a Monday", "2026-03-09", DefaultPolicy(), 1, []wantNudge{
			{0, "2026-03-05T14:00:00Z", NudgeBefore, 2, false},
			{1, "2026-03-06T14:00:00Z", NudgeBefore, 1, false},
			{2, "2026-03-09T13:00:00Z", NudgeDue, 0, false},
			{3, "2026-03-10T13:00:00Z", NudgeOverdue, -1, true},
		}},
		{"Columbus Day between", "2026-10-14", DefaultPolicy(), 2, []wantNudge{
			{0, "2026-10-09T13:00:00Z", NudgeBefore, 2, false},
			{1, "2026-10-13T13:00:00Z", NudgeBefore, 1, false},
			{2, "2026-10-14T13:00:00Z", NudgeDue, 0, false},
			{3, "2026-10-15T13:00:00Z", NudgeOverdue, -1, true},
			{4, "2026-10-16T13:00:00Z", NudgeOverdue, -2, true},
		}},
		{"Friday after Thanksgiving", "2026-11-27", DefaultPolicy(), 1, []wantNudge{
			{0, "2026-11-24T14:00:00Z", NudgeBefore, 2, false},
			{1, "2026-11-25T14:00:00Z", NudgeBefore, 1, false},
			{2, "2026-11-27T14:00:00Z", NudgeDue, 0, false},
			{3, "2026-11-30T14:00:00Z", NudgeOverdue, -1, true},
		}},
		// A due date that is no business day is reminded as due the business day before it.
		{"due on Thanksgiving", "2026-11-26", DefaultPolicy(), 2, []wantNudge{
			{0, "2026-11-23T14:00:00Z", NudgeBefore, 2, false},
			{1, "2026-11-24T14:00:00Z", NudgeBefore, 1, false},
			{2, "2026-11-25T14:00:00Z", NudgeDue, 0, false},
			{3, "2026-11-27T14:00:00Z", NudgeOverdue, -1, true},
			{4, "2026-11-30T14:00:00Z", NudgeOverdue, -2, true},
		}},
		{"due Saturday July 4 after an observed Friday", "2026-07-04", DefaultPolicy(), 1, []wantNudge{
			{0, "2026-06-30T13:00:00Z", NudgeBefore, 2, false},
			{1, "2026-07-01T13:00:00Z", NudgeBefore, 1, false},
			{2, "2026-07-02T13:00:00Z", NudgeDue, 0, false},
			{3, "2026-07-06T13:00:00Z", NudgeOverdue, -1, true},
		}},
		{"custom policy", "2026-10-21", custom, 2, []wantNudge{
			{0, "2026-10-16T12:30:00Z", NudgeBefore, 3, false},
			{1, "2026-10-20T12:30:00Z", NudgeBefore, 1, false},
			{2, "2026-10-21T12:30:00Z", NudgeDue, 0, false},
			{3, "2026-10-23T12:30:00Z", NudgeOverdue, -2, false},
			{4, "2026-10-27T12:30:00Z", NudgeOverdue, -4, true},
		}},
		{"no escalation", "2026-10-21", noEscalation, 1, []wantNudge{
			{0, "2026-10-19T13:00:00Z", NudgeBefore, 2, false},
			{1, "2026-10-20T13:00:00Z", NudgeBefore, 1, false},
			{2, "2026-10-21T13:00:00Z", NudgeDue, 0, false},
			{3, "2026-10-22T13:00:00Z", NudgeOverdue, -1, false},
		}},
		{"no overdue", "2026-10-21", DefaultPolicy(), 0, []wantNudge{
			{0, "2026-10-19T13:00:00Z", NudgeBefore, 2, false},
			{1, "2026-10-20T13:00:00Z", NudgeBefore, 1, false},
			{2, "2026-10-21T13:00:00Z", NudgeDue, 0, false},
		}},
		{"only the due one", "2026-10-21", Policy{MorningHour: 9}, -1, []wantNudge{
			{0, "2026-10-21T13:00:00Z", NudgeDue, 0, false},
		}},
	}
	r := NewRules(nil, Defaults{})
	for _, tt := range tests {
		got := r.Nudges(day(t, tt.due), tt.policy, tt.limit)
		if len(got) != len(tt.wantNudge) {
			t.Errorf("%s: Nudges(%s) gave %d nudges; want %d", tt.name, tt.due, len(got), len(tt.wantNudge))
		}
		for i := range min(len(got), len(tt.wantNudge)) {
			if g, w := nudgeString(got[i]), tt.wantNudge[i].String(); g != w {
				t.Errorf("%s: Nudges(%s)[%d] = %s; want %s", tt.name, tt.due, i, g, w)
			}
		}
	}
}

func TestNextOverdueMatchesNudges(t *testing.T) {
	r := NewRules(nil, Defaults{})
	policies := []Policy{DefaultPolicy(), {BeforeBusinessDays: []int{5, 3, 1}, MorningHour: 10, OverdueEvery: 3, EscalateFromOverdue: 4}}
	const limit = 6
	for _, due := range []string{"2026-10-21", "2026-03-09", "2026-11-26", "2026-07-04", "2026-12-23", "2027-12-23"} {
		for pi, p := range policies {
			all := r.Nudges(day(t, due), p, limit)
			for n := 1; n <= limit; n++ {
				got := r.NextOverdue(day(t, due), p, n)
				want := all[len(all)-limit+n-1]
				if nudgeString(got) != nudgeString(want) {
					t.Errorf("policy %d: NextOverdue(%s, %d) = %s; want %s as in Nudges", pi, due, n, nudgeString(got), nudgeString(want))
				}
			}
		}
	}
}

func TestNextOverdueBelowOne(t *testing.T) {
	r := NewRules(nil, Defaults{})
	got := r.NextOverdue(day(t, "2026-10-21"), DefaultPolicy(), 0)
	want := wantNudge{3, "2026-10-22T13:00:00Z", NudgeOverdue, -1, true}
	if nudgeString(got) != want.String() {
		t.Errorf("NextOverdue(2026-10-21, 0) = %s; want %s", nudgeString(got), want)
	}
}
