package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// readyz asks the bot's /readyz and returns its status and checks.
func (h *harness) readyz() (int, map[string]string) {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.App.Mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var checks map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &checks); err != nil {
		h.t.Fatalf("/readyz body %q: %v", rec.Body, err)
	}
	return rec.Code, checks
}

// dmTexts returns the direct messages the bot sent user.
func (h *harness) dmTexts(user string) []string {
	var out []string
	for _, m := range h.Fake.Messages(h.Fake.DMChannel(user)) {
		out = append(out, m.Text)
	}
	return out
}

// TestCredentialsRefusedWhileOpening: Slack refuses the bot token (invalid_auth)
// for a while as a referral opens, then accepts it again. Found from outside: the
// provision job failed for good and the channel was never created. Now the work is
// paused: /readyz says why, /referral status tells the analyst why the channel is
// missing, and once Slack recovers the channel comes with nobody redoing anything;
// the analyst, whom the refused token kept from being told at once, is told then.
func TestCredentialsRefusedWhileOpening(t *testing.T) {
	bothTransports(t, func(t *testing.T, transport string) {
		h := newHarness(t, transport)
		h.command(analyst, h.General, "new")
		v := h.lastView(analyst, bot.CallbackOpenReferral)
		h.Fake.RefuseBotToken("invalid_auth")
		paused := h.Clock.Now()
		h.submit(analyst, v.ID, referralInputs("Z140001")...)
		h.drain()
		for range 3 { // a few minutes of refusals: the work waits, never given up
			h.Clock.Advance(time.Minute)
			h.drain()
		}
		r, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z140001")
		if err != nil || r.ChannelID != "" {
			t.Fatalf("referral %+v, %v; want it stored, with no channel while Slack refuses", r, err)
		}
		if n := h.count(`SELECT COUNT(*) FROM jobs WHERE state = 'failed'`); n != 0 {
			t.Errorf("%d failed jobs while credentials are refused; want the work paused, not failed", n)
		}
		if n := h.count(`SELECT COUNT(*) FROM jobs WHERE kind = 'provision' AND state = 'pending' AND paused_since IS NOT NULL`); n != 1 {
			t.Errorf("%d paused provision jobs; want 1", n)
		}
		code, checks := h.readyz()
		if code != http.StatusServiceUnavailable || !strings.Contains(checks["slack_auth"], "invalid_auth") ||
			!strings.Contains(checks["slack_auth"], paused.UTC().Format(time.RFC3339)) {
			t.Errorf("/readyz = %d %v; want not ready, naming invalid_auth and since when", code, checks)
		}
		// The ack needs no bot token, so the analyst can still ask.
		status := string(h.command(analyst, h.General, "status Z140001").Body)
		if !strings.Contains(status, "Channel not set up yet") || !strings.Contains(status, "invalid_auth") ||
			!strings.Contains(status, "operator has been told") {
			t.Errorf("status while paused = %q; want why the channel is missing", status)
		}
		// So does the analyst's worklist (the Home tab's lines).
		list := string(h.command(analyst, h.General, "list").Body)
		if !strings.Contains(list, "Z140001") || !strings.Contains(list, "Channel not set up yet") {
			t.Errorf("list while paused = %s; want the referral with why its channel is missing", list)
		}
		if got := h.dmTexts(analyst); len(got) != 0 {
			t.Errorf("DMs while the token is refused: %q", got)
		}

		h.Fake.RefuseBotToken("") // an operator fixed the token
		h.Clock.Advance(time.Minute)
		h.drain()
		r, err = h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z140001")
		if err != nil || r.ChannelID == "" {
			t.Fatalf("referral %+v, %v; want its channel once Slack accepts the token again", r, err)
		}
		if n := h.count(`SELECT COUNT(*) FROM jobs`); n != 0 {
			t.Errorf("%d jobs left after recovery; want none", n)
		}
		if code, checks := h.readyz(); code != http.StatusOK {
			t.Errorf("/readyz after recovery = %d %v; want ready", code, checks)
		}
		if status := string(h.command(analyst, r.ChannelID, "status").Body); strings.Contains(status, "not set up") {
			t.Errorf("status after recovery = %q; want no stuck work", status)
		}
		dms := h.dmTexts(analyst)
		if len(dms) != 1 || !strings.Contains(dms[0], "Z140001") || !strings.Contains(dms[0], "refused the app's credentials") {
			t.Errorf("DMs to the analyst = %q; want one, telling of the pause once it ended", dms)
		}
		if n := h.count(`SELECT COUNT(*) FROM events WHERE kind = 'slack.paused'`); n != 1 {
			t.Errorf("%d slack.paused events; want 1 in the referral's log", n)
		}
	})
}

// TestMissingScopeTellsTheAnalystAtOnce: a missing scope refuses one method while
// direct messages still work, so the analyst hears of the pause when it begins,
// once, and not again when it ends.
func TestMissingScopeTellsTheAnalystAtOnce(t *testing.T) {
	h := newHarness(t, "http")
	h.Fake.FailNext("conversations.create", "missing_scope", 3)
	h.submitReferral(analyst, "Z140002")
	h.drain()
	h.Clock.Advance(time.Minute)
	h.drain() // refused again: told once all the same
	dms := h.dmTexts(analyst)
	if len(dms) != 1 || !strings.Contains(dms[0], "missing_scope") || !strings.Contains(dms[0], "status Z140002") {
		t.Fatalf("DMs to the analyst while paused = %q; want one naming the scope error", dms)
	}
	h.Clock.Advance(time.Minute)
	h.drain() // third refusal
	h.Clock.Advance(time.Minute)
	h.drain()
	r, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z140002")
	if err != nil || r.ChannelID == "" {
		t.Fatalf("referral %+v, %v; want its channel once the scope is granted", r, err)
	}
	if got := h.dmTexts(analyst); len(got) != 1 {
		t.Errorf("DMs after recovery = %q; want still the one", got)
	}
}
