package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestLifecycle drives one referral from opening to the final recommendation, as
// people in Slack would, over signed HTTP and over Socket Mode, and checks what
// Slack was told and what SQLite holds.
func TestLifecycle(t *testing.T) {
	for _, transport := range []string{"http", "socket"} {
		t.Run(transport, func(t *testing.T) { testLifecycle(t, transport) })
	}
}

func testLifecycle(t *testing.T, transport string) {
	h := newHarness(t, transport)
	offices := bot.DefaultOffices()

	// Open: a private channel, topic, members, one summary and one ask per office.
	r := h.openReferral("Z123456")
	ch, ok := h.Fake.Channel(r.ChannelID)
	if !ok || ch.Name != "ref-commerce-z123456" || !ch.IsPrivate {
		t.Fatalf("channel = %+v (found %v); want private ref-commerce-z123456", ch, ok)
	}
	if !strings.Contains(ch.Topic, "Z123456") || !strings.Contains(ch.Topic, "DoD due 2026-12-20") {
		t.Errorf("topic = %q; want the case and DoD due date", ch.Topic)
	}
	for _, u := range []string{analyst, reviewer("army", 1), reviewer("infosec", 2)} {
		if !ch.HasMember(u) {
			t.Errorf("%s is not in the channel", u)
		}
	}
	if ch.HasMember(outsider) {
		t.Error("an outsider was invited")
	}
	msgs := h.Fake.Messages(r.ChannelID)
	if got, want := len(msgs), 1+len(offices); got != want {
		t.Fatalf("channel has %d messages; want summary + %d asks", got, len(offices))
	}
	if !strings.Contains(blocksText(msgs[0].Blocks), "0 of 9 offices answered") {
		t.Errorf("summary = %s", blocksText(msgs[0].Blocks))
	}
	armyAsk := h.askMessage(r, "army")
	if txt := blocksText(armyAsk.Blocks); !strings.Contains(txt, "[Approve]") || !strings.Contains(txt, "[Deny]") || !strings.Contains(txt, "<!subteam^SARMY>") {
		t.Errorf("army ask = %s", txt)
	}

	// Each of the four answers.
	h.click(reviewer("army", 1), r.ChannelID, armyAsk.TS, "answer_approve")
	h.drain()
	if a := h.ask(r, "army"); a.Current == nil || a.Current.Outcome != bot.OutcomeApprove || a.Current.AnsweredBy != reviewer("army", 1) {
		t.Fatalf("army position = %+v", a.Current)
	}
	if m := h.askMessage(r, "army"); m.Updates == 0 || !strings.Contains(blocksText(m.Blocks), "Current position:* :white_check_mark: Approve — <@UARMY1>") {
		t.Errorf("army ask not updated to its position: %s", blocksText(m.Blocks))
	}

	navy := h.askMessage(r, "navy")
	h.click(reviewer("navy", 2), r.ChannelID, navy.TS, "answer_approve_with_provisos")
	v := h.lastView(reviewer("navy", 2), bot.CallbackPosition)
	ack := h.submit(reviewer("navy", 2), v.ID, slackfake.Input{BlockID: bot.FieldProvisos, Value: "  \n"})
	if !strings.Contains(string(ack.Body), `"provisos"`) {
		t.Errorf("empty provisos ack = %s; want an inline error on provisos", ack.Body)
	}
	h.submit(reviewer("navy", 2), v.ID, slackfake.Input{BlockID: bot.FieldProvisos, Value: "For stated end-use only\nNo reexport without prior U.S. Government authorization"})
	h.drain()
	if p := h.ask(r, "navy").Current; p == nil || len(p.Provisos) != 2 || p.Provisos[1].OfficeCode != "navy" {
		t.Fatalf("navy position = %+v", p)
	}

	af := h.askMessage(r, "air_force")
	h.click(reviewer("air_force", 1), r.ChannelID, af.TS, "answer_rwa")
	v = h.lastView(reviewer("air_force", 1), bot.CallbackPosition)
	h.submit(reviewer("air_force", 1), v.ID, slackfake.Input{BlockID: bot.FieldQuestions, Value: "Who is the ultimate end user of the spare cores?"})

	pol := h.askMessage(r, "policy")
	h.click(reviewer("policy", 1), r.ChannelID, pol.TS, "answer_deny")
	v = h.lastView(reviewer("policy", 1), bot.CallbackPosition)
	h.submit(reviewer("policy", 1), v.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "Diversion risk to a restricted end user."}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	h.drain()
	if p := h.ask(r, "policy").Current; p == nil || p.Outcome != bot.OutcomeDeny || p.Reasons == "" {
		t.Fatalf("policy position = %+v", p)
	}

	// Someone not on the office's roster is refused, and nothing is recorded.
	intruder := reviewer("navy", 1)
	h.click(intruder, r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.click(intruder, r.ChannelID, h.askMessage(r, "army").TS, "answer_deny")
	if _, ok := h.Fake.LastView(intruder); ok {
		t.Error("a modal was opened for someone not on the roster")
	}
	refusals := h.ephemeralsTo(r.ChannelID, intruder)
	if len(refusals) != 2 || !strings.Contains(refusals[0], "Only people on the Army roster") {
		t.Errorf("refusals = %q", refusals)
	}
	history, err := h.App.DB.Positions(h.ctx, h.ask(r, "army").ID)
	if err != nil || len(history) != 1 {
		t.Fatalf("army history = %d versions (%v); want 1", len(history), err)
	}

	// A change of position keeps the history.
	h.click(reviewer("army", 2), r.ChannelID, h.askMessage(r, "army").TS, "answer_deny")
	v = h.lastView(reviewer("army", 2), bot.CallbackPosition)
	h.submit(reviewer("army", 2), v.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "New intelligence on the end user."}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	h.drain()
	history, _ = h.App.DB.Positions(h.ctx, h.ask(r, "army").ID)
	if len(history) != 2 || history[0].Outcome != bot.OutcomeApprove || history[1].Outcome != bot.OutcomeDeny || history[1].AnsweredBy != reviewer("army", 2) {
		t.Fatalf("army history = %+v; want approve then deny", history)
	}

	// The tally is updated in place and /referral status shows it to the caller.
	summary := h.Fake.Messages(r.ChannelID)[0]
	if txt := blocksText(summary.Blocks); summary.Updates == 0 || !strings.Contains(txt, "4 of 9 offices answered") ||
		!strings.Contains(txt, "*Army* — Deny by <@UARMY2>") || !strings.Contains(txt, "*DTSA Information Security* — awaiting") {
		t.Errorf("summary (updated %d times) = %s", summary.Updates, txt)
	}
	ack = h.command(reviewer("technology", 1), r.ChannelID, "status")
	var status struct {
		ResponseType string          `json:"response_type"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	if err := ack.Decode(&status); err != nil || status.ResponseType != "ephemeral" || !strings.Contains(string(status.Blocks), `Approve with conditions by \u003c@UNAVY2\u003e`) {
		t.Errorf("status ack = %s (%v)", ack.Body, err)
	}
	if ack := h.command(analyst, h.General, "status"); !strings.Contains(string(ack.Body), "isn't a referral channel") {
		t.Errorf("status outside a referral channel = %s", ack.Body)
	}

	// Only analysts may recommend.
	if ack := h.command(reviewer("army", 1), r.ChannelID, "recommend"); !strings.Contains(string(ack.Body), "Only licensing analysts") {
		t.Errorf("recommend by a reviewer = %s", ack.Body)
	}
	h.command(analyst, r.ChannelID, "recommend")
	v = h.lastView(analyst, bot.CallbackRecommendation)
	modalText := blocksText(v.Blocks)
	for _, want := range []string{"*Army* — :no_entry: Deny", "*Navy* — :ballot_box_with_check: Approve with conditions", "Diversion risk", "No position yet:"} {
		if !strings.Contains(modalText, want) {
			t.Errorf("recommendation modal lacks %q:\n%s", want, modalText)
		}
	}
	ack = h.submit(analyst, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeDeny)})
	if !strings.Contains(string(ack.Body), bot.FieldRationale) {
		t.Errorf("deny without rationale ack = %s; want an inline error on the rationale", ack.Body)
	}
	h.submit(analyst, v.ID,
		slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApproveWithProvisos)},
		slackfake.Input{BlockID: bot.FieldFate("navy", 2), Value: string(bot.FateModified)},
		slackfake.Input{BlockID: bot.FieldFateWords("navy", 2), Value: "No reexport without prior U.S. Government authorization, in writing"},
		slackfake.Input{BlockID: bot.FieldAddProvisos, Value: "Applicant must inform consignee of all license conditions"},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Navy's provisos address Policy's diversion concern."})

	// A button pressed after the recommendation, before its message caught up, is politely refused.
	late := reviewer("joint_staff", 1)
	h.click(late, r.ChannelID, h.askMessage(r, "joint_staff").TS, "answer_approve")
	if got := h.ephemeralsTo(r.ChannelID, late); len(got) != 1 || !strings.Contains(got[0], "already recorded") {
		t.Errorf("late press answer = %q", got)
	}
	h.drain()

	rec, err := h.App.DB.Recommendation(h.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != bot.OutcomeApproveWithProvisos || rec.RecordedBy != analyst || len(rec.Provisos) != 3 ||
		rec.Provisos[1].OfficeCode != "navy" || !strings.HasSuffix(rec.Provisos[1].Text, "in writing") || rec.Provisos[2].OfficeCode != bot.OfficeDTSA {
		t.Errorf("recommendation = %+v", rec)
	}
	if want := []string{"army", "air_force", "policy"}; !slices.Equal(rec.Dissent, want) {
		t.Errorf("dissent = %v; want %v", rec.Dissent, want)
	}
	final, ok := h.Fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool {
		return strings.Contains(m.Text, "Final DoD recommendation")
	})
	if !ok {
		t.Fatal("final recommendation not posted")
	}
	if txt := blocksText(final.Blocks); !strings.Contains(txt, "Overrides (dissent):* *Army* (Deny), *Air Force* (Return without action (RWA)), *Policy* (Deny)") ||
		!strings.Contains(txt, "*DTSA (analyst)*") {
		t.Errorf("final message = %s", txt)
	}
	for _, o := range offices {
		m := h.askMessage(r, o.Code)
		if txt := blocksText(m.Blocks); strings.Contains(txt, "[Approve]") || !strings.Contains(txt, "Closed") {
			t.Errorf("%s ask still open after the recommendation: %s", o.Code, txt)
		}
	}
	if p := h.ask(r, "joint_staff"); p.Current != nil || p.State != bot.AskClosed {
		t.Errorf("joint staff ask = %+v; want closed with no position", p)
	}
}

// TestOpenTwice checks that a replayed submission, or a second form for the same
// case, leaves exactly one referral, one channel and one ask per office.
func TestOpenTwice(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z765432")
	if ack, err := h.tr.replay(h.ctx); err != nil || ack.Status != 200 || len(ack.Body) != 0 {
		t.Fatalf("replayed submission: %d %s %v; want a plain 200 that closes the modal", ack.Status, ack.Body, err)
	}
	h.drain()

	h.command(analyst, h.General, "new")
	v := h.lastView(analyst, bot.CallbackOpenReferral)
	ack := h.submit(analyst, v.ID, referralInputs("z765432")...)
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := ack.Decode(&resp); err != nil || resp.Action != "errors" || !strings.Contains(resp.Errors[bot.FieldCaseNumber], "already open in #"+r.ChannelName+".") ||
		strings.Contains(resp.Errors[bot.FieldCaseNumber], "<#") { // input errors are plain text: no <#C…> token
		t.Errorf("second open ack = %s", ack.Body)
	}
	h.drain()

	if n := len(h.Fake.CallsTo("conversations.create")); n != 1 {
		t.Errorf("conversations.create called %d times; want 1", n)
	}
	if n := len(h.Fake.Messages(r.ChannelID)); n != 10 {
		t.Errorf("channel has %d messages; want 10 (summary + 9 asks)", n)
	}
	asks, _ := h.App.DB.Asks(h.ctx, r.ID)
	if len(asks) != 9 {
		t.Errorf("asks = %d; want 9", len(asks))
	}
	if n := h.count("SELECT COUNT(*) FROM referrals"); n != 1 {
		t.Errorf("referrals = %d; want 1", n)
	}
}
