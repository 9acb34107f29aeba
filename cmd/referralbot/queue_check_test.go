package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/internal/sandbox"
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
