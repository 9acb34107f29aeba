package bot

import (
	"slices"
	"strings"
)

// Where the staffing rules are applied: the New referral form asks for suggestions
// as the analyst types; an import row with no offices gets them.

// SuggestOffices returns the offices the staffing rules suggest for what the
// analyst has entered so far (value as typed; empty or unreadable is unknown).
func (s *Service) SuggestOffices(agency, classification, destination, value string) []OfficeSuggestion {
	v, ok := parseUSD(value)
	if !ok {
		v = -1
	}
	return s.staffing.Suggest(s.roster, StaffingFacts{Agency: Agency(agency), Classification: classification, Destination: destination, ValueUSD: v})
}

// staffRow gives an import row that names no offices the offices the staffing rules
// choose, or every office when no rule matches (as before there were rules).
func (s *Service) staffRow(in *ReferralInput) {
	in.StaffedBy = s.SuggestOffices(in.Agency, in.Classification, in.Destination, in.Value)
	in.Offices = SuggestionCodes(in.StaffedBy)
	if len(in.Offices) == 0 {
		for _, o := range s.roster.Offices {
			in.Offices = append(in.Offices, o.Code)
		}
	}
}

// staffedNote is what an import result adds about the rules: " (Navy: rule 'USML XI')".
func staffedNote(roster *Roster, in *ReferralInput) string {
	if len(in.StaffedBy) == 0 {
		return ""
	}
	return " (" + strings.Join(SuggestionReasons(roster, in.StaffedBy), "; ") + ")"
}

// staffedBy maps each asked office a rule chose to the rules' names, for the
// referral.opened event: the record of why an office was asked.
func staffedBy(in ReferralInput) map[string][]string {
	out := map[string][]string{}
	for _, s := range in.StaffedBy {
		if slices.Contains(in.Offices, s.Office) {
			out[s.Office] = s.Rules
		}
	}
	return out
}
