package main

import (
	"strings"
	"testing"
)

// TestHoldReasonHardened: found from outside (issue 14, hardening), a hold reason of
// 200 KB holding a BEL character went into the append-only event log. The hold
// reason now goes through the same text check as every other free text: too long,
// control characters and invisible formatting characters are refused in words, and
// nothing is recorded.
func TestHoldReasonHardened(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z140401")
	h.drain()
	events := func() int { return h.count(`SELECT count(*) FROM events WHERE referral_id = ?`, r.ID) }
	before := events()
	for _, c := range []struct{ reason, want string }{
		{"waiting\a" + strings.Repeat("x", 200_000), "Keep the reason under"},
		{"waiting on the \aapplicant", "Remove the control characters from the reason"},
		{"waiting on the \u202eapplicant", "Remove the invisible formatting characters"},
	} {
		if got := h.command(analyst, r.ChannelID, "hold "+c.reason).Text(); !strings.Contains(got, c.want) {
			t.Errorf("hold %.40q… = %q; want …%s…", c.reason, got, c.want)
		}
	}
	h.drain()
	if n := events(); n != before {
		t.Errorf("%d events after the refused holds; want %d, none added", n, before)
	}
	if got := h.command(analyst, r.ChannelID, "hold waiting on the applicant").Text(); !strings.Contains(got, "is on hold") {
		t.Errorf("hold with a plain reason = %q; want it on hold", got)
	}
}
