package bot_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// loadRules writes rules to a file and loads them against the default roster.
func loadRules(t *testing.T, yaml string) (*bot.StaffingRules, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return bot.LoadStaffingRules(path, &bot.Roster{Offices: bot.DefaultOffices()})
}

func TestStaffingRulesSuggest(t *testing.T) {
	rules, err := loadRules(t, `
rules:
  - name: Thermal imaging
    classifications: ["6a003*"]
    offices: [army, navy, air_force, technology]
  - name: USML XI
    agency: state
    classifications: ["XI*"]
    offices: [navy, infosec]
  - name: Exact
    classifications: ["5A002"]
    offices: [infosec]
  - name: Large sale
    min_value_usd: 1000000
    offices: [policy]
  - name: Watch list
    destinations: [cn, RU]
    offices: [joint_staff, policy]
`)
	if err != nil {
		t.Fatal(err)
	}
	roster := &bot.Roster{Offices: bot.DefaultOffices()}
	for _, tc := range []struct {
		name string
		f    bot.StaffingFacts
		want string // office:rule+rule, in roster order
	}{
		{"family pattern", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "6A003.b.4", ValueUSD: 10},
			"army:Thermal imaging navy:Thermal imaging air_force:Thermal imaging technology:Thermal imaging"},
		{"family itself", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "6a003", ValueUSD: 10},
			"army:Thermal imaging navy:Thermal imaging air_force:Thermal imaging technology:Thermal imaging"},
		{"other family", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "6A002", ValueUSD: 10}, ""},
		{"USML category", bot.StaffingFacts{Agency: bot.AgencyState, Classification: "XI(a)(3)", ValueUSD: 10}, "navy:USML XI infosec:USML XI"},
		{"USML category, spaces and case", bot.StaffingFacts{Agency: bot.AgencyState, Classification: " xi (a)", ValueUSD: 10}, "navy:USML XI infosec:USML XI"},
		{"USML XI alone", bot.StaffingFacts{Agency: bot.AgencyState, Classification: "XI", ValueUSD: 10}, "navy:USML XI infosec:USML XI"},
		{"numeral does not run on: XII", bot.StaffingFacts{Agency: bot.AgencyState, Classification: "XII(d)", ValueUSD: 10}, ""},
		{"numeral does not run on: XIV", bot.StaffingFacts{Agency: bot.AgencyState, Classification: "XIV", ValueUSD: 10}, ""},
		{"agency condition", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "XI(a)", ValueUSD: 10}, ""},
		{"exact pattern", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "5A002", ValueUSD: 10}, "infosec:Exact"},
		{"exact pattern, longer", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "5A002.a", ValueUSD: 10}, ""},
		{"threshold reached", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "1A001", ValueUSD: 1_000_000}, "policy:Large sale"},
		{"threshold missed", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "1A001", ValueUSD: 999_999}, ""},
		{"value unknown", bot.StaffingFacts{Agency: bot.AgencyCommerce, Classification: "1A001", ValueUSD: -1}, ""},
		{"destination", bot.StaffingFacts{Agency: bot.AgencyCommerce, Destination: "cn", ValueUSD: 10}, "joint_staff:Watch list policy:Watch list"},
		{"other destination", bot.StaffingFacts{Agency: bot.AgencyCommerce, Destination: "DE", ValueUSD: 10}, ""},
		{"rules unioned", bot.StaffingFacts{Agency: bot.AgencyState, Classification: "XI(b)", Destination: "RU", ValueUSD: 2_000_000},
			"navy:USML XI joint_staff:Watch list policy:Large sale+Watch list infosec:USML XI"},
		{"nothing typed yet", bot.StaffingFacts{ValueUSD: -1}, ""},
	} {
		var got []string
		for _, s := range rules.Suggest(roster, tc.f) {
			got = append(got, s.Office+":"+strings.Join(s.Rules, "+"))
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s: got %q; want %q", tc.name, g, tc.want)
		}
	}
}

func TestSuggestionReasons(t *testing.T) {
	roster := &bot.Roster{Offices: bot.DefaultOffices()}
	got := bot.SuggestionReasons(roster, []bot.OfficeSuggestion{
		{Office: "navy", Rules: []string{"USML XI"}},
		{Office: "policy", Rules: []string{"Large sale", "Watch list"}},
		{Office: "infosec", Rules: []string{"USML XI"}},
	})
	want := []string{"Navy, DTSA Information Security: rule 'USML XI'", "Policy: rules 'Large sale', 'Watch list'"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
	got = bot.SuggestionReasons(roster, []bot.OfficeSuggestion{{Office: "navy", Rules: []string{"USML XI"}}, {Office: "infosec", Rules: []string{"USML XI"}}})
	if want := []string{"Navy, DTSA Information Security: rule 'USML XI'"}; !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestLoadStaffingRulesExample(t *testing.T) {
	rules, err := bot.LoadStaffingRules("../testdata/staffing-rules.example.yaml", &bot.Roster{Offices: bot.DefaultOffices()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules.Rules) != 5 {
		t.Errorf("got %d rules; want 5", len(rules.Rules))
	}
	if rules, err := bot.LoadStaffingRules("", nil); err != nil || len(rules.Rules) != 0 {
		t.Errorf("no path: got %v, %v; want no rules", rules, err)
	}
}

func TestLoadStaffingRulesBad(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"rules:\n  - name: A\n    offices: [navvy]\n", `rule 1 ("A"): office "navvy" is not on the roster (offices: army, navy,`},
		{"rules:\n  - name: A\n    classifications: [\"6A*003\"]\n    offices: [navy]\n", `classification pattern "6A*003" may only have * at its end`},
		{"rules:\n  - name: A\n    classifications: [\"6A003?\"]\n    offices: [navy]\n", `classification pattern "6A003?" may hold only letters`},
		{"rules:\n  - name: A\n    classifications: [\"\"]\n    offices: [navy]\n", `classification pattern "" is empty`},
		{"rules:\n  - name: A\n    destinations: [GER]\n    offices: [navy]\n", `destination "GER" is not an ISO 3166 two-letter country code`},
		{"rules:\n  - name: A\n    agency: dod\n    offices: [navy]\n", `agency "dod" must be state or commerce`},
		{"rules:\n  - name: A\n    min_value_usd: -5\n    offices: [navy]\n", `min_value_usd must be whole US dollars`},
		{"rules:\n  - name: A\n", `rule 1 ("A"): name the offices to ask`},
		{"rules:\n  - offices: [navy]\n", `rule 1: name must be 1-40 characters`},
		{"rules:\n  - name: A\n    offices: [navy]\n  - name: a\n    offices: [army]\n", `rule 2 ("a"): the name is used twice`},
		{"rules:\n  - name: A\n    classification: [\"XI*\"]\n    offices: [navy]\n", `field classification not found`},
	} {
		_, err := loadRules(t, tc.yaml)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v; want an error containing %q", tc.yaml, err, tc.want)
		}
	}
}

// The New referral form, with staffing rules, before and after the analyst pressed
// Enter in the classification.
func TestNewReferralModalStaffedGolden(t *testing.T) {
	ro := roster()
	golden(t, "modal_new_referral_rules", bot.NewReferralModal(ro, "2026-11-27", "2026-12-27", "2026-12-27", bot.StaffingForm{Rules: true}))
	staffed := bot.NewReferralModal(ro, "2026-11-27", "2026-12-27", "2026-12-27", bot.StaffingForm{Rules: true, Applied: true,
		Suggested: []bot.OfficeSuggestion{{Office: "navy", Rules: []string{"USML XI"}}, {Office: "infosec", Rules: []string{"USML XI"}}}})
	golden(t, "modal_new_referral_staffed", staffed)
	if got := bot.StaffedByOf(staffed.PrivateMetadata); len(got) != 2 || got[1].Office != "infosec" || got[1].Rules[0] != "USML XI" {
		t.Errorf("StaffedByOf(metadata) = %v; want navy and infosec by rule 'USML XI'", got)
	}
	none := bot.NewReferralModal(ro, "2026-11-27", "2026-12-27", "2026-12-27", bot.StaffingForm{Rules: true, Applied: true})
	golden(t, "modal_new_referral_no_rule", none)
	if none.PrivateMetadata != "" {
		t.Errorf("no suggestion: metadata %q; want none", none.PrivateMetadata)
	}
}
