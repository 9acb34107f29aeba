package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// testLibrary is the shipped example plus a Commerce condition as long as a
// proviso may be, so the menu's truncation shows.
func testLibrary(t *testing.T) *bot.ProvisoLibrary {
	t.Helper()
	lib, err := bot.LoadProvisoLibrary("../testdata/provisos.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.TrimSpace(strings.Repeat("Applicant must report every transfer to the licensing agency. ", 5))[:bot.MaxProvisoLen]
	lib.Provisos = append(lib.Provisos, bot.StandardProviso{Code: "BIS-LONG", Agency: bot.AgencyCommerce, Text: long})
	return lib
}

// TestPositionModalLibrary renders the provisos form with the library: the
// agency's standard ones in a menu (chosen ones from the position prefilled, typed
// ones in the box), and checks it against Slack's limits.
func TestPositionModalLibrary(t *testing.T) {
	ro := roster()
	lib := testLibrary(t)
	open := sampleTally()
	army := open.Asks[0]
	army.Current.Provisos = []bot.Proviso{{OfficeCode: "army", Code: "BIS-2", Text: "No resale, transfer, or reexport without prior authorization by the U.S. Government."},
		{OfficeCode: "army", Text: "Report shipments quarterly"}}
	commerce := bot.PositionModal(open.Referral, army, bot.OutcomeApproveWithProvisos, ro, "C1", 1, lib)
	golden(t, "modal_position_conditions_library", commerce)
	state := stateTally()
	golden(t, "modal_position_provisos_library_state", bot.PositionModal(state.Referral, state.Asks[0], bot.OutcomeApproveWithProvisos, ro, "C1", 1, lib))

	raw, _ := json.Marshal(commerce)
	if problems := slackfake.ValidateView(raw); len(problems) > 0 {
		t.Errorf("the modal breaks Block Kit limits: %v", problems)
	}
	menu := findMenu(t, commerce)
	if got, want := len(menu.Options), len(lib.For(bot.AgencyCommerce)); got != want {
		t.Errorf("%d options; want the %d Commerce conditions", got, want)
	}
	if len(menu.InitialOptions) != 1 || menu.InitialOptions[0].Value != "BIS-2" {
		t.Errorf("initial options %+v; want BIS-2, the chosen one", menu.InitialOptions)
	}
	for _, o := range menu.Options {
		if n := utf8.RuneCountInString(o.Text.Text); n > 75 {
			t.Errorf("option %s is %d characters", o.Value, n)
		}
		if o.Value == "BIS-LONG" && (o.Description == nil || !strings.HasPrefix(o.Description.Text, "…")) {
			t.Errorf("the long condition's option %+v does not continue in its description", o)
		}
	}

	// The most a library may hold for one agency still fits Slack's menu.
	full := &bot.ProvisoLibrary{}
	for i := range bot.MaxLibraryPerAgency {
		full.Provisos = append(full.Provisos, bot.StandardProviso{Code: fmt.Sprintf("BIS-%d", i), Agency: bot.AgencyCommerce,
			Text: strings.Repeat("w", bot.MaxProvisoLen)})
	}
	raw, _ = json.Marshal(bot.PositionModal(open.Referral, army, bot.OutcomeApproveWithProvisos, ro, "C1", 1, full))
	if problems := slackfake.ValidateView(raw); len(problems) > 0 {
		t.Errorf("a full library breaks Block Kit limits: %v", problems)
	}
}

// findMenu returns the standard provisos menu of a position modal.
func findMenu(t *testing.T, v slack.ModalViewRequest) *slack.MultiSelectBlockElement {
	t.Helper()
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID == bot.FieldStandardProvisos {
			return in.Element.(*slack.MultiSelectBlockElement)
		}
	}
	t.Fatal("no standard provisos menu")
	return nil
}
