package main

import (
	"strings"
	"testing"

	"github.com/referralbot/referralbot/internal/sandbox"
)

// TestAnalystScope: by default analysts cover for each other, and the referral's
// analyst is told what another did on it, once per action; under ANALYST_SCOPE=own
// another analyst is refused and nothing changes.
func TestAnalystScope(t *testing.T) { bothTransports(t, testAnalystScope) }

func testAnalystScope(t *testing.T, transport string) {
	t.Run("team", func(t *testing.T) {
		h := newHarness(t, transport)
		r := h.openReferral("Z710001")
		h.command(analyst2, h.General, "hold Z710001 waiting on the applicant")
		h.drain()
		if got := h.referral(r.ID); got.HeldSince.IsZero() {
			t.Fatal("the covering analyst's hold was not recorded")
		}
		dms := h.dmTexts(analyst)
		if len(dms) != 1 || !strings.Contains(dms[0], "On your referral Z710001") ||
			!strings.Contains(dms[0], "<@"+analyst2+"> put the offices' suspense on hold (reason: waiting on the applicant)") {
			t.Fatalf("analyst's DMs = %q; want one telling of the hold by %s", dms, analyst2)
		}
		h.command(analyst2, h.General, "resume Z710001")
		h.drain()
		dms = h.dmTexts(analyst)
		if len(dms) != 2 || strings.Contains(dms[1], "on hold") || !strings.Contains(dms[1], "resumed the offices' suspense") {
			t.Fatalf("analyst's DMs = %q; want a second telling only of the resume", dms)
		}
		// The analyst's own actions tell nobody.
		h.command(analyst, r.ChannelID, "hold again")
		h.drain()
		if n := len(h.dmTexts(analyst)); n != 2 {
			t.Errorf("analyst's DMs = %d after their own hold; want still 2", n)
		}
		if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = 'analyst.covered'`, r.ID); n != 2 {
			t.Errorf("analyst.covered events = %d; want 2", n)
		}
	})
	t.Run("own", func(t *testing.T) {
		h := newHarness(t, transport, sandbox.WithSetting("ANALYST_SCOPE", "own"))
		r := h.openReferral("Z710002")
		h.command(analyst2, h.General, "hold Z710002 waiting on the applicant")
		h.drain()
		if got := h.referral(r.ID); !got.HeldSince.IsZero() {
			t.Fatal("another analyst's hold was recorded under ANALYST_SCOPE=own")
		}
		said := strings.Join(h.ephemeralsTo(h.General, analyst2), "\n")
		if !strings.Contains(said, "Z710002 is <@"+analyst+">'s referral") || !strings.Contains(said, "Nothing was changed") {
			t.Errorf("refusal = %q; want whose referral it is and that nothing changed", said)
		}
		if dms := h.dmTexts(analyst); len(dms) != 0 {
			t.Errorf("analyst's DMs = %q; want none: nothing was done", dms)
		}
		// Its own analyst still may.
		h.command(analyst, r.ChannelID, "hold waiting on the applicant")
		if got := h.referral(r.ID); got.HeldSince.IsZero() {
			t.Error("the referral's own analyst could not hold it under ANALYST_SCOPE=own")
		}
	})
}
