package record

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/referralbot/referralbot/bot"
)

// Markdown renders the record for people to read: the facts, the final
// recommendation, each office's position history, the provisos (conditions, on a
// Commerce referral) by originating office, the questions and reasons, reminders
// and escalations, changes to the due dates, and the event log. Times are UTC.
// Text people typed is escaped, so that nothing in it is taken for Markdown or HTML.
// The marking banner opens and closes it, on lines of their own.
func Markdown(r *bot.Record) string {
	d := NewDocument(r)
	agency := r.Referral.Agency
	var b strings.Builder
	banner := mdText(cmp.Or(d.Marking, bot.DefaultMarking))
	fmt.Fprintf(&b, "%s\n\n# %s\n\n", banner, mdText(r.Title()))
	writeFacts(&b, d.Referral)
	writeRound(&b, d.Round, agency)
	writeRecommendation(&b, d.Recommendation, agency)
	writeFinalNotes(&b, d.Recommendation)
	writeVersions(&b, d.Versions, agency)
	writePositions(&b, d.Offices, r.Roster, agency)
	writeProposedProvisos(&b, d.Offices, agency)
	writeQuestions(&b, d.Offices)
	writeAnswers(&b, d.Answers)
	writeReminders(&b, d.Reminders)
	writeDueChanges(&b, d.DueChanges, bot.Agency(d.Referral.Agency))
	writeEvents(&b, d.Events)
	fmt.Fprintf(&b, "\n%s\n", banner)
	return b.String()
}

// person writes who acted: "Jane Doe (U123)", or the id alone when the name was
// not known.
func person(id, name string) string {
	if name == "" {
		return id
	}
	return fmt.Sprintf("%s (%s)", mdText(name), id)
}

// writeFacts writes the referral's facts as a table.
func writeFacts(b *strings.Builder, ref ReferralFacts) {
	b.WriteString("| Fact | Value |\n|---|---|\n")
	state := "Open"
	if ref.State == string(bot.ReferralRecommended) {
		state = "Final recommendation recorded"
	} else if ref.HeldSince != "" {
		state = "Open, on hold since " + mdTime(ref.HeldSince)
	}
	switch ref.DoDDuePassed {
	case "deemed_no_objection":
		state += "; the DoD due date passed with no final recommendation: under EO 12981 DoD is deemed to have no objection"
	case "overdue":
		state += "; overdue: the DoD due date passed with no final recommendation (State: no deemed concurrence)"
	}
	for _, row := range [][2]string{
		{"Agency", ref.AgencyName}, {"Case number", ref.CaseNumber}, {"License type", ref.LicenseType},
		{"Applicant", ref.Applicant}, {"Commodity", ref.Commodity}, {"Classification", ref.Classification},
		{"Destination", ref.Destination}, {"End user / consignees", ref.EndUser},
		{"Value (USD)", "$" + bot.FormatThousands(ref.ValueUSD)}, {"Received", ref.ReceivedOn},
		{"DoD due", ref.DoDDueDate}, {"Office due", ref.OfficeDueDate}, {"Analyst", person(ref.Analyst, ref.AnalystName)},
		{"USXPORTS reference", orDash(ref.USXPORTSRef)}, {"Opened", mdTime(ref.OpenedAt)}, {"State", state},
	} {
		cell := mdCell(row[1])
		if row[0] == "Analyst" {
			cell = row[1] // person escaped the name already
		}
		fmt.Fprintf(b, "| %s | %s |\n", row[0], cell)
	}
}

// writeRecommendation writes the final recommendation, its provisos and dissent.
func writeRecommendation(b *strings.Builder, f *FinalRecommendation, agency bot.Agency) {
	b.WriteString("\n## Final recommendation\n\n")
	if f == nil {
		b.WriteString("Not yet recorded.\n")
		return
	}
	fmt.Fprintf(b, "**%s**, recorded by %s on %s.\n", bot.Outcome(f.Outcome).LabelFor(agency), person(f.RecordedBy, f.RecordedByName), mdTime(f.RecordedAt))
	if f.Rationale != "" {
		fmt.Fprintf(b, "\nRationale: %s\n", mdBlock(f.Rationale, ""))
	}
	if f.Basis != "" {
		fmt.Fprintf(b, "\nStatutory and regulatory basis: %s\n", mdBlock(f.Basis, ""))
	}
	if f.Questions != "" {
		fmt.Fprintf(b, "\nQuestions for the applicant: %s\n", mdBlock(f.Questions, ""))
	}
	if len(f.Provisos) > 0 {
		fmt.Fprintf(b, "\n%s, by originating office:\n\n", agency.TermsTitle())
		var lines []provisoLine
		for _, p := range f.Provisos {
			lines = append(lines, carriedLine(p, agency))
		}
		writeProvisoGroups(b, lines)
	}
	writeFates(b, f, agency)
	var dissent []string
	for _, o := range f.Dissent {
		dissent = append(dissent, mdText(o.OfficeName))
	}
	if len(dissent) == 0 {
		dissent = []string{"none"}
	}
	fmt.Fprintf(b, "\nDissenting offices (overridden): %s\n", strings.Join(dissent, ", "))
}

// writePositions writes each office's ask and every version of its position.
func writePositions(b *strings.Builder, offices []OfficeHistory, roster *bot.Roster, agency bot.Agency) {
	b.WriteString("\n## Positions by office\n")
	for _, o := range offices {
		fmt.Fprintf(b, "\n### %s\n\nAsked %s; due %s.\n\n", mdText(o.OfficeName), mdTime(o.AskedAt), o.DueDate)
		if len(o.Positions) == 0 {
			b.WriteString("- No position recorded.\n")
		}
		for _, p := range o.Positions {
			fmt.Fprintf(b, "- v%d %s — **%s**, by %s for %s\n", p.Version, mdTime(p.AnsweredAt),
				bot.Outcome(p.Outcome).LabelFor(agency), person(p.AnsweredBy, p.AnsweredByName), mdText(roster.OfficeName(p.OnBehalfOf)))
			term := agency.Term()
			for _, pr := range p.Provisos {
				fmt.Fprintf(b, "  - %s%s: %s\n", strings.ToUpper(term[:1])+term[1:], codeNote(pr.Code), mdBlock(pr.Text, "    "))
			}
			for _, f := range [][2]string{{"Questions", p.Questions}, {"Reasons", p.Reasons}, {"Statutory and regulatory basis", p.Basis}, {"Comment", p.Comment}} {
				if f[1] != "" {
					fmt.Fprintf(b, "  - %s: %s\n", f[0], mdBlock(f[1], "    "))
				}
			}
		}
	}
}

// writeProposedProvisos writes every proviso (condition) the offices proposed, by
// originating office, with the version of the position that carried it.
func writeProposedProvisos(b *strings.Builder, offices []OfficeHistory, agency bot.Agency) {
	fmt.Fprintf(b, "\n## %s by originating office\n\n", agency.TermsTitle())
	var proposed []provisoLine
	for _, o := range offices {
		for _, p := range o.Positions {
			for _, pr := range p.Provisos {
				proposed = append(proposed, provisoLine{pr, fmt.Sprintf(" (v%d%s)", p.Version, strings.Replace(codeNote(pr.Code), " ", ", ", 1))})
			}
		}
	}
	if len(proposed) == 0 {
		fmt.Fprintf(b, "No office proposed a %s.\n", agency.Term())
		return
	}
	b.WriteString("As the offices proposed them, with the version of the position that carried each.\n\n")
	writeProvisoGroups(b, proposed)
}

// writeQuestions writes the offices' RWA questions and reasons for denial.
func writeQuestions(b *strings.Builder, offices []OfficeHistory) {
	b.WriteString("\n## Questions and reasons\n\n")
	n := 0
	for _, o := range offices {
		for _, p := range o.Positions {
			for _, f := range [][2]string{{"questions", p.Questions}, {"reasons for denial", p.Reasons}, {"statutory and regulatory basis", p.Basis}} {
				if f[1] != "" {
					fmt.Fprintf(b, "- %s v%d, %s: %s\n", mdText(o.OfficeName), p.Version, f[0], mdBlock(f[1], "  "))
					n++
				}
			}
		}
	}
	if n == 0 {
		b.WriteString("None.\n")
	}
}

// writeReminders writes the reminders and escalations.
func writeReminders(b *strings.Builder, reminders []ReminderEntry) {
	b.WriteString("\n## Reminders and escalations\n\n")
	if len(reminders) == 0 {
		b.WriteString("None sent.\n")
	}
	for _, rem := range reminders {
		fmt.Fprintf(b, "- %s — %s: %s reminder, %s%s\n", mdTime(rem.SentAt), mdText(rem.OfficeName), rem.Kind,
			daysLeftWords(rem.DaysLeft), reminderNotes(rem))
	}
}

// writeDueChanges writes the changes to the due dates, the holds and resumptions,
// and the agency's clock actions.
func writeDueChanges(b *strings.Builder, changes []DueChange, agency bot.Agency) {
	b.WriteString("\n## Due-date changes and holds\n\n")
	if len(changes) == 0 {
		b.WriteString("None.\n")
	}
	for _, c := range changes {
		fmt.Fprintf(b, "- %s — %s\n", mdTime(c.At), dueChangeWords(c, agency))
	}
}

// writeEvents writes the whole event log, each event's detail as code, and the
// newest event's hash: the JSON export carries every hash for
// `referralbot verify --record`, and this one can be compared with the database's.
func writeEvents(b *strings.Builder, events []EventEntry) {
	b.WriteString("\n## Event log\n\n")
	for _, e := range events {
		fmt.Fprintf(b, "- #%d %s %s %s %s\n", e.ID, mdTime(e.At), person(e.Actor, e.ActorName), e.Kind, mdCode(string(e.Detail)))
	}
	if n := len(events); n > 0 && events[n-1].Hash != "" {
		fmt.Fprintf(b, "\nNewest event #%d, hash `%s`.\n", events[n-1].ID, events[n-1].Hash)
	}
}

// provisoLine is a proviso with a note to write after it.
type provisoLine struct {
	ProvisoEntry
	note string
}

// codeNote names a standard proviso's library code, " NAV-3" ("" for one typed).
func codeNote(code string) string {
	if code == "" {
		return ""
	}
	return " " + mdText(code)
}

// writeProvisoGroups lists provisos under their originating offices, offices in
// order of first appearance.
func writeProvisoGroups(b *strings.Builder, ps []provisoLine) {
	var groups [][]provisoLine
	idx := map[string]int{}
	for _, p := range ps {
		j, ok := idx[p.Office]
		if !ok {
			j = len(groups)
			idx[p.Office] = j
			groups = append(groups, nil)
		}
		groups[j] = append(groups[j], p)
	}
	for _, g := range groups {
		fmt.Fprintf(b, "- **%s**\n", mdText(g[0].OfficeName))
		for _, p := range g {
			fmt.Fprintf(b, "  - %s%s\n", mdBlock(p.Text, "    "), p.note)
		}
	}
}

func reminderNotes(rem ReminderEntry) string {
	var notes []string
	if rem.Late {
		notes = append(notes, "late (due "+mdTime(rem.DueAt)+")")
	}
	if rem.Escalated {
		if rem.PostedDM {
			notes = append(notes, "escalated to the analyst by direct message")
		} else {
			// Since office queues, an escalation is one line of the analyst's morning
			// message (escalation:ANALYST:DATE), not a message per reminder.
			notes = append(notes, "escalated: listed in the analyst's morning message")
		}
	}
	switch rem.Skipped {
	case "":
		if !rem.PostedChannel {
			notes = append(notes, "not posted in the channel")
		}
	case bot.SkippedSnoozed:
		notes = append(notes, "not sent: snoozed")
	case bot.SkippedSuperseded:
		notes = append(notes, "not sent: superseded by a later reminder")
	default:
		notes = append(notes, "not sent: "+mdText(rem.Skipped))
	}
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, "; ")
}

// daysLeftWords says how far a reminder was from the due date.
func daysLeftWords(n int) string {
	days := func(n int) string {
		if n == 1 {
			return "1 business day"
		}
		return strconv.Itoa(n) + " business days"
	}
	switch {
	case n > 0:
		return "due in " + days(n)
	case n == 0:
		return "due that day"
	}
	return days(-n) + " overdue"
}

func dueChangeWords(c DueChange, agency bot.Agency) string {
	reason := ""
	if c.Reason != "" {
		reason = " Reason: " + mdBlock(c.Reason, "  ")
	}
	if words, ok := questionClockWords(c); ok {
		return words
	}
	switch c.Kind {
	case "clock.held":
		return fmt.Sprintf("%s put the offices' suspense on hold.%s", person(c.By, c.ByName), reason)
	case "clock.resumed":
		return fmt.Sprintf("%s resumed the offices' suspense after %d business day(s) on hold; their due dates moved by as much (DoD due %s, unmoved).",
			person(c.By, c.ByName), c.BusinessDaysHeld, c.To)
	case bot.EventDeemedNoObjection:
		return fmt.Sprintf("The DoD due date %s passed with no final recommendation: under EO 12981 (15 CFR 750.4) DoD is deemed to have no objection.", orDash(c.To))
	case bot.EventDoDOverdue:
		return fmt.Sprintf("The DoD due date %s passed with no final recommendation: overdue. State has no deemed concurrence; the referral stays open until DoD's position is recorded.", orDash(c.To))
	case "dod_due.moved":
		action := fmt.Sprintf("%s granted more time", agency.ShortName())
		if c.AgencyAction == string(bot.AgencyClockStop) {
			action = fmt.Sprintf("%s stopped its clock from %s to %s", agency.ShortName(), orDash(c.ClockStopped), orDash(c.ClockRestarted))
		}
		return fmt.Sprintf("%s recorded an agency action: %s (reference %s). The DoD due date moved from %s to %s (%d calendar days).%s",
			person(c.By, c.ByName), action, mdText(c.AgencyReference), orDash(c.From), orDash(c.To), c.CalendarDays, reason)
	}
	what := mdText(c.TargetName)
	if c.Offices > 1 {
		what = fmt.Sprintf("%s (%d offices)", what, c.Offices)
	}
	return fmt.Sprintf("%s moved %s from %s to %s.%s", person(c.By, c.ByName), what, orDash(c.From), orDash(c.To), reason)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
