package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestSupervisorWorkload: a supervisor's Home tab counts every analyst's open
// referrals and the overdue ones (an office past its suspense, or the DoD due date
// passed), lists the recommendations awaiting their sign-off, and its Reassign…
// button hands a referral to another analyst; bad choices show beside their
// fields, and someone no longer a supervisor is refused.
func TestSupervisorWorkload(t *testing.T) { bothTransports(t, testSupervisorWorkload) }

func testSupervisorWorkload(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithSetting("SIGN_OFF_REQUIRED", "deny"))
	sup := sandbox.Supervisor

	// The analyst's three: one whose Army suspense passes, one unstaffed whose DoD
	// due date passes, one on time. The second analyst's Deny awaits a sign-off.
	late := h.openReferralWith("Z100001", askOffices("army", "navy"))
	h.command(analyst, late.ChannelID, "extend army 2026-11-30 waiting on the technical data")
	lapsed := h.openReferralWith("Z100002", askOffices(), slackfake.Input{BlockID: bot.FieldDoDDue, Value: "2026-11-30"})
	onTime := h.openReferralWith("Z100004", askOffices("navy"))
	signed := h.openReferralAs(analyst2, "Z100003", askOffices("army"))
	h.command(analyst2, signed.ChannelID, "recommend")
	v := h.lastView(analyst2, bot.CallbackRecommendation)
	if ack := h.submit(analyst2, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeDeny)},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Diversion risk."},
		slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21"}); len(ack.Body) > 0 {
		t.Fatalf("deny refused: %s", ack.Body)
	}
	h.drain()
	h.Clock.Set(time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC))

	h.openHomeTab(sup)
	home := h.homeText(sup)
	for _, want := range []string{
		"Analysts' workload",
		"<@" + analyst + "> · *3 open* · :warning: *2 overdue* · next DoD due *2026-11-30*",
		"<@" + analyst2 + "> · *1 open* · none overdue · next DoD due *2026-12-20*",
		"Awaiting your sign-off",
		"<#" + signed.ChannelID + "> · *Commerce BIS-748P Z100003* · *Deny* recorded by <@" + analyst2 + "> · DoD due *2026-12-20*",
	} {
		if !strings.Contains(home, want) {
			t.Errorf("supervisor's Home tab lacks %q:\n%s", want, home)
		}
	}
	if i, j := strings.Index(home, "<@"+analyst+"> ·"), strings.Index(home, "<@"+analyst2+"> ·"); i > j {
		t.Errorf("the analyst with overdue referrals is not first:\n%s", home)
	}
	if strings.Contains(home, "Acme Photonics") {
		t.Errorf("supervisor's Home tab shows a referral's details:\n%s", home)
	}
	if home := h.openHomeTab(analyst); strings.Contains(h.homeText(analyst), "Analysts' workload") {
		t.Errorf("an analyst who is no supervisor sees the workload (%s):\n%s", home, h.homeText(analyst))
	}

	// Reassign… on the analyst's row: their referrals, least time left first.
	v = h.pressHome(sup, "home_analyst_"+analyst, bot.ActionReassignFromHome)
	if v.CallbackID != bot.CallbackReassign {
		t.Fatalf("Reassign… opened %q: %s", v.CallbackID, blocksText(v.Blocks))
	}
	choose := func(r *bot.Referral) slackfake.Input {
		return slackfake.Input{BlockID: bot.FieldReassignReferral, Value: strconv.FormatInt(r.ID, 10)}
	}
	to := func(u string) slackfake.Input { return slackfake.Input{BlockID: bot.FieldReassignTo, Value: u} }
	errs := errorsOf(t, h.submit(sup, v.ID, choose(late), to(outsider)))
	if !strings.Contains(errs[bot.FieldReassignTo], "not a licensing analyst") || len(errs) != 1 {
		t.Errorf("reassign to a non-analyst: errors %v", errs)
	}
	errs = errorsOf(t, h.submit(sup, v.ID, choose(late), to(analyst)))
	if !strings.Contains(errs[bot.FieldReassignTo], "own it already") {
		t.Errorf("reassign to its own analyst: errors %v", errs)
	}
	if ref := h.referral(late.ID); ref.AnalystID != analyst {
		t.Fatalf("a refused choice changed the analyst to %s", ref.AnalystID)
	}
	if ack := h.submit(sup, v.ID, choose(late), to(analyst2)); len(ack.Body) > 0 {
		t.Fatalf("reassign from the Home tab answered %s; want the modal closed", ack.Body)
	}
	h.drain()
	if ref := h.referral(late.ID); ref.AnalystID != analyst2 {
		t.Errorf("Z100001's analyst = %s; want %s", ref.AnalystID, analyst2)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = 'referral.reassigned' AND actor = ?
		AND json_extract(detail, '$.from') = ? AND json_extract(detail, '$.to') = ?`, late.ID, sup, analyst, analyst2); n != 1 {
		t.Errorf("reassigned events by the supervisor = %d; want 1", n)
	}
	home = h.homeText(sup) // refreshed by the reassignment, without a new visit
	for _, want := range []string{"<@" + analyst + "> · *2 open* · :warning: *1 overdue*", "<@" + analyst2 + "> · *2 open* · :warning: *1 overdue*"} {
		if !strings.Contains(home, want) {
			t.Errorf("supervisor's Home tab after the reassignment lacks %q:\n%s", want, home)
		}
	}

	// /referral reassign keeps working, for supervisors too, with a case number.
	if got := h.command(sup, h.General, "reassign commerce:Z100004 <@"+analyst2+">").Text(); !strings.Contains(got, "Z100004 is now <@"+analyst2+">'s") {
		t.Errorf("supervisor's /referral reassign = %q", got)
	}
	h.drain()
	if ref := h.referral(onTime.ID); ref.AnalystID != analyst2 {
		t.Errorf("Z100004's analyst = %s; want %s", ref.AnalystID, analyst2)
	}
	if got := h.command(reviewer("army", 1), h.General, "reassign commerce:Z100002 <@"+analyst2+">").Text(); !strings.Contains(got, "Only licensing analysts and supervisors can reassign") {
		t.Errorf("reviewer's /referral reassign = %q", got)
	}

	// Someone taken off the supervisors is refused from the Home tab they still see.
	h.Fake.SetUserGroupMembers(sandbox.SupervisorGroup)
	h.Clock.Set(time.Date(2026, 12, 1, 15, 5, 0, 0, time.UTC)) // past the group cache
	v = h.pressHome(sup, "home_analyst_"+analyst, bot.ActionReassignFromHome)
	if text := blocksText(v.Blocks); v.CallbackID == bot.CallbackReassign || !strings.Contains(text, "Only licensing analysts and supervisors can reassign") {
		t.Errorf("Reassign… by a former supervisor opened %q: %s", v.CallbackID, text)
	}
	if ref := h.referral(lapsed.ID); ref.AnalystID != analyst {
		t.Errorf("Z100002's analyst = %s; want unchanged", ref.AnalystID)
	}
}

// pressHome has user press a button on their Home tab and returns the modal the
// bot opened.
func (h *harness) pressHome(user, blockID, actionID string) slackfake.View {
	h.t.Helper()
	home, ok := h.Fake.HomeView(user)
	if !ok {
		h.t.Fatalf("no Home tab for %s", user)
	}
	ack, err := h.Fake.ClickViewButton(h.tr, user, home.ID, blockID, actionID)
	if err != nil || ack.Status != 200 {
		h.t.Fatalf("%s presses %s on %s: %v (status %d)", user, actionID, blockID, err, ack.Status)
	}
	v, ok := h.Fake.LastView(user)
	if !ok || v.Closed {
		h.t.Fatalf("no modal opened for %s", user)
	}
	return v
}
