package bot

import (
	"context"
	"fmt"
	"strings"
)

// Record is the official record of how DoD reached its position on a referral:
// the facts, every office's position history, the reminders, the event log and the
// final recommendation.
type Record struct {
	Referral       *Referral
	Offices        []OfficeRecord
	Recommendation *Recommendation // nil until recorded
	Reminders      []*Reminder
	Events         []*Event
	roster         *Roster
}

// OfficeRecord is one office's ask and every version of its position, oldest first.
type OfficeRecord struct {
	Ask     *Ask
	History []*Position
}

// Record assembles a referral's official record.
func (s *Service) Record(ctx context.Context, referralID int64) (*Record, error) {
	t, err := s.Tally(ctx, referralID)
	if err != nil {
		return nil, err
	}
	rec := &Record{Referral: t.Referral, Recommendation: t.Recommendation, roster: s.roster}
	for _, a := range t.Asks {
		h, err := s.store.Positions(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("record of referral %d: %w", referralID, err)
		}
		rec.Offices = append(rec.Offices, OfficeRecord{Ask: a, History: h})
	}
	if rec.Reminders, err = s.store.Reminders(ctx, referralID); err != nil {
		return nil, fmt.Errorf("record of referral %d: %w", referralID, err)
	}
	if rec.Events, err = s.store.Events(ctx, referralID); err != nil {
		return nil, fmt.Errorf("record of referral %d: %w", referralID, err)
	}
	return rec, nil
}

// Markdown renders the record for people to read.
func (r *Record) Markdown() string {
	var b strings.Builder
	ref := r.Referral
	fmt.Fprintf(&b, "# DoD position record: %s\n\n", caseTitle(ref))
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	for _, row := range [][2]string{
		{"Agency", ref.Agency.Label()}, {"Case number", ref.CaseNumber}, {"License type", ref.LicenseType},
		{"Applicant", ref.Applicant}, {"Commodity", ref.Commodity}, {"Classification", ref.Classification},
		{"Destination", ref.Destination}, {"End user / consignees", ref.EndUser}, {"Value (USD)", "$" + formatThousands(ref.ValueUSD)},
		{"Received", FormatDate(ref.ReceivedOn)}, {"DoD due", FormatDate(ref.DoDDueDate)},
		{"Office due", FormatDate(ref.OfficeDueDate)}, {"Analyst", ref.AnalystID},
	} {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], strings.ReplaceAll(row[1], "|", "\\|"))
	}
	b.WriteString("\n## Positions by office\n")
	for _, o := range r.Offices {
		fmt.Fprintf(&b, "\n### %s (due %s)\n", r.roster.OfficeName(o.Ask.OfficeCode), FormatDate(o.Ask.DueDate))
		if len(o.History) == 0 {
			b.WriteString("- no position\n")
		}
		for _, p := range o.History {
			fmt.Fprintf(&b, "- v%d %s — %s by %s for %s\n", p.Version, p.AnsweredAt.UTC().Format("2006-01-02 15:04Z"),
				p.Outcome.Label(), p.AnsweredBy, r.roster.OfficeName(p.OfficeCode))
			for _, pr := range p.Provisos {
				fmt.Fprintf(&b, "  - proviso: %s\n", pr.Text)
			}
			for _, f := range [][2]string{{"questions", p.Questions}, {"reasons", p.Reasons}, {"comment", p.Comment}} {
				if f[1] != "" {
					fmt.Fprintf(&b, "  - %s: %s\n", f[0], f[1])
				}
			}
		}
	}
	if len(r.Reminders) > 0 {
		b.WriteString("\n## Reminders\n")
		for _, rem := range r.Reminders {
			notes := ""
			if rem.Late {
				notes += ", late"
			}
			if rem.Escalated {
				notes += ", escalated to the analyst"
			}
			if rem.Skipped != "" {
				notes += ", " + rem.Skipped
			}
			fmt.Fprintf(&b, "- %s %s: %s (%s%s)\n", rem.DueAt.UTC().Format("2006-01-02 15:04Z"),
				r.roster.OfficeName(rem.OfficeCode), rem.Kind, stripStars(dueWords(rem.DaysLeft)), notes)
		}
	}
	b.WriteString("\n## Final recommendation\n\n")
	if rec := r.Recommendation; rec == nil {
		b.WriteString("Not yet recorded.\n")
	} else {
		fmt.Fprintf(&b, "**%s**, recorded by %s on %s.\n\n", rec.Outcome.Label(), rec.RecordedBy, rec.RecordedAt.UTC().Format("2006-01-02 15:04Z"))
		for _, g := range groupProvisos(rec.Provisos) {
			fmt.Fprintf(&b, "Provisos from %s:\n", r.roster.OfficeName(g.office))
			for _, p := range g.provisos {
				fmt.Fprintf(&b, "- %s\n", p.Text)
			}
			b.WriteString("\n")
		}
		if rec.Rationale != "" {
			fmt.Fprintf(&b, "Rationale: %s\n\n", rec.Rationale)
		}
		var dissent []string
		for _, code := range rec.Dissent {
			dissent = append(dissent, r.roster.OfficeName(code))
		}
		if len(dissent) == 0 {
			dissent = []string{"none"}
		}
		fmt.Fprintf(&b, "Dissenting offices (overridden): %s\n", strings.Join(dissent, ", "))
	}
	b.WriteString("\n## Event log\n")
	for _, e := range r.Events {
		fmt.Fprintf(&b, "- %s %s %s %s\n", e.At.UTC().Format("2006-01-02 15:04:05Z"), e.Actor, e.Kind, e.Detail)
	}
	return b.String()
}
