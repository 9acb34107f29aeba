package bot

import (
	"fmt"
	"strconv"
	"strings"
)

// ProvisoFate is what the final recommendation does with one office's proviso
// (condition, on a Commerce referral). GAO-25-107431 found conditions removed
// without consulting the office that imposed them, so each one's fate is recorded.
type ProvisoFate string

// The three fates of an office proviso.
const (
	FateKept     ProvisoFate = "kept"     // carried as the office wrote it
	FateModified ProvisoFate = "modified" // carried in DTSA's words; the office's are kept too
	FateDropped  ProvisoFate = "dropped"  // not carried, for a stated reason
)

// Fates lists the fates in the order the form shows them.
var Fates = []ProvisoFate{FateKept, FateModified, FateDropped}

// Label is the fate as the form shows it.
func (f ProvisoFate) Label() string {
	switch f {
	case FateKept:
		return "Keep"
	case FateModified:
		return "Modify"
	case FateDropped:
		return "Drop"
	}
	return string(f)
}

// Overrides reports whether the fate overrides the office that wrote the proviso:
// DTSA changed or removed the office's words.
func (f ProvisoFate) Overrides() bool { return f == FateModified || f == FateDropped }

// Treatment is the analyst's treatment of one office proviso in the final
// recommendation: the office's words, what became of them, and why.
type Treatment struct {
	OfficeCode string
	Number     int    // the proviso's place in the office's position, from 1
	OfficeText string // the office's own words
	Fate       ProvisoFate
	DTSAText   string // modified: DTSA's words, carried instead of the office's
	Reason     string // dropped: required; modified: optional
	// Code is the standard proviso's library code (e.g. NAV-3) when the office
	// chose it from the library, whatever its fate: "how often does DoD keep,
	// modify or drop NAV-3" is then a query on the fates. A modified one keeps the
	// code here, marked by its fate, but the proviso it carries does not: a code on a
	// proviso means its words are the library's, and DTSA's are not.
	Code string
}

// MaxFateReason is the longest reason for dropping or modifying a proviso: it is
// shown in the recommendation post and in the overridden office's thread.
const MaxFateReason = 500

// Fields of the recommendation form for one office proviso: its fate (radio
// buttons), DTSA's wording when modified, and the reason. A block id reads
// "fate.<office>.<number>", so the handler can hand every one to the service.
const (
	fieldFate       = "fate"
	fieldFateWords  = "fate_words"
	fieldFateReason = "fate_reason"
)

// FieldFate is the input holding the fate of an office's proviso number n.
func FieldFate(office string, n int) string { return fateField(fieldFate, office, n) }

// FieldFateWords is the input holding DTSA's wording of a modified proviso.
func FieldFateWords(office string, n int) string { return fateField(fieldFateWords, office, n) }

// FieldFateReason is the input holding why a proviso is dropped or modified.
func FieldFateReason(office string, n int) string { return fateField(fieldFateReason, office, n) }

func fateField(kind, office string, n int) string { return kind + "." + office + "." + strconv.Itoa(n) }

// ProvisoRef names one office proviso: the office, and its place in the office's position.
type ProvisoRef struct {
	Office string
	Number int
}

// FateInput is what the analyst chose for one office proviso.
type FateInput struct {
	Fate   ProvisoFate // "" counts as kept: the form starts every proviso kept
	Words  string      // DTSA's wording, for modified
	Reason string
}

// SetFateField puts a submitted form value into fates if field is one of the
// proviso fate inputs, and reports whether it was.
func SetFateField(fates map[ProvisoRef]FateInput, field, value string) bool {
	kind, rest, ok := strings.Cut(field, ".")
	if !ok {
		return false
	}
	i := strings.LastIndex(rest, ".")
	if i <= 0 {
		return false
	}
	n, err := strconv.Atoi(rest[i+1:])
	if err != nil || n < 1 {
		return false
	}
	ref := ProvisoRef{Office: rest[:i], Number: n}
	f := fates[ref]
	switch kind {
	case fieldFate:
		f.Fate = ProvisoFate(value)
	case fieldFateWords:
		f.Words = value
	case fieldFateReason:
		f.Reason = value
	default:
		return false
	}
	fates[ref] = f
	return true
}

// treat checks the analyst's choice for one office proviso against the
// recommendation's outcome, noting problems in p under the form's fields.
func treat(p map[string]string, in FateInput, office, name string, n int, pr Proviso, o Outcome, a Agency) Treatment {
	text := pr.Text
	tr := Treatment{OfficeCode: office, Number: n, OfficeText: text, Fate: in.Fate, Code: pr.Code}
	if tr.Fate == "" {
		tr.Fate = FateKept
	}
	fate, words, reason := FieldFate(office, n), FieldFateWords(office, n), FieldFateReason(office, n)
	// One line each: they are quoted in a list in the post, the thread and the record.
	tr.Reason = checkText(p, reason, strings.Join(strings.Fields(in.Reason), " "), "the reason", false, MaxFateReason, false)
	tr.DTSAText = checkText(p, words, strings.Join(strings.Fields(in.Words), " "), "DTSA's wording", false, MaxProvisoLen, false)
	term := a.Term()
	switch tr.Fate {
	case FateKept:
		switch {
		case o == OutcomeApprove:
			p[fate] = fmt.Sprintf("Plain Approve carries no %s: drop %s's with a reason, or choose %s.", a.Terms(), name, OutcomeApproveWithProvisos.LabelFor(a))
		case tr.DTSAText != "":
			p[words] = fmt.Sprintf("You wrote new wording: choose Modify, or clear it to keep %s's.", name)
		case tr.Reason != "":
			p[reason] = fmt.Sprintf("A kept %s needs no reason: choose Modify or Drop, or clear it.", term)
		}
	case FateModified:
		switch {
		case o == OutcomeApprove:
			p[fate] = fmt.Sprintf("Plain Approve carries no %s: drop %s's with a reason, or choose %s.", a.Terms(), name, OutcomeApproveWithProvisos.LabelFor(a))
		case tr.DTSAText == "" && p[words] == "":
			p[words] = fmt.Sprintf("Write DTSA's wording of %s's %s %d, or choose Keep.", name, term, n)
		case tr.DTSAText == text:
			p[words] = fmt.Sprintf("This is %s's wording unchanged: choose Keep, or change it.", name)
		}
	case FateDropped:
		switch {
		case tr.Reason == "" && p[reason] == "":
			p[reason] = fmt.Sprintf("Give the reason for dropping %s's %s %d: %s is told in its ask's thread.", name, term, n, name)
		case tr.DTSAText != "":
			p[words] = fmt.Sprintf("A dropped %s has no new wording: choose Modify, or clear it.", term)
		}
	default:
		p[fate] = "Choose Keep, Modify or Drop."
	}
	return tr
}

// PartialOverrides returns the offices some of whose provisos the recommendation
// modified or dropped, in the order they were asked. An office whose whole
// position is overridden is in Dissent instead.
func (rec *Recommendation) PartialOverrides() []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range rec.Dissent {
		seen[d] = true
	}
	for _, tr := range rec.Treatments {
		if tr.Fate.Overrides() && !seen[tr.OfficeCode] {
			seen[tr.OfficeCode] = true
			out = append(out, tr.OfficeCode)
		}
	}
	return out
}

// TreatmentsOf returns the treatments of one office's provisos, in order.
func (rec *Recommendation) TreatmentsOf(office string) []Treatment {
	var out []Treatment
	for _, tr := range rec.Treatments {
		if tr.OfficeCode == office {
			out = append(out, tr)
		}
	}
	return out
}

// OverrideSummary says in words what the recommendation did to an office's
// provisos, e.g. "condition 1 modified; condition 2 dropped — reason: covered by
// the end-use check".
// Texts are as typed: callers escape them for where they show.
func OverrideSummary(rec *Recommendation, office string, a Agency) string {
	var parts []string
	for _, tr := range rec.TreatmentsOf(office) {
		if !tr.Fate.Overrides() {
			continue
		}
		s := fmt.Sprintf("%s %d %s", a.Term(), tr.Number, tr.Fate)
		if tr.Reason != "" {
			s += " — reason: " + tr.Reason
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// treatments checks the fates of the offices' provisos and returns the provisos
// the recommendation carries from the offices, with the treatment of each. Only
// an approval has provisos to keep: with RWA or Deny the fates are not asked.
func (in RecommendationInput) treatments(p map[string]string, t *Tally, roster *Roster) ([]Proviso, []Treatment) {
	if !in.Outcome.Approves() {
		return nil, nil
	}
	var carried []Proviso
	var out []Treatment
	for _, a := range t.Asks {
		if a.Current == nil || a.State == AskWithdrawn {
			continue
		}
		name := roster.OfficeName(a.OfficeCode)
		for i, pr := range a.Current.Provisos {
			tr := treat(p, in.Fates[ProvisoRef{Office: a.OfficeCode, Number: i + 1}], a.OfficeCode, name, i+1, pr, in.Outcome, t.Referral.Agency)
			switch tr.Fate {
			case FateKept:
				carried = append(carried, Proviso{OfficeCode: a.OfficeCode, Text: pr.Text, Code: pr.Code})
			case FateModified:
				carried = append(carried, Proviso{OfficeCode: a.OfficeCode, Text: tr.DTSAText})
			}
			out = append(out, tr)
		}
	}
	return carried, out
}

// PositionVersions is each office's current position version: what a
// recommendation form showed, so that fates chosen against provisos that changed
// since are refused.
func PositionVersions(asks []*Ask) map[string]int {
	out := map[string]int{}
	for _, a := range asks {
		if a.Current != nil && a.State != AskWithdrawn {
			out[a.OfficeCode] = a.Current.Version
		}
	}
	return out
}

// changedSince returns an office whose position is not the version seen, if any.
func changedSince(seen map[string]int, asks []*Ask) (string, bool) {
	now := PositionVersions(asks)
	for _, a := range asks {
		if now[a.OfficeCode] != seen[a.OfficeCode] {
			return a.OfficeCode, true
		}
	}
	return "", false
}
