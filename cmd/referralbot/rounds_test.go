package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// formErrors submits the New referral form for the case as the analyst and
// returns the problems Slack would show on it (none: the referral opened).
func (h *harness) formErrors(caseNumber string, more ...slackfake.Input) map[string]string {
	h.t.Helper()
	h.command(analyst, h.General, "new")
	v := h.lastView(analyst, bot.CallbackOpenReferral)
	ack := h.submit(analyst, v.ID, append(referralInputs(caseNumber), more...)...)
	var resp struct {
		Errors map[string]string `json:"errors"`
	}
	if len(ack.Body) > 0 {
		if err := json.Unmarshal(ack.Body, &resp); err != nil {
			h.t.Fatalf("ack %s: %v", ack.Body, err)
		}
	}
	h.drain()
	return resp.Errors
}

// TestSecondRound: a case comes back after its final recommendation. While its
// round is open a second form is refused as a duplicate; after the final it opens
// only when the analyst says how it came back, as round 2 in its own channel,
// linked to round 1, each office asked again with its round-1 position shown as
// prior (stale). Round 1's record is untouched; round 2's names the earlier round.
func TestSecondRound(t *testing.T) { bothTransports(t, testSecondRound) }

func testSecondRound(t *testing.T, transport string) {
	h := newHarness(t, transport)
	r1 := h.openReferralWith("Z123456", askOffices("army", "navy"))
	h.click(reviewer("army", 1), r1.ChannelID, h.askMessage(r1, "army").TS, "answer_approve")
	h.click(reviewer("navy", 1), r1.ChannelID, h.askMessage(r1, "navy").TS, "answer_approve")
	h.drain()

	resubmission := slackfake.Input{BlockID: bot.FieldReReferral, Value: bot.ReReferralResubmission}
	errs := h.formErrors("Z123456", resubmission)
	if msg := errs[bot.FieldCaseNumber]; !strings.Contains(msg, "already open in #"+r1.ChannelName+".") ||
		!strings.Contains(msg, "only after its final recommendation") {
		t.Errorf("duplicate of an open round: errors %v", errs)
	}
	if n := h.count(`SELECT COUNT(*) FROM referrals`); n != 1 {
		t.Fatalf("%d referrals after a refused duplicate; want 1", n)
	}

	h.recommend(r1, bot.OutcomeApprove, "")
	errs = h.formErrors("Z123456")
	if msg := errs[bot.FieldReReferral]; !strings.Contains(msg, "already has its final recommendation (round 1)") || !strings.Contains(msg, "round 2") {
		t.Errorf("re-referral without saying how: errors %v", errs)
	}
	if errs := h.formErrors("Z654321", resubmission); !strings.Contains(errs[bot.FieldReReferral], "has no earlier round") {
		t.Errorf("re-referral of an unknown case: errors %v", errs)
	}
	if errs := h.formErrors("Z123456", resubmission, askOffices("army", "navy", "policy")); len(errs) != 0 {
		t.Fatalf("second round refused: %v", errs)
	}

	r2, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z123456")
	if err != nil {
		t.Fatal(err)
	}
	if r2.ID == r1.ID || r2.Round != 2 || r2.PriorID != r1.ID || r2.ReReferral != bot.ReReferralResubmission ||
		r2.ChannelName != "ref-commerce-z123456-r2" || r2.ChannelID == "" || r2.ChannelID == r1.ChannelID {
		t.Fatalf("round 2 = %+v; want its own channel, linked to referral %d", r2, r1.ID)
	}

	army := blocksText(h.askMessage(r2, "army").Blocks)
	for _, want := range []string{"(round 2)", "*Prior position, round 1 (stale — please answer again):* :white_check_mark: Approve — <@" + reviewer("army", 1) + ">", "[Approve]"} {
		if !strings.Contains(army, want) {
			t.Errorf("round 2 army ask lacks %q:\n%s", want, army)
		}
	}
	if policy := blocksText(h.askMessage(r2, "policy").Blocks); strings.Contains(policy, "Prior position") {
		t.Errorf("policy was not asked in round 1, yet its ask shows a prior position:\n%s", policy)
	}
	for _, code := range []string{"army", "navy", "policy"} {
		if a := h.ask(r2, code); a.State != bot.AskAwaiting || a.Current != nil {
			t.Errorf("round 2 %s ask = %s %+v; want awaiting, asked again", code, a.State, a.Current)
		}
	}
	summary := blocksText(h.Fake.Messages(r2.ChannelID)[0].Blocks)
	for _, want := range []string{"*Round 2* — Resubmission. Earlier: round 1 in <#" + r1.ChannelID + ">, final recommendation Approve",
		"*Army* — awaiting · due " + bot.FormatDate(r2.OfficeDueDate) + " · _prior (round 1, stale): Approve_"} {
		if !strings.Contains(summary, want) {
			t.Errorf("round 2 summary lacks %q:\n%s", want, summary)
		}
	}

	// Army answers again in round 2: a position of round 2; round 1 keeps its own.
	h.click(reviewer("army", 2), r2.ChannelID, h.askMessage(r2, "army").TS, "answer_approve")
	h.drain()
	if p := h.ask(r2, "army").Current; p == nil || p.AnsweredBy != reviewer("army", 2) {
		t.Errorf("round 2 army position = %+v", p)
	}
	if n := h.count(`SELECT COUNT(*) FROM positions WHERE referral_id = ?`, r1.ID); n != 2 {
		t.Errorf("round 1 positions = %d; want its 2, untouched", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = 'referral.referred_again'`, r1.ID); n != 1 {
		t.Errorf("round 1 referred_again events = %d; want 1", n)
	}

	full, err := h.App.Service.Record(h.ctx, r2.ID)
	if err != nil {
		t.Fatal(err)
	}
	md := record.Markdown(full)
	for _, want := range []string{"## Round 2", "Resubmission of a case DoD recommended on before: earlier round referral 1 (channel " + r1.ChannelID + "), final recommendation **Approve**",
		"- Army: Approve, by " + reviewer("army", 1)} {
		if !strings.Contains(md, want) {
			t.Errorf("round 2 record lacks %q", want)
		}
	}
	doc := record.NewDocument(full)
	if doc.Round.Number != 2 || doc.Round.EarlierReferralID != r1.ID || len(doc.Round.Prior) != 2 {
		t.Errorf("round 2 export round = %+v", doc.Round)
	}
	if old, err := h.App.Service.Record(h.ctx, r1.ID); err != nil || strings.Contains(record.Markdown(old), "## Round") {
		t.Errorf("round 1 record shows a round section (%v)", err)
	}
}
