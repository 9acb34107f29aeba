package bot

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Staffing rules: operators write down which offices should see which referrals
// (STAFFING_RULES_PATH), so that the knowledge stops living in analysts' heads.
// A rule only suggests: the form pre-selects its offices and the analyst can change
// them; an import applies them to a row that names no offices.

// StaffingRule maps what a referral carries to the offices to ask. Every condition
// given must hold; a condition left out holds for any referral.
type StaffingRule struct {
	Name string `yaml:"name"` // shown to the analyst: "rule 'USML XI'"
	// Classifications are patterns such as 6A003* or XI*; any one may match.
	Classifications []string `yaml:"classifications"`
	Destinations    []string `yaml:"destinations"` // ISO 3166 alpha-2 codes; any one may match
	MinValueUSD     int64    `yaml:"min_value_usd"`
	Agency          Agency   `yaml:"agency"`
	Offices         []string `yaml:"offices"` // roster office codes
}

// StaffingRules are the operator's rules, in the file's order.
type StaffingRules struct {
	Rules []StaffingRule `yaml:"rules"`
}

// StaffingFacts are what the rules look at. ValueUSD < 0 means the value is not
// known yet, and no rule with a threshold matches.
type StaffingFacts struct {
	Agency         Agency
	Classification string
	Destination    string
	ValueUSD       int64
}

// OfficeSuggestion is an office the rules chose, and the names of the rules that chose it.
type OfficeSuggestion struct {
	Office string   `json:"office"`
	Rules  []string `json:"rules"`
}

// LoadStaffingRules reads a rules file (YAML) and checks it against the roster. An
// empty path means no rules.
func LoadStaffingRules(path string, roster *Roster) (*StaffingRules, error) {
	if path == "" {
		return &StaffingRules{}, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read staffing rules: %w", err)
	}
	var rs StaffingRules
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true) // a misspelt condition must not silently match everything
	if err := dec.Decode(&rs); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse staffing rules %s: %w", path, err)
	}
	if err := rs.check(roster); err != nil {
		return nil, fmt.Errorf("staffing rules %s: %w", path, err)
	}
	return &rs, nil
}

// check reports every problem of the rules at once, so an operator fixes the file in one go.
func (rs *StaffingRules) check(roster *Roster) error {
	var problems []string
	names := map[string]bool{}
	for i := range rs.Rules {
		r := &rs.Rules[i]
		r.Name = strings.TrimSpace(r.Name)
		at := fmt.Sprintf("rule %d (%q)", i+1, r.Name)
		switch {
		case r.Name == "" || len(r.Name) > 40:
			problems = append(problems, fmt.Sprintf("rule %d: name must be 1-40 characters", i+1))
		case names[strings.ToLower(r.Name)]:
			problems = append(problems, at+": the name is used twice")
		}
		names[strings.ToLower(r.Name)] = true
		for j, p := range r.Classifications {
			r.Classifications[j] = normClassification(p)
			if msg := badPattern(r.Classifications[j]); msg != "" {
				problems = append(problems, fmt.Sprintf("%s: classification pattern %q %s", at, p, msg))
			}
		}
		for j, d := range r.Destinations {
			r.Destinations[j] = strings.ToUpper(strings.TrimSpace(d))
			if !IsCountryCode(r.Destinations[j]) {
				problems = append(problems, fmt.Sprintf("%s: destination %q is not an ISO 3166 two-letter country code such as DE", at, d))
			}
		}
		if r.MinValueUSD < 0 || r.MinValueUSD > MaxValueUSD {
			problems = append(problems, fmt.Sprintf("%s: min_value_usd must be whole US dollars from 0 to %d", at, int64(MaxValueUSD)))
		}
		if r.Agency != "" && r.Agency != AgencyState && r.Agency != AgencyCommerce {
			problems = append(problems, fmt.Sprintf("%s: agency %q must be state or commerce (or left out for both)", at, r.Agency))
		}
		if len(r.Offices) == 0 {
			problems = append(problems, at+": name the offices to ask")
		}
		for j, code := range r.Offices {
			r.Offices[j] = strings.ToLower(strings.TrimSpace(code))
			if _, ok := roster.Office(r.Offices[j]); !ok {
				problems = append(problems, fmt.Sprintf("%s: office %q is not on the roster (offices: %s)", at, code, officeCodes(roster)))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// normClassification is how classifications are compared: upper case, no spaces,
// so that "xi (a)(3)" and "XI(a)(3)" are the same item.
func normClassification(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// badPattern says what is wrong with a normalized classification pattern, or "".
func badPattern(p string) string {
	body, _ := strings.CutSuffix(p, "*")
	switch {
	case p == "":
		return "is empty"
	case strings.Contains(body, "*"):
		return "may only have * at its end (e.g. 6A003* or XI*)"
	case strings.IndexFunc(body, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("().-", r))
	}) >= 0:
		return "may hold only letters, digits, ( ) . - and a final *"
	}
	return ""
}

// matchClassification reports whether a normalized classification matches a pattern.
// A final * matches what follows, except that a USML category's numeral does not run
// on: XI* matches XI and XI(a)(3) but not XII or XIV.
func matchClassification(pattern, c string) bool {
	prefix, wild := strings.CutSuffix(pattern, "*")
	if !wild {
		return c == pattern
	}
	if !strings.HasPrefix(c, prefix) {
		return false
	}
	return prefix == "" || len(c) == len(prefix) || !isRoman(prefix) || !isRoman(c[len(prefix):len(prefix)+1])
}

func isRoman(s string) bool {
	return strings.Trim(s, "IVX") == ""
}

// matches reports whether the rule holds for the facts.
func (r *StaffingRule) matches(f StaffingFacts) bool {
	if r.Agency != "" && r.Agency != f.Agency {
		return false
	}
	if r.MinValueUSD > 0 && f.ValueUSD < r.MinValueUSD {
		return false
	}
	if len(r.Destinations) > 0 && !slices.Contains(r.Destinations, strings.ToUpper(strings.TrimSpace(f.Destination))) {
		return false
	}
	if len(r.Classifications) > 0 {
		c := normClassification(f.Classification)
		if c == "" || !slices.ContainsFunc(r.Classifications, func(p string) bool { return matchClassification(p, c) }) {
			return false
		}
	}
	return true
}

// Suggest returns the offices every matching rule names (their union), in roster
// order, each with the rules that chose it; none when no rule matches.
func (rs *StaffingRules) Suggest(roster *Roster, f StaffingFacts) []OfficeSuggestion {
	if rs == nil {
		return nil
	}
	chosen := map[string][]string{}
	for i := range rs.Rules {
		r := &rs.Rules[i]
		if !r.matches(f) {
			continue
		}
		for _, code := range r.Offices {
			if !slices.Contains(chosen[code], r.Name) {
				chosen[code] = append(chosen[code], r.Name)
			}
		}
	}
	var out []OfficeSuggestion
	for _, o := range roster.Offices {
		if names, ok := chosen[o.Code]; ok {
			out = append(out, OfficeSuggestion{Office: o.Code, Rules: names})
		}
	}
	return out
}

// SuggestionCodes are the office codes of suggestions.
func SuggestionCodes(s []OfficeSuggestion) []string {
	out := make([]string, len(s))
	for i, o := range s {
		out[i] = o.Office
	}
	return out
}

// SuggestionReasons says which rule chose each office, offices chosen by the same
// rules together, in the order of their first office:
// "Navy, DTSA Information Security: rule 'USML XI'".
func SuggestionReasons(roster *Roster, s []OfficeSuggestion) []string {
	var out []string
	done := make([]bool, len(s))
	for i, o := range s {
		if done[i] {
			continue
		}
		var offices []string
		for j := i; j < len(s); j++ {
			if !done[j] && slices.Equal(s[j].Rules, o.Rules) {
				offices, done[j] = append(offices, roster.OfficeName(s[j].Office)), true
			}
		}
		word := "rule"
		if len(o.Rules) > 1 {
			word = "rules"
		}
		quoted := make([]string, len(o.Rules))
		for j, n := range o.Rules {
			quoted[j] = "'" + n + "'"
		}
		out = append(out, fmt.Sprintf("%s: %s %s", strings.Join(offices, ", "), word, strings.Join(quoted, ", ")))
	}
	return out
}

func officeCodes(roster *Roster) string {
	codes := make([]string, len(roster.Offices))
	for i, o := range roster.Offices {
		codes[i] = o.Code
	}
	return strings.Join(codes, ", ")
}
