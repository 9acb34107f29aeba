package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/referralbot/referralbot/bot/deadline"
)

// The worklist: what is on someone's plate, for the Home tab (home.go) and
// /referral list (list.go). Both read the same few indexed queries; only how much
// they show and how they lay it out differ (blocks_home.go).

// Standing is one ask as the worklist counts it: where it stands and the outcome of
// its current position ("" while it has none).
type Standing struct {
	AskID      int64
	ReferralID int64
	OfficeCode string
	State      AskState
	DueDate    time.Time
	Outcome    Outcome
}

// PendingAsk is an ask awaiting an office's position, with its referral.
type PendingAsk struct {
	Ask      *Ask
	Referral *Referral
}

// ReferralLine is an open referral with its offices counted.
type ReferralLine struct {
	Referral *Referral
	Answered int // offices with a current position
	Awaiting int // offices without one
	Overdue  int // awaiting offices past their due date (never while on hold)
	// Stances are the distinct stances of the current positions, in the order
	// approve, rwa, deny: offices disagree (a split decision) when there are two or more.
	Stances []string
	// OfficesDue is the soonest suspense date of the offices still awaited (zero
	// when none is): DoD's internal clock, beside the agency's DoD due date.
	OfficesDue time.Time
	// DoD is where the referral stands against its DoD due date (ReckonDoD).
	DoD DoDClock
	// Stuck is the referral's Slack work paused or failed (see StuckWork): filled
	// for a referral whose channel is missing, so that its analyst sees why.
	Stuck []StuckWork
}

// Split reports whether the offices' current positions disagree: approve-family,
// RWA and deny are different stances; approve and approve with provisos are not.
func (l ReferralLine) Split() bool { return len(l.Stances) > 1 }

// AskLine is an ask waiting on one of the reader's offices.
type AskLine struct {
	Ask      *Ask
	Referral *Referral
	Overdue  bool
}

// Worklist is what the worklist shows one person: referrals (their own as analyst,
// or all open ones, or the overdue ones) and the asks waiting on their offices.
type Worklist struct {
	User  string
	Kind  ListKind
	Today time.Time // the date overdue is judged on
	At    time.Time // when it was read

	ShowReferrals bool // the person owns referrals, or asked for a list of them
	Referrals     []ReferralLine
	MoreReferrals int // how many more there are than shown

	ShowAsks   bool     // the person is on at least one office's roster
	Offices    []string // codes of the offices whose roster includes the person
	Asks       []AskLine
	MoreAsks   int
	Overdue    bool     // Asks holds only the overdue ones
	Unreadable []string // office names whose roster could not be read just now

	// Workload is the supervisors' part of the Home tab (workload.go): nil for
	// anyone else, or when the supervisors' user group could not be read
	// (SupervisorsUnreadable).
	Workload              *Workload
	SupervisorsUnreadable bool
}

// ListKind is what /referral list shows.
type ListKind string

// The lists.
const (
	ListMine    ListKind = "mine"    // the caller's open referrals and the asks awaiting their offices
	ListAll     ListKind = "all"     // every open referral (analysts)
	ListOverdue ListKind = "overdue" // open referrals with an overdue office (analysts), or the caller's offices' overdue asks
)

// overdue reports whether an ask is past its due date on day today: awaiting, due
// before today, and its referral's clock running (a hold pauses every due date).
func overdue(state AskState, due time.Time, ref *Referral, today time.Time) bool {
	return state == AskAwaiting && !due.IsZero() && due.Before(today) && ref.HeldSince.IsZero()
}

// stanceOrder lists the stances in the order they are named.
var stanceOrder = []string{"approve", string(OutcomeRWA), string(OutcomeDeny)}

// referralLines counts each referral's offices from their standings.
func referralLines(refs []*Referral, standings map[int64][]Standing, today time.Time) []ReferralLine {
	lines := make([]ReferralLine, 0, len(refs))
	for _, ref := range refs {
		l := ReferralLine{Referral: ref}
		seen := map[string]bool{}
		for _, st := range standings[ref.ID] {
			if st.Outcome == "" {
				l.Awaiting++
				if st.State == AskAwaiting && !st.DueDate.IsZero() && (l.OfficesDue.IsZero() || st.DueDate.Before(l.OfficesDue)) {
					l.OfficesDue = st.DueDate
				}
				if overdue(st.State, st.DueDate, ref, today) {
					l.Overdue++
				}
				continue
			}
			l.Answered++
			seen[stance(st.Outcome)] = true
		}
		for _, s := range stanceOrder {
			if seen[s] {
				l.Stances = append(l.Stances, s)
			}
		}
		lines = append(lines, l)
	}
	return lines
}

// askLines marks each pending ask overdue or not.
func askLines(asks []*PendingAsk, today time.Time) []AskLine {
	lines := make([]AskLine, 0, len(asks))
	for _, p := range asks {
		lines = append(lines, AskLine{Ask: p.Ask, Referral: p.Referral, Overdue: overdue(p.Ask.State, p.Ask.DueDate, p.Referral, today)})
	}
	return lines
}

// withStandings turns a page of referrals into counted lines.
func withStandings(ctx context.Context, r WorklistReader, refs []*Referral, today time.Time) ([]ReferralLine, error) {
	ids := make([]int64, len(refs))
	for i, ref := range refs {
		ids[i] = ref.ID
	}
	standings, err := r.Standings(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("count offices: %w", err)
	}
	return referralLines(refs, standings, today), nil
}

// LoadWorklist reads what the worklist shows user: with kind ListMine, their open
// referrals (shown when analyst is true or they own any) and the asks awaiting
// offices (the codes of the offices whose roster includes them); ListAll and
// ListOverdue list every open, or every overdue, referral instead of their own
// (the caller checks that user is an analyst), and ListOverdue only the overdue
// asks. limit caps each section. It reads the store only: resolving offices
// through Slack user groups is the caller's part, so that this is what the scale
// benchmark measures (store/scale_bench_test.go).
func LoadWorklist(ctx context.Context, r WorklistReader, kind ListKind, user string, analyst bool, offices []string, today time.Time, limit int) (*Worklist, error) {
	w := &Worklist{User: user, Kind: kind, Today: today, Offices: slices.Clone(offices)}
	var refs []*Referral
	var total int
	var err error
	switch kind {
	case ListAll:
		refs, total, err = r.OpenReferralList(ctx, limit)
		w.ShowReferrals = true
	case ListOverdue:
		if analyst {
			refs, total, err = r.OverdueReferrals(ctx, today, limit)
			w.ShowReferrals = true
		}
	default:
		refs, total, err = r.AnalystReferrals(ctx, user, limit)
		w.ShowReferrals = analyst || total > 0
	}
	if err != nil {
		return nil, fmt.Errorf("worklist of %s: %w", user, err)
	}
	if w.Referrals, err = withStandings(ctx, r, refs, today); err != nil {
		return nil, fmt.Errorf("worklist of %s: %w", user, err)
	}
	w.MoreReferrals = total - len(refs)

	// Analysts see every overdue referral already; the asks are for the offices.
	if len(offices) > 0 && (kind == ListMine || (kind == ListOverdue && !analyst)) {
		var due time.Time
		if kind == ListOverdue {
			due, w.Overdue = today, true
		}
		asks, total, err := r.OfficeQueue(ctx, offices, due, limit)
		if err != nil {
			return nil, fmt.Errorf("worklist of %s: %w", user, err)
		}
		w.ShowAsks = true
		w.Asks = askLines(asks, today)
		w.MoreAsks = total - len(asks)
	}
	return w, nil
}

// officesOf returns the codes of the offices whose roster includes user, and the
// names of those whose Slack user group could not be read.
func (s *Service) officesOf(ctx context.Context, user string) (codes, unreadable []string) {
	for _, o := range s.roster.Offices {
		on, err := s.members.onRoster(ctx, o, user)
		if err != nil {
			s.log.Warn("roster unreadable for the worklist", "office", o.Code, "err", err)
			unreadable = append(unreadable, o.Name)
			continue
		}
		if on {
			codes = append(codes, o.Code)
		}
	}
	return codes, unreadable
}

// worklist reads what the worklist shows user.
func (s *Service) worklist(ctx context.Context, kind ListKind, user string, limit int) (*Worklist, error) {
	offices, unreadable := s.officesOf(ctx, user)
	w, err := LoadWorklist(ctx, s.store, kind, user, s.roster.IsAnalyst(user), offices, s.Today(), limit)
	if err != nil {
		return nil, err
	}
	w.At = s.now().UTC()
	w.Unreadable = unreadable
	w.ReckonDoD(s.rules)
	for i := range w.Referrals {
		if w.Referrals[i].Referral.ChannelID != "" {
			continue // only a missing channel needs explaining; few referrals lack one
		}
		if w.Referrals[i].Stuck, err = s.StuckWork(ctx, w.Referrals[i].Referral.ID); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// ReckonDoD counts each referral's time left to its DoD due date on w.Today and
// puts the referrals with the least left first: by the last business day on or
// before the DoD due date (a date passed comes first), Commerce before State on
// the same day, since a Commerce referral left unanswered is deemed no objection
// (EO 12981) while a State one waits. The page was read in DoD due date order, so
// only referrals due on the same weekend or holiday change places.
func (w *Worklist) ReckonDoD(rules *deadline.Rules) {
	for i := range w.Referrals {
		r := w.Referrals[i].Referral
		w.Referrals[i].DoD = ReckonDoD(rules, r.Agency, r.DoDDueDate, w.Today)
	}
	slices.SortStableFunc(w.Referrals, func(a, b ReferralLine) int {
		if c := a.DoD.LastBusinessDay.Compare(b.DoD.LastBusinessDay); c != 0 {
			return c
		}
		return cmp.Compare(agencyRank(a.Referral.Agency), agencyRank(b.Referral.Agency))
	})
}

// agencyRank orders agencies by the urgency of a missed DoD due date.
func agencyRank(a Agency) int {
	if a == AgencyCommerce {
		return 0
	}
	return 1
}
