package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// TestJobsRetry: Slack refused a referral's channel for good (restricted_action,
// say a workspace policy since lifted). The operator lists the outbox, sees the
// failed job, retries it, and the bot creates the channel: before, nothing could
// redo it.
func TestJobsRetry(t *testing.T) {
	h := newHarness(t, "http")
	h.Fake.FailNext("conversations.create", "restricted_action", 1)
	h.submitReferral(analyst, "Z140003")
	h.drain()
	env := environ{"DATABASE_PATH": h.App.DB.Path(), "ROSTER_PATH": h.App.Config.RosterPath}

	out, _, err := runCmd(h.Clock.Now, env, "jobs")
	if err != nil || !strings.Contains(out, "commerce:Z140003") || !strings.Contains(out, "failed") ||
		!strings.Contains(out, "restricted_action") {
		t.Fatalf("jobs = %q, %v; want the failed provision job listed", out, err)
	}
	status := string(h.command(analyst, h.General, "status Z140003").Body)
	if !strings.Contains(status, "Setting up the channel failed") || !strings.Contains(status, "jobs retry") {
		t.Errorf("status with failed work = %s; want it named, with the operator's way out", status)
	}

	// Mistakes change nothing and exit 2.
	for _, args := range [][]string{{"jobs", "retry"}, {"jobs", "retry", "abc"}, {"jobs", "retry", "1", "--failed"},
		{"jobs", "frob"}, {"jobs", "list", "x"}} {
		if _, errOut, err := runCmd(h.Clock.Now, env, args...); !errors.Is(err, errUsage) || !strings.Contains(errOut, "usage: referralbot jobs") {
			t.Errorf("%q: err %v, stderr %q; want a usage error", args, err, errOut)
		}
	}
	if _, _, err := runCmd(h.Clock.Now, env, "jobs", "retry", "999"); err == nil || !strings.Contains(err.Error(), "job 999 not found") {
		t.Errorf("jobs retry 999 = %v; want not found", err)
	}
	if n := h.count(`SELECT COUNT(*) FROM jobs WHERE state = 'failed'`); n != 1 {
		t.Fatalf("%d failed jobs after the mistakes; want the 1 untouched", n)
	}

	out, _, err = runCmd(h.Clock.Now, env, "jobs", "retry", "--failed")
	if err != nil || !strings.HasPrefix(out, "1 job(s) due now") {
		t.Fatalf("jobs retry --failed = %q, %v", out, err)
	}
	h.drain()
	r, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z140003")
	if err != nil || r.ChannelID == "" {
		t.Fatalf("referral %+v, %v; want its channel after the retry", r, err)
	}
	if out, _, err := runCmd(h.Clock.Now, env, "jobs"); err != nil || !strings.Contains(out, "outbox is empty") {
		t.Errorf("jobs after the retry = %q, %v; want an empty outbox", out, err)
	}
}

// TestJobsRetryByID retries one job by its id; a pending one just becomes due now.
func TestJobsRetryByID(t *testing.T) {
	h := newHarness(t, "http")
	h.Fake.FailNext("conversations.create", "restricted_action", 1)
	h.submitReferral(analyst, "Z140004")
	h.drain()
	var id string
	env := environ{"DATABASE_PATH": h.App.DB.Path(), "ROSTER_PATH": h.App.Config.RosterPath}
	out, _, err := runCmd(h.Clock.Now, env, "jobs")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Z140004") {
			id = strings.Fields(line)[0]
		}
	}
	if out, _, err := runCmd(h.Clock.Now, env, "jobs", "retry", id); err != nil || !strings.HasPrefix(out, "1 job(s)") {
		t.Fatalf("jobs retry %s = %q, %v", id, out, err)
	}
	h.drain()
	if r, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z140004"); err != nil || r.ChannelID == "" {
		t.Fatalf("referral %+v, %v; want its channel after the retry", r, err)
	}
}
