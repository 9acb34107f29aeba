package bot

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// The supervisors' view of the Directorate: how much each analyst carries, how
// much of it is overdue, and what waits for a second signature. At DTSA's volume
// an analyst owns hundreds of open referrals, so the Home tab counts them per
// analyst (one indexed pass over the open referrals) instead of listing them.

// WorkloadAnalystLimit is how many analysts the supervisors' Home tab lists, and
// WorkloadSignOffLimit how many recommendations awaiting sign-off: with the
// supervisor's own sections cut to SupervisorHomeLimit, the tab stays under the
// 100 blocks Slack allows (TestHomeFitsBlockKitLimits counts them).
const (
	WorkloadAnalystLimit = 20
	WorkloadSignOffLimit = 10
	SupervisorHomeLimit  = 25
)

// AnalystLoad is one analyst's open referrals, counted.
type AnalystLoad struct {
	Analyst string
	Open    int
	// Overdue counts the open referrals with an office past its due date (not on
	// hold) or whose DoD due date has passed.
	Overdue int
	// NextDoDDue is the soonest DoD due date among them (zero when none is open).
	NextDoDDue time.Time
}

// PendingSignOff is a recommendation waiting for a supervisor's second signature,
// with its referral.
type PendingSignOff struct {
	Referral       *Referral
	Recommendation *Recommendation
	DoD            DoDClock // filled by the service: the time left to the DoD due date
}

// WorkloadReader reads what the supervisors' Home tab counts.
type WorkloadReader interface {
	// AnalystLoads counts the open referrals of every analyst who owns one, and the
	// overdue ones on day today.
	AnalystLoads(ctx context.Context, today time.Time) ([]AnalystLoad, error)
	// PendingSignOffs returns up to limit recommendations waiting for a sign-off,
	// soonest DoD due date first, leaving out those recorded by notBy (who may not
	// sign their own), and how many there are in all.
	PendingSignOffs(ctx context.Context, notBy string, limit int) ([]*PendingSignOff, int, error)
}

// Workload is what a supervisor's Home tab shows beside their own worklist.
type Workload struct {
	Analysts     []AnalystLoad // most overdue first, then most open
	MoreAnalysts int
	SignOffs     []*PendingSignOff // least time left first
	MoreSignOffs int
}

// IsSupervisor reports whether user is on the roster's supervisors. It fails
// closed: an error reading their user group is returned, never taken as a yes.
func (s *Service) IsSupervisor(ctx context.Context, user string) (bool, error) {
	if s.roster.Supervisors.Empty() {
		return false, nil
	}
	return s.members.onRoster(ctx, s.roster.Supervisors.roster(), user)
}

// workload reads the supervisors' part of the Home tab for user.
func (s *Service) workload(ctx context.Context, user string, today time.Time) (*Workload, error) {
	loads, err := s.store.AnalystLoads(ctx, today)
	if err != nil {
		return nil, err
	}
	w := &Workload{Analysts: WorkloadOf(s.roster.Analysts, loads)}
	if n := len(w.Analysts); n > WorkloadAnalystLimit {
		w.Analysts, w.MoreAnalysts = w.Analysts[:WorkloadAnalystLimit], n-WorkloadAnalystLimit
	}
	signOffs, total, err := s.store.PendingSignOffs(ctx, user, WorkloadSignOffLimit)
	if err != nil {
		return nil, err
	}
	for _, p := range signOffs {
		p.DoD = ReckonDoD(s.rules, p.Referral.Agency, p.Referral.DoDDueDate, today)
	}
	slices.SortStableFunc(signOffs, func(a, b *PendingSignOff) int {
		return a.DoD.LastBusinessDay.Compare(b.DoD.LastBusinessDay)
	})
	w.SignOffs, w.MoreSignOffs = signOffs, total-len(signOffs)
	return w, nil
}

// WorkloadOf lists every analyst on the roster (an idle one shows with nothing
// open) and anyone else who still owns open referrals (say, an analyst since
// removed from the roster, whose referrals need a new owner), most overdue first,
// then most open, then by user id.
func WorkloadOf(analysts []string, loads []AnalystLoad) []AnalystLoad {
	out := slices.Clone(loads)
	for _, a := range analysts {
		if !slices.ContainsFunc(out, func(l AnalystLoad) bool { return l.Analyst == a }) {
			out = append(out, AnalystLoad{Analyst: a})
		}
	}
	slices.SortFunc(out, func(a, b AnalystLoad) int {
		if c := cmp.Compare(b.Overdue, a.Overdue); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Open, a.Open); c != 0 {
			return c
		}
		return cmp.Compare(a.Analyst, b.Analyst)
	})
	return out
}
