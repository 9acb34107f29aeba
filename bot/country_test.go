package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// isoCountries are the ISO 3166-1 alpha-2 codes officially assigned (249). The
// bot takes its codes from golang.org/x/text; this list proves it is the same set.
const isoCountries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// Every pair of capital letters is a country code exactly when ISO assigned it.
func TestCountryCodesAreISOAssigned(t *testing.T) {
	assigned := strings.Fields(isoCountries)
	if len(assigned) != 249 {
		t.Fatalf("the ISO list has %d codes; want 249", len(assigned))
	}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if got, want := bot.IsCountryCode(code), slices.Contains(assigned, code); got != want {
				t.Errorf("IsCountryCode(%q) = %v; want %v", code, got, want)
			}
		}
	}
}

func TestCountryCodeInvalid(t *testing.T) {
	for _, tt := range []struct{ code, why string }{
		{"", "empty"},
		{"D", "one letter"},
		{"de", "lower case (input is upper-cased before the check)"},
		{"DEU", "alpha-3"},
		{"276", "numeric"},
		{"EU", "a grouping, not a country"},
		{"419", "a region"},
		{"UK", "exceptionally reserved; the code is GB"},
		{"ZR", "deprecated: now CD"},
		{"YU", "withdrawn"},
		{"SU", "withdrawn"},
		{"AC", "exceptionally reserved"},
		{"XK", "user-assigned"},
		{"ZZ", "unknown region"},
		{"XX", "user-assigned"},
	} {
		if bot.IsCountryCode(tt.code) {
			t.Errorf("IsCountryCode(%q) = true; want false (%s)", tt.code, tt.why)
		}
	}
}

func TestCountryName(t *testing.T) {
	for _, tt := range []struct{ code, want string }{
		{"DE", "Germany (DE)"},
		{"GB", "United Kingdom (GB)"},
		{"KP", "North Korea (KP)"},
		{"CI", "Côte d’Ivoire (CI)"},
		{"XX", "XX"}, // not a country: shown as stored
		{"", ""},
	} {
		if got := bot.CountryName(tt.code); got != tt.want {
			t.Errorf("CountryName(%q) = %q; want %q", tt.code, got, tt.want)
		}
	}
	for _, code := range strings.Fields(isoCountries) {
		if name := bot.CountryName(code); name == code || !strings.HasSuffix(name, " ("+code+")") {
			t.Errorf("CountryName(%q) = %q; want a name", code, name)
		}
	}
}
