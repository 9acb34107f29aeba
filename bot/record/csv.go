package record

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/referralbot/referralbot/bot"
)

// CSVHeader is the header row of the record as CSV. Every line of the record is
// one row; section says what the line is, and the other columns hold what
// applies to it (empty otherwise). Instants are RFC 3339 UTC, dates YYYY-MM-DD.
//
//	section          one row per                 columns used
//	marking          the first and last row      text = the marking banner (e.g. CUI)
//	referral         fact                        kind = fact name (as in the JSON schema), text = value
//	ask              office asked                office, at = asked, kind = ask state, to = due date
//	position         version of a position       office (answered for), version, at, actor, kind = outcome
//	proviso          proviso in a position       office (originating), version, at, actor, text,
//	                                             id = its standard proviso's library code (e.g. NAV-3)
//	questions        RWA questions               office, version, at, actor, text
//	reasons          reasons for a denial        office, version, at, actor, text
//	basis            a Commerce denial's         office, version, at, actor, text
//	                 statutory and regulatory
//	                 basis
//	comment          comment on a position       office, version, at, actor, text
//	reminder         reminder or escalation      id, office, at = sent, kind = before|due|overdue,
//	                                             days_left, flags
//	due_change       due date change, hold,      id = event id, at, actor, kind = event kind;
//	                 resumption                  due.changed: office = target (dod, all or an office
//	                                             code), from, to, text = reason; clock.held: text =
//	                                             reason; clock.resumed: from = held since, to = DoD
//	                                             due date (unmoved), days_left = business days held;
//	                 agency clock action         dod_due.moved: office = dod, from, to, text = reason,
//	                                             days_left = calendar days moved, flags =
//	                                             action=stop|extend;reference=…[;stopped=…;restarted=…]
//	                 DoD due date passed         dod_due.deemed_no_objection (Commerce) or
//	                                             dod_due.overdue (State): office = dod, to = the
//	                                             DoD due date that passed
//	                 hold released while         clock.hold_released: from = held since
//	                 questions are out
//	answer           answer to RWA questions     id = answer id, at, actor, kind = applicant|agency,
//	                                             text = the answer, to = the offices' new due date
//	reasked          office asked again          id = answer id, office, version = the RWA version
//	                                             answered, at, to = new due date, text = its questions
//	recommendation   the final recommendation    at, actor, kind = outcome, text = rationale
//	final_questions  its questions (rwa)         at, actor, text
//	final_basis      its statutory and           at, actor, text
//	                 regulatory basis (deny)
//	final_proviso    its provisos (conditions    office (originating), text, kind = kept, modified
//	                 on a Commerce referral)     (text is DTSA's words) or added (DTSA's own),
//	                                             id = its library code (a modified one's is the
//	                                             code of the office's words it rewords)
//	dissent          office overridden           office, kind = that office's position
//	proviso_fate     each office proviso's fate  id = its number in the office's position, office,
//	                                             kind = kept|modified|dropped, from = the office's
//	                                             words, to = DTSA's words (modified), text = reason,
//	                                             flags = code=<library code> when it has one
//	partial_override office partially            office, text = what became of its provisos
//	                 overridden
//	event            event log entry             id, at, actor, kind, text = detail (JSON)
//
// actor_name is the Slack name, as of then, of the person in actor ("" when not
// known). flags is a ";"-separated list of late, escalated, posted_channel, posted_dm and
// skipped=<why>. A text cell starting with =, +, -, @, tab or carriage return is
// written with a ' in front, so that a spreadsheet shows it instead of running it
// as a formula (the JSON export keeps text exactly as typed).
var CSVHeader = []string{"section", "id", "office", "version", "at", "actor", "kind", "text", "from", "to", "days_left", "flags", "actor_name"}

// csvRow is one row by column name.
type csvRow struct {
	section, id, office, version, at, actor, kind, text, from, to, daysLeft, flags, actorName string
}

func (r csvRow) fields() []string {
	return []string{r.section, r.id, r.office, r.version, r.at, r.actor, r.kind, noFormula(r.text), r.from, r.to, r.daysLeft, r.flags, noFormula(r.actorName)}
}

// noFormula defuses text a spreadsheet would take for a formula.
func noFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSV renders the record as CSV (RFC 4180 quoting, "\n" line ends), CSVHeader
// first, then the marking banner's row, which also closes it.
func CSV(r *bot.Record) ([]byte, error) {
	d := NewDocument(r)
	marking := csvRow{section: "marking", text: cmp.Or(d.Marking, bot.DefaultMarking)}
	rows := []csvRow{marking}
	add := func(row csvRow) { rows = append(rows, row) }
	ref := d.Referral
	for _, f := range [][2]string{
		{"id", strconv.FormatInt(ref.ID, 10)}, {"agency", ref.Agency}, {"case_number", ref.CaseNumber},
		{"license_type", ref.LicenseType}, {"applicant", ref.Applicant}, {"commodity", ref.Commodity},
		{"classification", ref.Classification}, {"destination", ref.Destination}, {"end_user", ref.EndUser},
		{"value_usd", strconv.FormatInt(ref.ValueUSD, 10)}, {"received_on", ref.ReceivedOn},
		{"dod_due_date", ref.DoDDueDate}, {"office_due_date", ref.OfficeDueDate}, {"analyst", ref.Analyst}, {"analyst_name", ref.AnalystName}, {"usxports_ref", ref.USXPORTSRef},
		{"state", ref.State}, {"held_since", ref.HeldSince}, {"channel_id", ref.ChannelID}, {"opened_at", ref.OpenedAt},
		{"dod_due_passed", ref.DoDDuePassed},
	} {
		add(csvRow{section: "referral", kind: f[0], text: f[1]})
	}
	for _, o := range d.Offices {
		add(csvRow{section: "ask", office: o.Office, at: o.AskedAt, kind: o.State, to: o.DueDate})
	}
	for _, o := range d.Offices {
		for _, p := range o.Positions {
			v := strconv.Itoa(p.Version)
			add(csvRow{section: "position", office: p.OnBehalfOf, version: v, at: p.AnsweredAt, actor: p.AnsweredBy, kind: p.Outcome, actorName: p.AnsweredByName})
			for _, pr := range p.Provisos {
				add(csvRow{section: "proviso", id: pr.Code, office: pr.Office, version: v, at: p.AnsweredAt, actor: p.AnsweredBy, text: pr.Text})
			}
			for _, f := range [][2]string{{"questions", p.Questions}, {"reasons", p.Reasons}, {"basis", p.Basis}, {"comment", p.Comment}} {
				if f[1] != "" {
					add(csvRow{section: f[0], office: p.OnBehalfOf, version: v, at: p.AnsweredAt, actor: p.AnsweredBy, text: f[1]})
				}
			}
		}
	}
	for _, rem := range d.Reminders {
		var flags []string
		for _, f := range []struct {
			on   bool
			name string
		}{{rem.Late, "late"}, {rem.Escalated, "escalated"}, {rem.PostedChannel, "posted_channel"}, {rem.PostedDM, "posted_dm"}, {rem.Skipped != "", "skipped=" + rem.Skipped}} {
			if f.on {
				flags = append(flags, f.name)
			}
		}
		add(csvRow{section: "reminder", id: rem.ID, office: rem.Office, at: rem.SentAt, kind: rem.Kind,
			daysLeft: strconv.Itoa(rem.DaysLeft), flags: strings.Join(flags, ";")})
	}
	for _, c := range d.DueChanges {
		row := csvRow{section: "due_change", id: strconv.FormatInt(c.EventID, 10), office: c.Target, at: c.At,
			actor: c.By, kind: c.Kind, text: c.Reason, from: c.From, to: c.To, actorName: c.ByName}
		switch c.Kind {
		case "clock.resumed":
			row.from, row.daysLeft = c.HeldSince, strconv.Itoa(c.BusinessDaysHeld)
		case "clock.hold_released":
			row.from = c.HeldSince
		case "dod_due.moved":
			row.daysLeft = strconv.Itoa(c.CalendarDays)
			flags := []string{"action=" + c.AgencyAction, "reference=" + c.AgencyReference}
			if c.ClockStopped != "" {
				flags = append(flags, "stopped="+c.ClockStopped, "restarted="+c.ClockRestarted)
			}
			row.flags = strings.Join(flags, ";")
		}
		add(row)
	}
	for _, row := range answerRows(d.Answers) {
		add(row)
	}
	if f := d.Recommendation; f != nil {
		add(csvRow{section: "recommendation", at: f.RecordedAt, actor: f.RecordedBy, kind: f.Outcome, text: f.Rationale, actorName: f.RecordedByName})
		if f.Questions != "" {
			add(csvRow{section: "final_questions", at: f.RecordedAt, actor: f.RecordedBy, text: f.Questions, actorName: f.RecordedByName})
		}
		if f.Basis != "" {
			add(csvRow{section: "final_basis", at: f.RecordedAt, actor: f.RecordedBy, text: f.Basis})
		}
		for _, p := range f.Provisos {
			add(csvRow{section: "final_proviso", id: p.Code, office: p.Office, text: p.Text, kind: p.Fate})
		}
		for _, o := range f.Dissent {
			add(csvRow{section: "dissent", office: o.Office, kind: o.Position})
		}
		addFates(add, f)
	}
	for _, e := range d.Events {
		text := string(e.Detail)
		if text == "null" {
			text = ""
		}
		add(csvRow{section: "event", id: strconv.FormatInt(e.ID, 10), at: e.At, actor: e.Actor, kind: e.Kind, text: text, actorName: e.ActorName})
	}
	add(marking)

	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(CSVHeader); err != nil {
		return nil, fmt.Errorf("record of referral %d as CSV: %w", ref.ID, err)
	}
	for _, row := range rows {
		if err := w.Write(row.fields()); err != nil {
			return nil, fmt.Errorf("record of referral %d as CSV: %w", ref.ID, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("record of referral %d as CSV: %w", ref.ID, err)
	}
	return b.Bytes(), nil
}
