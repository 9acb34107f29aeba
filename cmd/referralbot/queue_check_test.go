package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestPublicQueueIsRefused: asks in a queue carry the referral's details, so a
// public queue channel is refused at start-up. /readyz says why, and the office
// falls back to the referral's private channel instead of leaking the details.
func TestPublicQueueIsRefused(t *testing.T) {
	h := newHarness(t, "http", sandbox.WithPublicQueues())
	rec := httptest.NewRecorder()
	h.App.Mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if body := rec.Body.String(); rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, "it is public; referral details must stay in private channels") {
		t.Errorf("/readyz = %d %s; want it to name the public queue", rec.Code, body)
	}
	r := h.openReferralWith("Z123456", askOffices("army"))
	a := h.ask(r, "army")
	if a.ChannelID != r.ChannelID {
		t.Errorf("army's ask went to %s; want the referral's private channel %s", a.ChannelID, r.ChannelID)
	}
	if n := len(h.Fake.Messages(h.Queues["army"])); n != 0 {
		t.Errorf("the public queue holds %d messages; want none", n)
	}
	if !h.isMember(r.ChannelID, reviewer("army", 1)) {
		t.Error("army's roster was not invited to the referral channel in the fallback mode")
	}
}

// TestWithdrawnAskTakesNoAnswer: a reviewer has the Deny form open when the analyst
// withdraws the ask; submitting it records nothing and the ask stays withdrawn.
func TestWithdrawnAskTakesNoAnswer(t *testing.T) {
	h := newHarness(t, "http", sandbox.WithQueues())
	r := h.openReferralWith("Z123456", askOffices("army", "navy"))
	navy := h.askMessage(r, "navy")
	h.click(reviewer("navy", 1), h.Queues["navy"], navy.TS, "answer_deny")
	v := h.lastView(reviewer("navy", 1), bot.CallbackPosition)
	h.command(analyst, r.ChannelID, "withdraw navy no naval equities")
	h.drain()
	ack := h.submit(reviewer("navy", 1), v.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "Diversion risk."},
		slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 742.4"})
	h.drain()
	if !strings.Contains(string(ack.Body), "withdrew this ask") || !strings.Contains(string(ack.Body), "Nothing was recorded") {
		t.Errorf("submitting on a withdrawn ask answered %s; want a refusal saying it was withdrawn", ack.Body)
	}
	if a := h.ask(r, "navy"); a.State != bot.AskWithdrawn || a.Current != nil {
		t.Errorf("navy ask = state %s, position %+v; want withdrawn with no position", a.State, a.Current)
	}
}
