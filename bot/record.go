package bot

import (
	"context"
	"fmt"
	"strings"
)

// Record is the official record of how DoD reached its position on a referral:
// the facts, every office's position history, the reminders, the event log and the
// final recommendation. Package bot/record writes it as a file: Markdown, JSON or CSV.
type Record struct {
	Referral       *Referral
	Offices        []OfficeRecord
	Recommendation *Recommendation // nil until recorded
	Reminders      []*Reminder
	Answers        []*QuestionAnswer // answers to the offices' RWA questions, oldest first
	Events         []*Event
	Roster         *Roster // names the offices; LoadRecord never leaves it nil
	// Marking is the marking banner every rendering carries at its top and bottom
	// (MARKING_BANNER; DefaultMarking when left empty).
	Marking string
	// Versions are every version of the recommendation, oldest first: amendments,
	// and one waiting for a supervisor's sign-off.
	Versions []*Recommendation
	// Earlier is the case's earlier round and EarlierFinal its final recommendation;
	// nil on a first round. Each OfficeRecord's Ask.Prior is the office's position then.
	Earlier      *Referral
	EarlierFinal *Recommendation
}

// DefaultMarking is the marking banner of a record when none is configured: the
// record carries license application data, controlled unclassified information
// (50 U.S.C. 4820(h), 22 CFR 126.10).
const DefaultMarking = "CUI"

// Title is the record's title, e.g. "DoD position record: Commerce BIS-748P Z123456".
func (r *Record) Title() string {
	return "DoD position record: " + caseTitle(r.Referral)
}

// OfficeRecord is one office's ask and every version of its position, oldest first.
type OfficeRecord struct {
	Ask     *Ask
	History []*Position
}

// Record assembles a referral's official record.
func (s *Service) Record(ctx context.Context, referralID int64) (*Record, error) {
	rec, err := LoadRecord(ctx, s.store, s.roster, referralID)
	if err != nil {
		return nil, err
	}
	rec.Marking = s.marking
	return rec, nil
}

// LoadRecord assembles a referral's official record from r; roster names the
// offices (an office no longer on it shows by its code).
func LoadRecord(ctx context.Context, r RecordReader, roster *Roster, referralID int64) (*Record, error) {
	if roster == nil {
		roster = &Roster{}
	}
	t, err := tally(ctx, r, referralID)
	if err != nil {
		return nil, err
	}
	rec := &Record{Referral: t.Referral, Recommendation: t.Recommendation, Roster: roster, Marking: DefaultMarking,
		Earlier: t.Earlier, EarlierFinal: t.EarlierFinal}
	if rec.Versions, err = r.RecommendationVersions(ctx, referralID); err != nil {
		return nil, fmt.Errorf("record of referral %d: %w", referralID, err)
	}
	for _, a := range t.Asks {
		h, err := r.Positions(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("record of referral %d: %w", referralID, err)
		}
		rec.Offices = append(rec.Offices, OfficeRecord{Ask: a, History: h})
	}
	if rec.Reminders, err = r.Reminders(ctx, referralID); err != nil {
		return nil, fmt.Errorf("record of referral %d: %w", referralID, err)
	}
	if rec.Answers, err = r.QuestionAnswers(ctx, referralID); err != nil {
		return nil, fmt.Errorf("record of referral %d: %w", referralID, err)
	}
	if rec.Events, err = r.Events(ctx, referralID); err != nil {
		return nil, fmt.Errorf("record of referral %d: %w", referralID, err)
	}
	return rec, nil
}

// FindReferral finds a referral by case number as people type it (see FindReferral).
func (s *Service) FindReferral(ctx context.Context, spec string) (*Referral, error) {
	return FindReferral(ctx, s.store, spec)
}

// FindReferral finds a referral by case number as people type it: "Z123456"
// looks in both agencies (and asks which when both have that case number),
// "commerce:Z123456" or "state:050123456" in one.
func FindReferral(ctx context.Context, r ReferralReader, spec string) (*Referral, error) {
	spec = strings.TrimSpace(spec)
	if agency, num, ok := strings.Cut(spec, ":"); ok {
		a := Agency(strings.ToLower(strings.TrimSpace(agency)))
		if a != AgencyState && a != AgencyCommerce {
			return nil, Errorf(EINVALID, "%q is not an agency: write state:CASE or commerce:CASE.", agency)
		}
		return r.ReferralByCase(ctx, a, strings.ToUpper(strings.TrimSpace(num)))
	}
	num := strings.ToUpper(spec)
	if num == "" {
		return nil, Errorf(EINVALID, "Give a case number, e.g. Z123456 or commerce:Z123456.")
	}
	var found []*Referral
	for _, a := range []Agency{AgencyState, AgencyCommerce} {
		ref, err := r.ReferralByCase(ctx, a, num)
		switch {
		case err == nil:
			found = append(found, ref)
		case ErrorCode(err) != ENOTFOUND:
			return nil, err
		}
	}
	switch len(found) {
	case 0:
		return nil, Errorf(ENOTFOUND, "No referral has case number %s.", num)
	case 1:
		return found[0], nil
	}
	return nil, Errorf(EINVALID, "Both State and Commerce have a case %s: say which, as state:%s or commerce:%s.", num, num, num)
}
