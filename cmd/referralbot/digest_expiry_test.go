package main

import (
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/sandbox"
)

// TestDigestThatMissedItsDayIsNotPosted: a digest recorded on a morning when Slack
// was down all day is not posted the next morning beside that morning's own; it is
// marked expired, and the next morning's digest goes out alone.
func TestDigestThatMissedItsDayIsNotPosted(t *testing.T) {
	h := newHarness(t, "http", sandbox.WithQueues())
	h.openReferralWith("Z123456", askOffices("army"))
	army := h.Queues["army"]

	h.Clock.Set(morningOf(9))
	h.Fake.FailNextHTTP("chat.postMessage", 503, 1) // the digest's post fails; nothing retries it that day
	if _, err := h.App.Service.ProcessReminders(h.ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(h.digests(army)); n != 0 {
		t.Fatalf("%d digests posted while Slack was down", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM digests WHERE id = 'digest:army:2026-12-09' AND posted_ts = ''`); n != 1 {
		t.Fatalf("12-09's digest recorded and unposted: %d; want 1", n)
	}

	h.Clock.Set(morningOf(10))
	h.pass(h.App.Service)
	got := h.digests(army)
	if len(got) != 1 {
		t.Fatalf("army queue has %d digests on 12-10; want 1 (12-10's alone)", len(got))
	}
	if n := h.count(`SELECT COUNT(*) FROM digests WHERE id = 'digest:army:2026-12-09' AND posted_ts = ?`, bot.DigestExpired); n != 1 {
		t.Errorf("12-09's digest is not marked expired")
	}
}
