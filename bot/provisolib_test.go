package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// TestParseProvisoLibrary checks the standard provisos file: what it accepts, and
// that each mistake an operator can make is named with its entry.
func TestParseProvisoLibrary(t *testing.T) {
	tooMany := "provisos:\n"
	for i := range bot.MaxLibraryPerAgency + 1 {
		tooMany += fmt.Sprintf("  - {code: S-%d, agency: state, text: Proviso %d}\n", i, i)
	}
	for _, tc := range []struct {
		name, yaml string
		want       int    // entries, when valid
		wantErr    string // a part of the error, when not
	}{
		{name: "empty file", yaml: "", want: 0},
		{name: "two agencies", yaml: "provisos:\n  - {code: NAV-3, agency: state, text: For stated end-use only.}\n  - {code: BIS-1, agency: commerce, text: '  For  stated\n end-use only. '}\n", want: 2},
		{name: "duplicate code", yaml: "provisos:\n  - {code: NAV-3, agency: state, text: a}\n  - {code: NAV-3, agency: commerce, text: b}\n",
			wantErr: "entry 2 (NAV-3): code NAV-3 is already used by entry 1"},
		{name: "unknown agency", yaml: "provisos:\n  - {code: X-1, agency: defense, text: a}\n", wantErr: `entry 1 (X-1): agency "defense" must be state or commerce`},
		{name: "missing agency", yaml: "provisos:\n  - {code: X-1, text: a}\n", wantErr: `agency "" must be state or commerce`},
		{name: "empty text", yaml: "provisos:\n  - {code: X-1, agency: state, text: '   '}\n", wantErr: "entry 1 (X-1): text is empty"},
		{name: "text too long", yaml: "provisos:\n  - {code: X-1, agency: state, text: " + strings.Repeat("x", bot.MaxProvisoLen+1) + "}\n",
			wantErr: fmt.Sprintf("text is %d characters; at most %d", bot.MaxProvisoLen+1, bot.MaxProvisoLen)},
		{name: "text at the limit", yaml: "provisos:\n  - {code: X-1, agency: state, text: " + strings.Repeat("x", bot.MaxProvisoLen) + "}\n", want: 1},
		{name: "lower-case code", yaml: "provisos:\n  - {code: nav-3, agency: state, text: a}\n", wantErr: `code "nav-3" must be 1-20 upper-case`},
		{name: "no code", yaml: "provisos:\n  - {agency: state, text: a}\n", wantErr: `entry 1: code "" must be`},
		{name: "misspelt key", yaml: "provisos:\n  - {code: X-1, agencey: state, text: a}\n", wantErr: "field agencey not found"},
		{name: "too many for one agency", yaml: tooMany, wantErr: "101 state entries; at most 100"},
		{name: "every problem at once", yaml: "provisos:\n  - {code: A, agency: x, text: ''}\n",
			wantErr: `entry 1 (A): agency "x" must be state or commerce; entry 1 (A): text is empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lib, err := bot.ParseProvisoLibrary([]byte(tc.yaml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := len(lib.Provisos); got != tc.want {
				t.Fatalf("%d entries; want %d", got, tc.want)
			}
			for _, sp := range lib.Provisos {
				if sp.Text != strings.Join(strings.Fields(sp.Text), " ") {
					t.Errorf("text %q not normalised", sp.Text)
				}
			}
		})
	}
}

// TestExampleProvisoLibrary loads the shipped example, which must stay valid and
// offer each agency its entries.
func TestExampleProvisoLibrary(t *testing.T) {
	lib, err := bot.LoadProvisoLibrary("../testdata/provisos.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lib.For(bot.AgencyState)); n != 3 {
		t.Errorf("%d state entries; want 3", n)
	}
	sp, ok := lib.Lookup(bot.AgencyCommerce, "BIS-1")
	if !ok || sp.Text != "For stated end-use only." {
		t.Errorf("BIS-1 = %+v, %v; want the BIS end-use condition", sp, ok)
	}
	if _, ok := lib.Lookup(bot.AgencyState, "BIS-1"); ok {
		t.Error("a Commerce condition is offered on a State referral")
	}
	if _, err := bot.LoadProvisoLibrary("../testdata/no-such-file.yaml"); err == nil {
		t.Error("a missing file loaded")
	}
}
