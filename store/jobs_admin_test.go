package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// TestPauseAndRequeueJobs: a paused job keeps when it was first paused; an
// operator's requeue makes a failed job due now (or merges it into its pending
// twin) and refuses a running one.
func TestPauseAndRequeueJobs(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	r := mustCreateReferral(t, db, "Z123456")
	j := mustEnqueue(t, db, &bot.Job{Kind: bot.JobProvision, ReferralID: r.ID})
	claim := func() *bot.Job {
		t.Helper()
		jobs, err := db.ClaimJobs(ctx, t0.Add(time.Hour), time.Minute, 1)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("claim: %v, %v", jobs, err)
		}
		return jobs[0]
	}
	claim()
	if err := db.PauseJob(ctx, j.ID, t0.Add(time.Second), t0, "slack: invalid_auth"); err != nil {
		t.Fatal(err)
	}
	claim()
	if err := db.PauseJob(ctx, j.ID, t0.Add(2*time.Second), t0.Add(time.Second), "slack: invalid_auth"); err != nil {
		t.Fatal(err)
	}
	p, err := db.PausedWork(ctx)
	if err != nil || p.Jobs != 1 || !p.Since.Equal(t0) || p.LastError != "slack: invalid_auth" {
		t.Errorf("PausedWork = %+v, %v; want 1 job paused since %v", p, err, t0)
	}

	running := claim()
	if _, err := db.RequeueJobs(ctx, t0, []int64{running.ID}, false); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("requeue a running job: %v; want a conflict", err)
	}
	if err := db.FailJob(ctx, running.ID, "slack: restricted_action", false); err != nil {
		t.Fatal(err)
	}
	twin := mustEnqueue(t, db, &bot.Job{Kind: bot.JobProvision, ReferralID: r.ID})
	n, err := db.RequeueJobs(ctx, t0, nil, true)
	if err != nil || n != 1 {
		t.Fatalf("requeue failed: %d, %v; want 1", n, err)
	}
	jobs, err := db.ListJobs(ctx)
	if err != nil || len(jobs) != 1 || jobs[0].ID != twin.ID || jobs[0].CaseNumber != "Z123456" {
		t.Errorf("after requeue: %+v, %v; want only the pending twin", jobs, err)
	}
	if _, err := db.RequeueJobs(ctx, t0, []int64{999}, false); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("requeue job 999: %v; want not found", err)
	}
}
