package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// answerFromHome has user press Answer on their Home tab for the office's ask of
// referral r, and returns the modal the bot opened.
func (h *harness) answerFromHome(user string, r *bot.Referral, office string) slackfake.View {
	h.t.Helper()
	return h.pressHome(user, fmt.Sprintf("home_ask_%d", h.ask(r, office).ID), bot.ActionAnswerFromHome)
}

// A reviewer answers from the Home tab: Approve is recorded on submit, the other
// positions go on to the modal that asks for what must come with them, and the
// position shows in the channel and leaves the Home tab, as from the ask's buttons.
func TestAnswerFromHome(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456")
	army, navy, policy := reviewer("army", 1), reviewer("navy", 1), reviewer("policy", 1)
	tech := reviewer("technology", 1)
	for _, u := range []string{army, navy, tech} {
		h.openHomeTab(u)
	}

	v := h.answerFromHome(army, r, "army")
	if v.CallbackID != bot.CallbackAnswerChoice || !strings.Contains(blocksText(v.Blocks), "Z123456") {
		t.Fatalf("Answer opened %s: %s", v.CallbackID, blocksText(v.Blocks))
	}
	if ack := h.submit(army, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApprove)}); len(ack.Body) > 0 {
		t.Errorf("Approve from the Home tab answered %s; want the modal closed", ack.Body)
	}
	h.drain()
	if p := h.ask(r, "army").Current; p == nil || p.Outcome != bot.OutcomeApprove || p.AnsweredBy != army {
		t.Errorf("army's position after Approve from the Home tab: %+v", p)
	}
	if m := blocksText(h.askMessage(r, "army").Blocks); !strings.Contains(m, "Current position") {
		t.Errorf("army's ask message does not show the position:\n%s", m)
	}
	if home := h.homeText(army); !strings.Contains(home, "Nothing is waiting on your offices") {
		t.Errorf("army reviewer's Home tab after answering:\n%s", home)
	}

	// Deny needs reasons: the choice gives way to the position modal.
	v = h.answerFromHome(navy, r, "navy")
	h.submit(navy, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeDeny)})
	p := h.lastView(navy, bot.CallbackPosition)
	if p.ID != v.ID || !strings.Contains(blocksText(p.Blocks), "Deny") {
		t.Fatalf("after choosing Deny: view %s (%s); want %s replaced by the Deny form", p.ID, p.CallbackID, v.ID)
	}
	h.submit(navy, p.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "Diversion risk."}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	h.drain()
	if pos := h.ask(r, "navy").Current; pos == nil || pos.Outcome != bot.OutcomeDeny || pos.Reasons != "Diversion risk." {
		t.Errorf("navy's position after Deny from the Home tab: %+v", pos)
	}

	// A Home tab not yet refreshed after a colleague answered: what the person did
	// not see is not overwritten.
	policy2 := reviewer("policy", 2)
	h.openHomeTab(policy2)
	h.click(policy, r.ChannelID, h.askMessage(r, "policy").TS, "answer_approve")
	v = h.answerFromHome(policy2, r, "policy")
	h.submit(policy2, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeRWA)})
	p = h.lastView(policy2, bot.CallbackPosition)
	h.submit(policy2, p.ID, slackfake.Input{BlockID: bot.FieldQuestions, Value: "Who is the end user?"})
	if text := blocksText(h.lastView(policy2, "").Blocks); !strings.Contains(text, "Meanwhile") {
		t.Errorf("answering over a colleague's unseen position: %s", text)
	}
	if pos := h.ask(r, "policy").Current; pos == nil || pos.Outcome != bot.OutcomeApprove {
		t.Errorf("policy's position after the refused overwrite: %+v", pos)
	}
	h.drain()

	// A Home tab not yet refreshed after the final recommendation: Answer says why
	// nothing can be recorded, in a modal, since there is no channel to say it in.
	h.command(analyst, r.ChannelID, "recommend")
	rec := h.lastView(analyst, bot.CallbackRecommendation)
	h.submit(analyst, rec.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeDeny)},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Navy's diversion concern stands."},
		slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	v = h.answerFromHome(tech, r, "technology")
	if text := blocksText(v.Blocks); v.CallbackID == bot.CallbackAnswerChoice || !strings.Contains(text, "already recorded") {
		t.Errorf("Answer after the recommendation opened %s: %s", v.CallbackID, text)
	}
	h.drain()
	if h.ask(r, "technology").Current != nil {
		t.Error("technology got a position after the final recommendation")
	}
}
