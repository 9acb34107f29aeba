package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PrecedentDim names one way an earlier referral can match: the same applicant,
// end user (or consignee), classification, classification family or destination.
type PrecedentDim string

// The ways an earlier referral matches, in the order the panel shows them.
const (
	DimApplicant   PrecedentDim = "applicant"
	DimEndUser     PrecedentDim = "end_user"
	DimClass       PrecedentDim = "class"
	DimFamily      PrecedentDim = "family"
	DimDestination PrecedentDim = "destination"
)

// PrecedentRecent is how many of the newest matching referrals the panel lists.
const PrecedentRecent = 5

// PrecedentTopProvisos is how many of the most used provisos the panel lists.
const PrecedentTopProvisos = 3

// PrecedentKeys are a referral's match keys (NameKey, ClassKey, ClassFamily): what
// the store indexes each referral with a final recommendation under.
type PrecedentKeys map[PrecedentDim]string

// KeysOf returns r's match keys; a blank one matches nothing.
func KeysOf(r *Referral) PrecedentKeys {
	return PrecedentKeys{
		DimApplicant:   NameKey(r.Applicant),
		DimEndUser:     NameKey(r.EndUser),
		DimClass:       ClassKey(r.Classification),
		DimFamily:      ClassFamily(r.Classification),
		DimDestination: strings.ToUpper(strings.TrimSpace(r.Destination)),
	}
}

// PrecedentCase is one earlier referral with a final recommendation.
type PrecedentCase struct {
	ReferralID int64
	Agency     Agency
	CaseNumber string
	ChannelID  string // "" when it never had one
	Outcome    Outcome
	DecidedAt  time.Time // when the final recommendation was recorded (or signed)
}

// ProvisoUse is a proviso's text and on how many matching referrals' final
// recommendations it stood.
type ProvisoUse struct {
	Text string
	N    int
}

// PrecedentMatch is what DoD recommended on the earlier referrals that share one
// key with this one.
type PrecedentMatch struct {
	Dim PrecedentDim
	Key string // the shown value: the referral's own applicant, classification, …
	// Total and ByOutcome count every matching referral; zero for someone who may
	// see only their offices' asks (Restricted).
	Total     int
	ByOutcome map[Outcome]int
	Recent    []PrecedentCase // newest first, at most PrecedentRecent
	Provisos  []ProvisoUse    // most used first, at most PrecedentTopProvisos
}

// Precedents is the panel: the referral and its matches.
type Precedents struct {
	Referral *Referral
	Matches  []PrecedentMatch // only the dimensions the referral has a key for
	// Restricted is set for a reviewer: Recent lists only referrals one of their
	// offices was asked on, and the counts and provisos across DoD are left out.
	Restricted bool
}

// Any reports whether anything matched.
func (p *Precedents) Any() bool {
	for _, m := range p.Matches {
		if m.Total > 0 || len(m.Recent) > 0 {
			return true
		}
	}
	return false
}

// PrecedentQuery is one lookup: referrals (other than Except) whose Dim key is Key.
// With Offices set, only those on which one of the offices was asked are listed,
// and nothing is counted.
type PrecedentQuery struct {
	Dim     PrecedentDim
	Key     string
	Except  int64
	Offices []string
}

// PrecedentReader reads the precedent index. Each call is a few index seeks, so
// the panel costs the same on a year of history as on ten.
type PrecedentReader interface {
	// PrecedentMatch returns the matches of one key.
	PrecedentMatch(ctx context.Context, q PrecedentQuery) (PrecedentMatch, error)
}

// LoadPrecedents reads the panel for r; offices non-nil restricts it to those
// offices' asks (a reviewer's view).
func LoadPrecedents(ctx context.Context, rd PrecedentReader, r *Referral, offices []string) (*Precedents, error) {
	p := &Precedents{Referral: r, Restricted: offices != nil}
	keys := KeysOf(r)
	shown := map[PrecedentDim]string{
		DimApplicant: r.Applicant, DimEndUser: r.EndUser, DimClass: r.Classification,
		DimFamily: FamilyLabel(keys[DimFamily]), DimDestination: keys[DimDestination],
	}
	for _, dim := range []PrecedentDim{DimApplicant, DimEndUser, DimClass, DimFamily, DimDestination} {
		key := keys[dim]
		if key == "" || (dim == DimFamily && key == keys[DimClass]) {
			continue // nothing to match, or the family is the classification itself
		}
		m, err := rd.PrecedentMatch(ctx, PrecedentQuery{Dim: dim, Key: key, Except: r.ID, Offices: offices})
		if err != nil {
			return nil, fmt.Errorf("precedents of %s by %s: %w", r.CaseNumber, dim, err)
		}
		m.Dim, m.Key = dim, shown[dim]
		p.Matches = append(p.Matches, m)
	}
	return p, nil
}

// Precedents returns the panel for the referral as actor may see it: analysts see
// every earlier referral; a reviewer, only those their offices were asked on, and
// only on a referral one of their offices is asked on.
func (s *Service) Precedents(ctx context.Context, actor string, referralID int64) (*Precedents, error) {
	r, err := s.store.Referral(ctx, referralID)
	if err != nil {
		return nil, err
	}
	if s.roster.IsAnalyst(actor) {
		return LoadPrecedents(ctx, s.store, r, nil)
	}
	offices, _ := s.officesOf(ctx, actor)
	asks, err := s.store.Asks(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range asks {
		for _, o := range offices {
			if a.OfficeCode == o {
				return LoadPrecedents(ctx, s.store, r, offices)
			}
		}
	}
	return nil, Errorf(EFORBIDDEN, "Only licensing analysts and the offices asked on %s can see its precedents.", r.CaseNumber)
}
