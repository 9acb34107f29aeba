package bot

import (
	"fmt"
	"strings"
)

// AnalystMorningText is the analyst's one direct message of a business morning:
// their DoD due dates coming or just passed, then their overdue offices. A direct
// message carries case numbers and channel links, never a referral's details.
func AnalystMorningText(dod []DoDAlertLine, overdue []EscalationLine) string {
	var b strings.Builder
	if len(dod) > 0 {
		budget := MaxDigestText
		if len(overdue) > 0 {
			budget = MaxDigestText / 2 // room for the overdue offices below
		}
		b.WriteString(dodAlertText(dod, budget))
	}
	if len(overdue) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		shown := overdue[:min(len(overdue), digestLines)]
		b.WriteString(escalationText(shown, len(overdue)-len(shown), MaxDigestText-b.Len()))
	}
	return b.String()
}

// dodAlertText lists the analyst's DoD due dates of the morning in at most about
// budget characters; the lines that do not fit are counted.
func dodAlertText(lines []DoDAlertLine, budget int) string {
	shown := lines[:min(len(lines), digestLines)]
	more := len(lines) - len(shown)
	var b strings.Builder
	fmt.Fprintf(&b, ":alarm_clock: DoD due dates this morning on %d of your referrals:", len(lines))
	bullets := make([]string, len(shown))
	for i, l := range shown {
		bullets[i] = caseAndChannel(l.CaseNumber, l.ChannelID) + " — " + dodAlertWords(l.Clock)
	}
	writeBullets(&b, bullets, more, budget, "`/referral list`")
	return b.String()
}

// dodAlertWords says where one referral stands against its DoD due date, in the
// analyst's morning message.
func dodAlertWords(c DoDClock) string {
	due, agency := dayAndDate(c.Due), agencyWord(c.Agency)
	switch {
	case c.DeemedNoObjection():
		return fmt.Sprintf("DoD due %s passed with no final recommendation: under EO 12981 DoD is *deemed to have no objection* (%s). "+
			"This is now in the referral's record.", due, agency)
	case c.Overdue():
		return fmt.Sprintf("DoD due %s passed with no final recommendation: *overdue* (%s). "+
			"No deemed concurrence: the referral stays open until you record DoD's position.", due, agency)
	case c.Due.Equal(c.Today):
		return fmt.Sprintf("DoD due *today*, %s (%s)", due, agency)
	case c.LastBusinessDay.Equal(c.Today):
		return fmt.Sprintf("DoD due %s (%s): *today is the last business day* before it", due, agency)
	}
	words := c.LeftWords()
	if !c.LastBusinessDay.Equal(c.Due) {
		words += ", the last on " + dayAndDate(c.LastBusinessDay)
	}
	return fmt.Sprintf("DoD due %s (%s): %s", due, agency, words)
}

// caseAndChannel names a referral in a direct message: its case number and a link
// to its private channel (which shows only to its members).
func caseAndChannel(caseNumber, channelID string) string {
	where := esc(caseNumber)
	if channelID != "" {
		where += " <#" + channelID + ">"
	}
	return where
}

// dodPassedNote flags, in the referral's summary and /referral status, a DoD due
// date passed with no final recommendation; "" otherwise.
func dodPassedNote(t *Tally) string {
	r := t.Referral
	if t.Recommendation != nil || t.Today.IsZero() || r.DoDDueDate.IsZero() || !r.DoDDueDate.Before(t.Today) {
		return ""
	}
	if r.Agency == AgencyCommerce {
		return fmt.Sprintf(":scales: *DoD due date %s passed* with no final recommendation: under EO 12981 DoD is *deemed to have no objection*. "+
			"A recommendation recorded now still goes into the record.", FormatDate(r.DoDDueDate))
	}
	return fmt.Sprintf(":warning: *Overdue:* the DoD due date %s passed with no final recommendation. "+
		"State has no deemed concurrence: the referral stays open until DoD's position is recorded.", FormatDate(r.DoDDueDate))
}
