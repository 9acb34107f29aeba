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
}

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
	return LoadRecord(ctx, s.store, s.roster, referralID)
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
	rec := &Record{Referral: t.Referral, Recommendation: t.Recommendation, Roster: roster}
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
