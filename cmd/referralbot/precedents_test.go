package main

import (
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestPrecedents drives the precedent panel end to end: two decided referrals of
// one applicant (spelled two ways), then a third whose opening shows the analyst
// both, whose recommendation form summarises them, and whose /referral precedents
// shows an analyst everything and a reviewer only their office's earlier asks.
func TestPrecedents(t *testing.T) { bothTransports(t, testPrecedents) }

func testPrecedents(t *testing.T, transport string) {
	h := newHarness(t, transport)
	// Army alone was asked on the first; Navy alone on the second.
	first := h.openReferralWith("Z100001", askOffices("army"))
	if eph := h.ephemeralsTo(first.ChannelID, analyst); len(eph) != 0 {
		t.Errorf("the first referral of an applicant showed precedents: %q", eph)
	}
	h.command(analyst, first.ChannelID, "recommend")
	v := h.lastView(analyst, bot.CallbackRecommendation)
	if txt := string(v.JSON); !strings.Contains(txt, "No earlier final recommendation matches") {
		t.Errorf("recommendation form of the first referral lacks its empty precedents: %s", txt)
	}
	if ack := h.submit(analyst, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApproveWithProvisos)},
		slackfake.Input{BlockID: bot.FieldAddProvisos, Value: "For stated end-use only"}); len(ack.Body) > 0 {
		t.Fatalf("recommendation refused: %s", ack.Body)
	}
	h.drain()
	second := h.openReferralWith("Z100002", askOffices("navy"),
		slackfake.Input{BlockID: bot.FieldApplicant, Value: "ACME PHOTONICS, L.L.C."})
	h.recommend(second, bot.OutcomeRWA, "The end-use statement is missing.")

	third := h.openReferralWith("Z100003", askOffices("army", "navy"))
	var opened []string
	for _, e := range h.Fake.Ephemerals(third.ChannelID) {
		if e.User == analyst {
			opened = append(opened, blocksText(e.Blocks))
		}
	}
	if len(opened) != 1 || !strings.Contains(opened[0], "Precedents for Commerce BIS-748P Z100003") ||
		!strings.Contains(opened[0], "*Same applicant* (Acme Photonics Inc.): 2 referrals") ||
		!strings.Contains(opened[0], "`Z100001`") || !strings.Contains(opened[0], "`Z100002`") ||
		!strings.Contains(opened[0], "<#"+first.ChannelID+">") ||
		!strings.Contains(opened[0], "“For stated end-use only” (1×)") {
		t.Errorf("the analyst's precedents on opening = %q", opened)
	}
	for _, e := range h.Fake.Ephemerals(third.ChannelID) {
		if e.User != analyst {
			t.Errorf("precedents shown to %s on opening", e.User)
		}
	}

	// The recommendation form summarises them under its header.
	h.command(analyst, third.ChannelID, "recommend")
	v = h.lastView(analyst, bot.CallbackRecommendation)
	if txt := string(v.JSON); !strings.Contains(txt, ":books: *Precedents*") || !strings.Contains(txt, "Z100002") {
		t.Errorf("recommendation form lacks the precedents: %s", txt)
	}

	// /referral precedents: the analyst, by case number from anywhere, sees both.
	all := ackBlocksText(t, h.command(analyst, h.General, "precedents Z100003"))
	if !strings.Contains(all, "2 referrals — 1 Approve with conditions, 1 Return without action (RWA)") || !strings.Contains(all, "Z100001") {
		t.Errorf("/referral precedents for the analyst = %s", all)
	}
	// A reviewer of the Army sees the referral the Army was asked on, not the Navy's,
	// and no counts across DoD.
	army := ackBlocksText(t, h.command(reviewer("army", 1), third.ChannelID, "precedents"))
	if !strings.Contains(army, "Z100001") || strings.Contains(army, "Z100002") || strings.Contains(army, "2 referrals") ||
		!strings.Contains(army, "only earlier referrals your office was asked on") {
		t.Errorf("/referral precedents for an Army reviewer = %s", army)
	}
	navy := ackBlocksText(t, h.command(reviewer("navy", 1), third.ChannelID, "precedents"))
	if !strings.Contains(navy, "Z100002") || strings.Contains(navy, "Z100001") {
		t.Errorf("/referral precedents for a Navy reviewer = %s", navy)
	}
	// Someone neither analyst nor asked sees nothing (they are not in the channel,
	// so they can only name the case).
	if txt := string(h.command(reviewer("policy", 1), h.General, "precedents Z100003").Body); strings.Contains(txt, "Precedents for") || strings.Contains(txt, "Z100001") {
		t.Errorf("/referral precedents for a Policy reviewer = %q", txt)
	}
	if got := h.count(`SELECT COUNT(*) FROM precedents`); got != 2 {
		t.Errorf("%d referrals in the precedent index; want the 2 decided", got)
	}
}
