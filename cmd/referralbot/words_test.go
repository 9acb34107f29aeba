package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestCommerceWords drives a Commerce referral over signed HTTP and Socket Mode in
// the users' words: conditions rather than provisos, Return without action, and a
// denial that is refused until it carries its statutory and regulatory basis as
// well as its reasons (EO 12981), in an office's position and in the final
// recommendation, which the record then shows.
func TestCommerceWords(t *testing.T) {
	for _, transport := range []string{"http", "socket"} {
		t.Run(transport, func(t *testing.T) { testCommerceWords(t, transport) })
	}
}

func testCommerceWords(t *testing.T, transport string) {
	h := newHarness(t, transport)
	r := h.openReferral("Z123456")
	errorsOf := func(ack slackfake.Ack) map[string]string {
		t.Helper()
		var resp struct {
			Action string            `json:"response_action"`
			Errors map[string]string `json:"errors"`
		}
		if err := ack.Decode(&resp); err != nil || resp.Action != "errors" {
			t.Fatalf("ack = %s (%v); want response_action errors", ack.Body, err)
		}
		return resp.Errors
	}

	army := h.askMessage(r, "army")
	if txt := blocksText(army.Blocks); !strings.Contains(txt, "[Approve with conditions]") || !strings.Contains(txt, "[Return without action]") ||
		strings.Contains(txt, "provisos") || strings.Contains(txt, "more information") {
		t.Errorf("army ask buttons = %s", txt)
	}

	// Navy approves with conditions.
	h.click(reviewer("navy", 1), r.ChannelID, h.askMessage(r, "navy").TS, "answer_approve_with_provisos")
	v := h.lastView(reviewer("navy", 1), bot.CallbackPosition)
	if txt := string(v.JSON); !strings.Contains(txt, `"Conditions"`) || !strings.Contains(txt, "Approve with conditions") {
		t.Errorf("conditions modal lacks its words: %s", txt)
	}
	if errs := errorsOf(h.submit(reviewer("navy", 1), v.ID, slackfake.Input{BlockID: bot.FieldProvisos, Value: " \n"})); errs[bot.FieldProvisos] != "Enter at least one condition, one per line." {
		t.Errorf("empty conditions: %v", errs)
	}
	h.submit(reviewer("navy", 1), v.ID, slackfake.Input{BlockID: bot.FieldProvisos, Value: "For stated end-use only"})

	// Policy denies: the reasons alone are refused; the basis is asked for by name.
	h.click(reviewer("policy", 1), r.ChannelID, h.askMessage(r, "policy").TS, "answer_deny")
	v = h.lastView(reviewer("policy", 1), bot.CallbackPosition)
	if txt := blocksText(v.Blocks) + string(v.JSON); !strings.Contains(txt, "Statutory and regulatory basis") || !strings.Contains(txt, "EO 12981") {
		t.Errorf("Commerce deny modal lacks the basis field: %s", txt)
	}
	reasons := slackfake.Input{BlockID: bot.FieldReasons, Value: "Diversion risk to a restricted end user."}
	errs := errorsOf(h.submit(reviewer("policy", 1), v.ID, reasons, slackfake.Input{BlockID: bot.FieldBasis, Value: "   "}))
	if !strings.Contains(errs[bot.FieldBasis], "statutory and regulatory basis") || len(errs) != 1 {
		t.Errorf("deny without basis: errors %v; want one on the basis", errs)
	}
	h.drain()
	if p := h.ask(r, "policy").Current; p != nil {
		t.Fatalf("a denial without its basis was recorded: %+v", p)
	}
	h.submit(reviewer("policy", 1), v.ID, reasons, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})

	// Air Force returns it without action.
	h.click(reviewer("air_force", 1), r.ChannelID, h.askMessage(r, "air_force").TS, "answer_rwa")
	v = h.lastView(reviewer("air_force", 1), bot.CallbackPosition)
	if v.Title != "Return without action" {
		t.Errorf("RWA modal title %q; want Return without action", v.Title)
	}
	h.submit(reviewer("air_force", 1), v.ID, slackfake.Input{BlockID: bot.FieldQuestions, Value: "Who is the ultimate end user?"})
	h.drain()
	if p := h.ask(r, "policy").Current; p == nil || p.Basis != "15 CFR 744.21; 50 U.S.C. 4813" {
		t.Fatalf("policy position = %+v; want the basis kept", p)
	}
	summary := blocksText(h.Fake.Messages(r.ChannelID)[0].Blocks)
	for _, want := range []string{"*Navy* — Approve with conditions by", "*Air Force* — Return without action (RWA) by"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}

	// The final Deny needs the basis as well as the rationale.
	h.command(analyst, r.ChannelID, "recommend")
	v = h.lastView(analyst, bot.CallbackRecommendation)
	modal := blocksText(v.Blocks) + string(v.JSON)
	for _, want := range []string{"Navy condition 1: For stated end-use only", "Additional conditions (DTSA)", "Return without action (RWA)", "Statutory and regulatory basis", "*Statutory and regulatory basis:* 15 CFR 744.21"} {
		if !strings.Contains(modal, want) {
			t.Errorf("recommendation modal lacks %q", want)
		}
	}
	deny := slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeDeny)}
	rationale := slackfake.Input{BlockID: bot.FieldRationale, Value: "Policy's diversion concern stands."}
	errs = errorsOf(h.submit(analyst, v.ID, deny, rationale))
	if !strings.Contains(errs[bot.FieldBasis], "EO 12981") {
		t.Errorf("final deny without basis: errors %v; want one on the basis", errs)
	}
	h.submit(analyst, v.ID, deny, rationale, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21 (military end use)"})
	h.drain()
	rec, err := h.App.DB.Recommendation(h.ctx, r.ID)
	if err != nil || rec.Basis != "15 CFR 744.21 (military end use)" {
		t.Fatalf("recommendation = %+v, %v; want the basis kept", rec, err)
	}
	final, ok := h.Fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool { return strings.Contains(m.Text, "Final DoD recommendation") })
	if txt := blocksText(final.Blocks); !ok || !strings.Contains(txt, "*Statutory and regulatory basis:* 15 CFR 744.21 (military end use)") ||
		!strings.Contains(txt, "*Navy* (Approve with conditions)") || !strings.Contains(txt, "*Air Force* (Return without action (RWA))") {
		t.Errorf("final message = %s", txt)
	}

	full, err := h.App.Service.Record(h.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	md := record.Markdown(full)
	for _, want := range []string{
		"Statutory and regulatory basis: 15 CFR 744.21 (military end use)",
		"  - Statutory and regulatory basis: 15 CFR 744.21; 50 U.S.C. 4813",
		"  - Condition: For stated end-use only",
		"## Conditions by originating office",
		"**Return without action (RWA)**",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("record lacks %q", want)
		}
	}
}

// swapLicense rewrites the license type in a view submission on its way to the
// bot, as a form opened before DSP-85 left the list would still send it.
type swapLicense struct {
	slackfake.Transport
	from, to string
}

func (s swapLicense) Deliver(ctx context.Context, d slackfake.Delivery) (slackfake.Ack, error) {
	if d.Kind == slackfake.KindInteraction {
		d.Payload = bytes.ReplaceAll(d.Payload, []byte(`"value":"`+s.from+`"`), []byte(`"value":"`+s.to+`"`))
	}
	return s.Transport.Deliver(ctx, d)
}

// TestClassifiedLicenseRefused: the New referral form offers no DSP-85, and a
// submission naming it is refused on the field, saying why; nothing is opened.
func TestClassifiedLicenseRefused(t *testing.T) {
	h := newHarness(t, "http")
	h.command(analyst, h.General, "new")
	v := h.lastView(analyst, bot.CallbackOpenReferral)
	if strings.Contains(string(v.JSON), "DSP-85") {
		t.Error("the New referral form offers DSP-85")
	}
	h.tr.Transport = swapLicense{Transport: h.tr.Transport, from: "BIS-748P", to: "DSP-85"}
	ack := h.submit(analyst, v.ID, referralInputs("Z123456")...)
	var resp struct {
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack.Body, &resp); err != nil || resp.Errors[bot.FieldLicenseType] != bot.ClassifiedRefusal {
		t.Errorf("ack = %s (%v); want the classified refusal on license_type", ack.Body, err)
	}
	h.drain()
	if n := h.count(`SELECT COUNT(*) FROM referrals`); n != 0 {
		t.Errorf("%d referrals opened; want none", n)
	}
}
