package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
	"github.com/referralbot/referralbot/store"
)

// staffingRulesExample is the shipped, commented example of the staffing rules.
const staffingRulesExample = "../../testdata/staffing-rules.example.yaml"

// importToken is the import API's bearer token in these tests.
const importToken = "0123456789abcdef0123456789abcdef"

// TestStaffingRules drives the shipped example rules over signed HTTP and Socket
// Mode: Enter in the New referral form's classification, then its value, pre-selects
// the offices the rules choose and says which rule chose each; the analyst keeps the
// choice on one referral and changes it on another; and an import row with no
// offices gets the rules' offices, its result saying which rule chose each.
func TestStaffingRules(t *testing.T) {
	bothTransports(t, testStaffingRules)
}

// stateReferral fills the rest of the New referral form for a State case: the
// agency, classification and value were entered before pressing Enter.
func stateReferral(caseNumber string) []slackfake.Input {
	var out []slackfake.Input
	for _, in := range referralInputs(caseNumber) {
		switch in.BlockID {
		case bot.FieldAgency, bot.FieldClassification, bot.FieldValue:
			continue
		case bot.FieldLicenseType:
			in.Value = "DSP-5"
		}
		out = append(out, in)
	}
	return out
}

func testStaffingRules(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithSetting("STAFFING_RULES_PATH", staffingRulesExample),
		sandbox.WithSetting("API_TOKEN", importToken))
	enter := func(viewID string, in slackfake.Input, others ...slackfake.Input) slackfake.View {
		t.Helper()
		ack, err := h.Fake.DispatchInput(h.tr, analyst, viewID, in, others...)
		if err != nil || ack.Status != 200 {
			t.Fatalf("Enter in %s: %v (status %d)", in.BlockID, err, ack.Status)
		}
		return h.lastView(analyst, bot.CallbackOpenReferral)
	}
	// preselected returns the offices the form pre-selects and the rules' line.
	preselected := func(v slackfake.View) (offices []string, reasons string) {
		t.Helper()
		for _, b := range v.Blocks.BlockSet {
			switch b := b.(type) {
			case *slack.InputBlock:
				if b.BlockID == bot.FieldOffices {
					for _, o := range b.Element.(*slack.MultiSelectBlockElement).InitialOptions {
						offices = append(offices, o.Value)
					}
				}
			case *slack.ContextBlock:
				if b.BlockID == bot.BlockStaffingReasons {
					reasons = b.ContextElements.Elements[0].(*slack.TextBlockObject).Text
				}
			}
		}
		return offices, reasons
	}

	h.command(analyst, h.General, "new")
	v := h.lastView(analyst, bot.CallbackOpenReferral)
	if offices, reasons := preselected(v); len(offices) != 9 || reasons != "" || !strings.Contains(string(v.JSON), `"dispatch_action":true`) {
		t.Fatalf("the form as opened: offices %v, reasons %q; want every office, no reasons, inputs that dispatch", offices, reasons)
	}
	state := slackfake.Input{BlockID: bot.FieldAgency, Value: "state"}
	v = enter(v.ID, slackfake.Input{BlockID: bot.FieldClassification, Value: "XI(a)(3)"}, state)
	offices, reasons := preselected(v)
	if want := []string{"navy", "infosec"}; !slices.Equal(offices, want) ||
		reasons != "Chosen by the staffing rules (change them freely): Navy, DTSA Information Security: rule 'USML XI'." {
		t.Fatalf("after Enter in the classification: offices %v, reasons %q; want %v by rule 'USML XI'", offices, reasons, want)
	}
	v = enter(v.ID, slackfake.Input{BlockID: bot.FieldValue, Value: "2,000,000"})
	offices, reasons = preselected(v)
	if want := []string{"navy", "policy", "foreign_affairs", "infosec"}; !slices.Equal(offices, want) ||
		!strings.Contains(reasons, "Navy, DTSA Information Security: rule 'USML XI'; Policy, DTSA Foreign Affairs: rule 'Large sale'.") {
		t.Fatalf("after Enter in the value: offices %v, reasons %q; want %v", offices, reasons, want)
	}
	// The analyst keeps the rules' choice: the classification and value typed before stay.
	if ack := h.submit(analyst, v.ID, stateReferral("050000001")...); len(ack.Body) > 0 {
		t.Fatalf("submit: %s", ack.Body)
	}
	h.drain()
	kept, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyState, "050000001")
	if err != nil {
		t.Fatal(err)
	}
	if got := askedOffices(t, h, kept); !slices.Equal(got, []string{"navy", "policy", "foreign_affairs", "infosec"}) || kept.Classification != "XI(a)(3)" || kept.ValueUSD != 2_000_000 {
		t.Errorf("asked %v, classification %q, value %d; want the rules' four offices, XI(a)(3), 2000000", got, kept.Classification, kept.ValueUSD)
	}
	if n := h.count(`SELECT count(*) FROM events WHERE referral_id = ? AND kind = 'referral.opened'
		AND json_extract(detail, '$.staffed_by.navy[0]') = 'USML XI' AND json_extract(detail, '$.staffed_by.policy[0]') = 'Large sale'`, kept.ID); n != 1 {
		t.Errorf("referral.opened events recording the rules = %d; want 1", n)
	}

	// Another form: the analyst drops Information Security and adds Army.
	h.command(analyst, h.General, "new")
	v = h.lastView(analyst, bot.CallbackOpenReferral)
	v = enter(v.ID, slackfake.Input{BlockID: bot.FieldClassification, Value: "XI(b)"}, state)
	h.submit(analyst, v.ID, append(stateReferral("050000002"), slackfake.Input{BlockID: bot.FieldValue, Value: "5000"}, askOffices("army", "navy"))...)
	h.drain()
	changed, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyState, "050000002")
	if err != nil {
		t.Fatal(err)
	}
	if got := askedOffices(t, h, changed); !slices.Equal(got, []string{"army", "navy"}) {
		t.Errorf("asked %v; want the analyst's army and navy", got)
	}
	if n := h.count(`SELECT count(*) FROM events WHERE referral_id = ? AND kind = 'referral.opened'
		AND json_extract(detail, '$.staffed_by.navy[0]') = 'USML XI' AND json_extract(detail, '$.staffed_by.army') IS NULL
		AND json_extract(detail, '$.staffed_by.infosec') IS NULL`, changed.ID); n != 1 {
		t.Errorf("the record credits the rules with an office the analyst chose or dropped")
	}

	// Import: a row with no offices gets the rules' offices; one no rule matches gets
	// every office; one naming offices keeps them.
	body := `{"referrals":[
	{"analyst":"` + analyst + `","agency":"commerce","case_number":"Z700001","license_type":"BIS-748P","applicant":"Acme Photonics Inc.",
	 "commodity":"Thermal imaging cameras","classification":"6A003.b.4","destination":"DE","value":1250000,"received":"2026-11-20"},
	{"analyst":"` + analyst + `","agency":"commerce","case_number":"Z700002","license_type":"BIS-748P","applicant":"Acme Photonics Inc.",
	 "commodity":"Bearings","classification":"2A001","destination":"DE","value":5000,"received":"2026-11-20"},
	{"analyst":"` + analyst + `","agency":"commerce","case_number":"Z700003","license_type":"BIS-748P","applicant":"Acme Photonics Inc.",
	 "commodity":"Thermal imaging cameras","classification":"6A003.b.4","destination":"DE","value":5000,"received":"2026-11-20","offices":["army"]}]}`
	req := httptest.NewRequest(http.MethodPost, "/api/referrals", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+importToken)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.App.Mux.ServeHTTP(rec, req)
	var resp struct{ Results []bot.ImportResult }
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != 200 || len(resp.Results) != 3 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	wantMessages := []string{
		"opened, asking 6 office(s) (Army, Navy, Air Force, DTSA Technology: rule 'Thermal imaging'; Policy, DTSA Foreign Affairs: rule 'Large sale'); the bot creates #ref-commerce-z700001",
		"opened, asking 9 office(s); the bot creates #ref-commerce-z700002",
		"opened, asking 1 office(s); the bot creates #ref-commerce-z700003",
	}
	for i, want := range wantMessages {
		if got := resp.Results[i].Message; got != want {
			t.Errorf("row %d: got %q; want %q", i+1, got, want)
		}
	}
	h.drain()
	imported, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z700001")
	if err != nil {
		t.Fatal(err)
	}
	if got := askedOffices(t, h, imported); !slices.Equal(got, []string{"army", "navy", "air_force", "policy", "technology", "foreign_affairs"}) {
		t.Errorf("imported row asks %v; want the rules' six offices", got)
	}
	if n := h.count(`SELECT count(*) FROM events WHERE referral_id = ? AND kind = 'referral.opened'
		AND json_extract(detail, '$.staffed_by.technology[0]') = 'Thermal imaging'`, imported.ID); n != 1 {
		t.Errorf("the imported referral's record does not say which rule chose Technology")
	}
}

// askedOffices lists the offices a referral asks, in the order they were asked.
func askedOffices(t *testing.T, h *harness, r *bot.Referral) []string {
	t.Helper()
	asks, err := h.App.DB.Asks(h.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range asks {
		out = append(out, a.OfficeCode)
	}
	return out
}

// TestStaffingRulesRefusedAtStart: a rules file naming an office not on the roster
// stops the program before it does anything, naming the rule and the office.
func TestStaffingRulesRefusedAtStart(t *testing.T) {
	dir, env := newImportDB(t)
	env["STAFFING_RULES_PATH"] = writeFile(t, dir, "rules.yaml", "rules:\n  - name: Marines\n    classifications: [\"XI*\"]\n    offices: [marines]\n")
	file := writeFile(t, dir, "referrals.csv", csvRows(goodCSVRow("Z123456")))
	out, errOut, err := runImport(env, file)
	if err == nil || !strings.Contains(err.Error()+errOut, `rule 1 ("Marines"): office "marines" is not on the roster`) || out != "" {
		t.Fatalf("got %v, stdout %q, stderr %q; want a refusal naming the rule and the office", err, out, errOut)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "bot.db"), clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.PendingJobs(context.Background()); n != 0 {
		t.Errorf("pending jobs after the refusal = %d; want none", n)
	}
}
