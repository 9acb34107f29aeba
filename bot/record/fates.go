package record

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/referralbot/referralbot/bot"
)

// FinalProviso is a proviso (a condition, on a Commerce referral) the final
// recommendation carries, or an office's proviso it dropped, with what became of it.
// A modified one carries DTSA's words in Text and the office's in OfficeText, so no
// office is credited with words it did not write.
type FinalProviso struct {
	Office     string `json:"office"` // originating office ("dtsa" for the analyst's own)
	OfficeName string `json:"office_name"`
	Text       string `json:"text"` // the words carried: the office's (kept), DTSA's (modified, added); "" when dropped
	// Fate is kept, modified or dropped for an office's proviso, added for DTSA's own;
	// "" for an office's proviso in a record from before fates were kept.
	Fate       string `json:"fate"`
	Number     int    `json:"number"`      // its place in the office's position, from 1; 0 for DTSA's own
	OfficeText string `json:"office_text"` // the office's own words ("" for DTSA's own)
	Reason     string `json:"reason"`      // why DTSA dropped it (required) or modified it (optional)
	// Code is the standard proviso's library code (e.g. NAV-3) when the office (or
	// DTSA) chose it from the library; absent for one typed. A modified one keeps
	// its code, and its fate says that Text is DTSA's rewording of it.
	Code string `json:"code,omitempty"`
}

// OverrideEntry is an office the final recommendation partially overrides: its
// position stands, but DTSA modified or dropped some of its provisos.
type OverrideEntry struct {
	Office     string `json:"office"`
	OfficeName string `json:"office_name"`
	Summary    string `json:"summary"` // e.g. "condition 2 dropped — reason: covered by the end-use check"
}

// finalProvisos returns the provisos the recommendation carries, the office
// provisos it dropped, and the offices it partially overrides.
func finalProvisos(roster *bot.Roster, agency bot.Agency, rec *bot.Recommendation) (carried, dropped []FinalProviso, partial []OverrideEntry) {
	carried, dropped, partial = []FinalProviso{}, []FinalProviso{}, []OverrideEntry{}
	for _, tr := range rec.Treatments {
		f := FinalProviso{Office: tr.OfficeCode, OfficeName: roster.OfficeName(tr.OfficeCode), Fate: string(tr.Fate),
			Number: tr.Number, OfficeText: tr.OfficeText, Reason: tr.Reason, Code: tr.Code}
		switch tr.Fate {
		case bot.FateKept:
			f.Text = tr.OfficeText
		case bot.FateModified:
			f.Text = tr.DTSAText
		case bot.FateDropped:
			dropped = append(dropped, f)
			continue
		}
		carried = append(carried, f)
	}
	for _, p := range rec.Provisos {
		switch {
		case p.OfficeCode == bot.OfficeDTSA:
			carried = append(carried, FinalProviso{Office: p.OfficeCode, OfficeName: roster.OfficeName(p.OfficeCode), Text: p.Text, Fate: "added", Code: p.Code})
		case len(rec.Treatments) == 0: // recorded before fates were kept
			carried = append(carried, FinalProviso{Office: p.OfficeCode, OfficeName: roster.OfficeName(p.OfficeCode), Text: p.Text, OfficeText: p.Text, Code: p.Code})
		}
	}
	for _, office := range rec.PartialOverrides() {
		partial = append(partial, OverrideEntry{Office: office, OfficeName: roster.OfficeName(office), Summary: bot.OverrideSummary(rec, office, agency)})
	}
	return carried, dropped, partial
}

// writeFates writes, after the carried provisos, the office provisos the
// recommendation dropped and the offices it partially overrides.
func writeFates(b *strings.Builder, f *FinalRecommendation, agency bot.Agency) {
	if len(f.Dropped) > 0 {
		fmt.Fprintf(b, "\n%s dropped, by originating office:\n\n", agency.TermsTitle())
		var lines []provisoLine
		for _, p := range f.Dropped {
			lines = append(lines, provisoLine{ProvisoEntry{Office: p.Office, OfficeName: p.OfficeName, Text: p.OfficeText},
				fmt.Sprintf(" (%s %d%s) — reason: %s", agency.Term(), p.Number, codeAside(p.Code), mdText(p.Reason))})
		}
		writeProvisoGroups(b, lines)
	}
	for _, o := range f.PartialOverrides {
		fmt.Fprintf(b, "\nPartially overrides %s: %s\n", mdText(o.OfficeName), mdText(o.Summary))
	}
}

// carriedLine is a carried proviso as the Markdown record lists it: a modified one
// with the office's words beside DTSA's.
func carriedLine(p FinalProviso, agency bot.Agency) provisoLine {
	l := provisoLine{ProvisoEntry: ProvisoEntry{Office: p.Office, OfficeName: p.OfficeName, Text: p.Text}}
	switch {
	case p.Fate == string(bot.FateModified):
		l.note = fmt.Sprintf(" — modified by DTSA (%s %d%s); %s wrote: %s", agency.Term(), p.Number, codeAside(p.Code), mdText(p.OfficeName), mdText(p.OfficeText))
		if p.Reason != "" {
			l.note += " — reason: " + mdText(p.Reason)
		}
	case p.Code != "":
		l.note = " (" + mdText(p.Code) + ")"
	}
	return l
}

// codeAside is a library code after a proviso's number, e.g. ", NAV-3"; "" for none.
func codeAside(code string) string {
	if code == "" {
		return ""
	}
	return ", " + mdText(code)
}

// addFates adds the CSV rows of every office proviso's fate and of the offices the
// recommendation partially overrides.
func addFates(add func(csvRow), f *FinalRecommendation) {
	for _, p := range append(append([]FinalProviso{}, f.Provisos...), f.Dropped...) {
		if p.Number == 0 {
			continue // DTSA's own, or recorded before fates were kept
		}
		row := csvRow{section: "proviso_fate", id: strconv.Itoa(p.Number), office: p.Office, kind: p.Fate, from: p.OfficeText, text: p.Reason}
		if p.Code != "" {
			row.flags = "code=" + p.Code
		}
		if p.Fate == string(bot.FateModified) {
			row.to = p.Text
		}
		add(row)
	}
	for _, o := range f.PartialOverrides {
		add(csvRow{section: "partial_override", office: o.Office, text: o.Summary})
	}
}
