package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// carriedProvisoLines lists the provisos (conditions) the recommendation carries,
// by originating office: kept ones in the office's words, modified ones in DTSA's
// with the office's beside them, so no office is credited with words it did not
// write; then DTSA's own.
func carriedProvisoLines(rec *Recommendation, a Agency, roster *Roster) []string {
	if len(rec.Provisos) == 0 {
		return nil
	}
	lines := []string{"*" + a.TermsTitle() + "* (by originating office)"}
	for _, g := range groupProvisos(rec.Provisos) {
		name := esc(roster.OfficeName(g.office))
		lines = append(lines, "*"+name+"*")
		treated := rec.TreatmentsOf(g.office)
		if len(treated) == 0 { // DTSA's own, or recorded before fates were
			for _, p := range g.provisos {
				lines = append(lines, "• "+esc(p.Text)+codeTag(p.Code))
			}
			continue
		}
		for _, tr := range treated {
			switch tr.Fate {
			case FateKept:
				lines = append(lines, "• "+esc(tr.OfficeText)+codeTag(tr.Code))
			case FateModified:
				from := ""
				if tr.Code != "" {
					from = " from `" + esc(tr.Code) + "`"
				}
				lines = append(lines, fmt.Sprintf("• %s — *modified by DTSA*%s; %s wrote: “%s”", esc(tr.DTSAText), from, name, esc(tr.OfficeText)))
			}
		}
	}
	return lines
}

// codeTag shows a standard proviso's library code after its words, small, as the
// ask does (positionDetail); "" for a typed one.
func codeTag(code string) string {
	if code == "" {
		return ""
	}
	return " `" + esc(code) + "`"
}

// partialOverrideLines names each office the recommendation partially overrides,
// with what became of its provisos, e.g. "Partially overrides Army: condition 2
// dropped — no longer needed".
func partialOverrideLines(rec *Recommendation, a Agency, roster *Roster) []string {
	var lines []string
	for _, office := range rec.PartialOverrides() {
		lines = append(lines, fmt.Sprintf(":warning: *Partially overrides %s:* %s", esc(roster.OfficeName(office)), esc(OverrideSummary(rec, office, a))))
	}
	return lines
}

// OverrideNotice tells an office, in its ask's thread, that the final
// recommendation modified or dropped its provisos (conditions), and why: a request
// to reconsider goes back through the analyst. The person who answered for the
// office is mentioned, so that they see it.
func OverrideNotice(r *Referral, a *Ask, rec *Recommendation, roster *Roster) Message {
	name := roster.OfficeName(a.OfficeCode)
	who := "*" + esc(name) + "*"
	if a.Current != nil && a.Current.AnsweredBy != "" {
		who += fmt.Sprintf(" (<@%s>)", a.Current.AnsweredBy)
	}
	term := r.Agency.Term()
	lines := []string{fmt.Sprintf(":warning: %s: the final DoD recommendation on *%s* (%s) *partially overrides* your position: DTSA changed or dropped %s you imposed.",
		who, esc(r.CaseNumber), rec.Outcome.LabelFor(r.Agency), r.Agency.Terms())}
	for _, tr := range rec.TreatmentsOf(a.OfficeCode) {
		head := fmt.Sprintf("• %s %d%s *%s*", strings.ToUpper(term[:1])+term[1:], tr.Number, codeTag(tr.Code), tr.Fate)
		switch tr.Fate {
		case FateKept:
			lines = append(lines, fmt.Sprintf("%s: “%s”", head, esc(tr.OfficeText)))
		case FateModified:
			l := fmt.Sprintf("%s: you wrote “%s”; DTSA's wording: “%s”", head, esc(tr.OfficeText), esc(tr.DTSAText))
			if tr.Reason != "" {
				l += " — " + esc(tr.Reason)
			}
			lines = append(lines, l)
		case FateDropped:
			lines = append(lines, fmt.Sprintf("%s: “%s” — reason: %s", head, esc(tr.OfficeText), esc(tr.Reason)))
		}
	}
	lines = append(lines, fmt.Sprintf("To ask DTSA to reconsider, contact the analyst <@%s>.", r.AnalystID))
	return Message{
		Text:   fmt.Sprintf("The final DoD recommendation on %s partially overrides %s: %s", r.CaseNumber, name, OverrideSummary(rec, a.OfficeCode, r.Agency)),
		Blocks: sections(lines),
	}
}

// fateOptions are the radio buttons for one office proviso's fate.
func fateOptions() []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for _, f := range Fates {
		out = append(out, slack.NewOptionBlockObject(string(f), plain(f.Label()), nil))
	}
	return out
}

// fateInputs are the three inputs for one office proviso: its fate (starting at
// Keep), DTSA's wording if modified, and the reason (required to drop).
func fateInputs(office, name string, n int, pr Proviso, a Agency) []slack.Block {
	opts := fateOptions()
	radio := slack.NewRadioButtonsBlockElement(InputAction, opts...)
	radio.InitialOption = opts[0]
	term := a.Term()
	label := fmt.Sprintf("%s %s %d: %s", name, term, n, pr.Text)
	if pr.Code != "" {
		// A label is plain text: the code in brackets, the way the form names it.
		label = fmt.Sprintf("%s %s %d (%s): %s", name, term, n, pr.Code, pr.Text)
	}
	return []slack.Block{
		slack.NewInputBlock(FieldFate(office, n), plain(truncate(label, maxInputLabel)), nil, radio),
		textInput(FieldFateWords(office, n), "DTSA's wording (if modified)", fmt.Sprintf("%s's words are kept in the record beside yours.", name),
			"", MaxProvisoLen, false, true, ""),
		textInput(FieldFateReason(office, n), "Reason (required to drop)", fmt.Sprintf("%s is told in its ask's thread.", name),
			"", MaxFateReason, false, true, ""),
	}
}

// maxInputLabel is Slack's limit on an input block's label.
const maxInputLabel = 2000
