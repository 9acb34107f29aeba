package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

func TestEnqueue_merge(t *testing.T) {
	db := MustOpenDB(t)
	r := mustCreateReferral(t, db, "Z123456")

	first := mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID})
	if first.State != bot.JobPending || !first.RunAt.Equal(t0) || !first.CreatedAt.Equal(t0) {
		t.Errorf("defaults: State %q RunAt %v CreatedAt %v; want pending, %v, %v", first.State, first.RunAt, first.CreatedAt, t0, t0)
	}
	tests := []struct {
		name   string
		job    *bot.Job
		merged bool
	}{
		{"same key", &bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID, RunAt: t0.Add(time.Minute)}, true},
		{"other ask", &bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID, AskID: 7}, false},
		{"other kind", &bot.Job{Kind: bot.JobPostFinal, ReferralID: r.ID}, false},
	}
	for _, tt := range tests {
		mustEnqueue(t, db, tt.job)
		if got := tt.job.ID == first.ID; got != tt.merged {
			t.Errorf("%s: merged = %v (ID %d, first %d); want %v", tt.name, got, tt.job.ID, first.ID, tt.merged)
		}
	}
	if got, want := mustPendingJobs(t, db), 3; got != want {
		t.Errorf("PendingJobs = %d; want %d", got, want)
	}

	err := db.Update(context.Background(), func(tx bot.Tx) error {
		return tx.Enqueue(context.Background(), &bot.Job{Kind: bot.JobProvision, ReferralID: 999})
	})
	wantCode(t, err, bot.ENOTFOUND)
}

func TestClaimJobs_respectsRunAtAndLimit(t *testing.T) {
	db := MustOpenDB(t)
	r := mustCreateReferral(t, db, "Z123456")
	later := mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: 1, RunAt: t0.Add(time.Hour)})
	second := mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: 2, RunAt: t0})
	first := mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: 3, RunAt: t0.Add(-time.Minute)})

	tests := []struct {
		now   time.Time
		limit int
		want  []int64
	}{
		{t0.Add(-2 * time.Minute), 10, nil},
		{t0, 1, []int64{first.ID}},
		{t0, 10, []int64{second.ID}},
		{t0.Add(time.Hour), 10, []int64{later.ID}},
		{t0.Add(time.Hour), 0, nil},
	}
	for _, tt := range tests {
		const lease = 24 * time.Hour // outlasts the test, so no claim is taken back
		got := mustClaim(t, db, tt.now, lease, tt.limit)
		if fmt.Sprint(ids(got)) != fmt.Sprint(tt.want) {
			t.Errorf("ClaimJobs(%v, limit %d) = %v; want %v", tt.now, tt.limit, ids(got), tt.want)
		}
		for _, j := range got {
			if j.State != bot.JobRunning || j.Attempts != 1 || !j.LeaseUntil.Equal(tt.now.Add(lease)) {
				t.Errorf("claimed job %d: State %q Attempts %d LeaseUntil %v; want running, 1, %v",
					j.ID, j.State, j.Attempts, j.LeaseUntil, tt.now.Add(lease))
			}
		}
	}
}

func TestClaimJobs_leaseExclusive(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	key := bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID}
	a := mustEnqueue(t, db, &key)
	if got := ids(mustClaim(t, db, t0, time.Minute, 10)); fmt.Sprint(got) != fmt.Sprint([]int64{a.ID}) {
		t.Fatalf("first claim = %v; want [%d]", got, a.ID)
	}
	// While a is leased, a new job with its key is enqueued (not merged: a is no
	// longer pending) but not handed out, and neither is a.
	k2 := key
	b := mustEnqueue(t, db, &k2)
	if b.ID == a.ID {
		t.Fatal("job enqueued while another runs was merged into it")
	}
	if got := mustClaim(t, db, t0.Add(30*time.Second), time.Minute, 10); len(got) != 0 {
		t.Errorf("claim during lease = %v; want none", ids(got))
	}

	// The lease expires: a is claimed again with another attempt, and b still waits.
	got := mustClaim(t, db, t0.Add(2*time.Minute), time.Minute, 10)
	if len(got) != 1 || got[0].ID != a.ID || got[0].Attempts != 2 || !got[0].LostWork {
		t.Fatalf("claim after expiry = %s; want job %d on attempt 2, marked as maybe having lost work", dump(got), a.ID)
	}
	if got := mustClaim(t, db, t0.Add(2*time.Minute), time.Minute, 10); len(got) != 0 {
		t.Errorf("claim during second lease = %v; want none", ids(got))
	}

	// a finishes; b goes next.
	if err := db.FinishJobs(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	got = mustClaim(t, db, t0.Add(2*time.Minute), time.Minute, 10)
	if len(got) != 1 || got[0].ID != b.ID {
		t.Errorf("claim after finish = %v; want [%d]", ids(got), b.ID)
	}
	wantCode(t, db.FinishJobs(ctx, a.ID), bot.ENOTFOUND)
}

func TestClaimJobs_oneExpiredPerKey(t *testing.T) {
	db, _, a := expiredWithTwin(t)
	// a's lease has run out and its twin is due: only one of them may run.
	got := mustClaim(t, db, t0.Add(time.Hour), time.Minute, 10)
	if len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("claim = %v; want [%d] alone", ids(got), a.ID)
	}
}

func TestRetryJob(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	key := bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: 4}

	// Alone, a retried job goes back to pending at the given time.
	k1 := key
	a := mustEnqueue(t, db, &k1)
	mustClaim(t, db, t0, time.Minute, 10)
	at := t0.Add(10 * time.Minute)
	if err := db.RetryJob(ctx, a.ID, at, "slack: ratelimited", false); err != nil {
		t.Fatal(err)
	}
	if got := mustClaim(t, db, at.Add(-time.Nanosecond), time.Minute, 10); len(got) != 0 {
		t.Errorf("claim before retry time = %v; want none", ids(got))
	}
	got := mustClaim(t, db, at, time.Minute, 10)
	if len(got) != 1 || got[0].ID != a.ID || got[0].Attempts != 2 || got[0].LastError != "slack: ratelimited" || got[0].LostWork {
		t.Fatalf("claim at retry time = %s; want job %d, attempt 2, with its error, not marked as maybe having lost work", dump(got), a.ID)
	}

	// A newer pending job with the same key absorbs the retry.
	k2 := key
	b := mustEnqueue(t, db, &k2)
	if err := db.RetryJob(ctx, a.ID, at.Add(time.Hour), "again", false); err != nil {
		t.Fatal(err)
	}
	if got := mustPendingJobs(t, db); got != 1 {
		t.Errorf("PendingJobs after merged retry = %d; want 1", got)
	}
	got = mustClaim(t, db, at.Add(time.Hour), time.Minute, 10)
	if len(got) != 1 || got[0].ID != b.ID {
		t.Errorf("claim = %v; want [%d]", ids(got), b.ID)
	}
	wantCode(t, db.RetryJob(ctx, a.ID, at, "x", false), bot.ENOTFOUND)
}

// TestLostWorkStays: once an attempt may have done Slack work it did not record (it
// died holding the lease, or failed on something other than Slack's answer), every
// later attempt is told so until the job is done, even after attempts that ended
// in Slack's answer, and a pending twin the job gives way to is told instead.
func TestLostWorkStays(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	claimOne := func(now time.Time) *bot.Job {
		t.Helper()
		got := mustClaim(t, db, now, time.Minute, 10)
		if len(got) != 1 {
			t.Fatalf("claim at %v = %s; want one job", now, dump(got))
		}
		return got[0]
	}

	// Died holding the lease, then a retry after a 429: still marked.
	a := mustEnqueue(t, db, &bot.Job{Kind: bot.JobProvision, ReferralID: r.ID})
	claimOne(t0)
	if j := claimOne(t0.Add(2 * time.Minute)); !j.LostWork {
		t.Fatalf("claim after the lease expired = %s; want marked", dump([]*bot.Job{j}))
	}
	if err := db.RetryJob(ctx, a.ID, t0.Add(3*time.Minute), "slack: ratelimited", false); err != nil {
		t.Fatal(err)
	}
	if j := claimOne(t0.Add(3 * time.Minute)); !j.LostWork || j.Attempts != 3 {
		t.Errorf("claim after a 429 that followed a lost lease = %s; want attempt 3, still marked", dump([]*bot.Job{j}))
	}
	if err := db.FinishJobs(ctx, a.ID); err != nil {
		t.Fatal(err)
	}

	// Failed on something other than Slack's answer: marked from the next attempt on.
	b := mustEnqueue(t, db, &bot.Job{Kind: bot.JobPostFinal, ReferralID: r.ID})
	if j := claimOne(t0.Add(4 * time.Minute)); j.LostWork {
		t.Errorf("first claim = %s; want unmarked", dump([]*bot.Job{j}))
	}
	if err := db.RetryJob(ctx, b.ID, t0.Add(5*time.Minute), "database is locked", true); err != nil {
		t.Fatal(err)
	}
	claimOne(t0.Add(5 * time.Minute))

	// b gives way to a pending twin enqueued meanwhile: the twin carries the mark.
	twin := mustEnqueue(t, db, &bot.Job{Kind: bot.JobPostFinal, ReferralID: r.ID})
	if err := db.RetryJob(ctx, b.ID, t0.Add(6*time.Minute), "slack: channel_not_found", false); err != nil {
		t.Fatal(err)
	}
	if j := claimOne(t0.Add(6 * time.Minute)); j.ID != twin.ID || !j.LostWork {
		t.Errorf("claim after b gave way = %s; want its twin %d, marked", dump([]*bot.Job{j}), twin.ID)
	}
	if err := db.FinishJobs(ctx, twin.ID); err != nil {
		t.Fatal(err)
	}

	// An unmarked job that gives way leaves its twin unmarked.
	c := mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID})
	claimOne(t0.Add(7 * time.Minute))
	plain := mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID})
	if err := db.RetryJob(ctx, c.ID, t0.Add(8*time.Minute), "slack: ratelimited", false); err != nil {
		t.Fatal(err)
	}
	if j := claimOne(t0.Add(8 * time.Minute)); j.ID != plain.ID || j.LostWork {
		t.Errorf("claim after c gave way = %s; want its twin %d, unmarked", dump([]*bot.Job{j}), plain.ID)
	}
	if err := db.FinishJobs(ctx, plain.ID); err != nil {
		t.Fatal(err)
	}

	// A marked job that fails for good passes its mark to the twin that will do its work.
	d := mustEnqueue(t, db, &bot.Job{Kind: bot.JobPostAsk, ReferralID: r.ID, AskID: 1})
	claimOne(t0.Add(9 * time.Minute))
	claimOne(t0.Add(11 * time.Minute)) // its lease expired: marked
	heir := mustEnqueue(t, db, &bot.Job{Kind: bot.JobPostAsk, ReferralID: r.ID, AskID: 1})
	if err := db.FailJob(ctx, d.ID, "slack: restricted_action", false); err != nil {
		t.Fatal(err)
	}
	if j := claimOne(t0.Add(11 * time.Minute)); j.ID != heir.ID || !j.LostWork {
		t.Errorf("claim after d failed = %s; want its twin %d, marked", dump([]*bot.Job{j}), heir.ID)
	}
	if err := db.FinishJobs(ctx, heir.ID); err != nil {
		t.Fatal(err)
	}

	// A job dies holding its lease while a twin due before it waits: the twin runs
	// first, and must look for the dead attempt's work.
	e := mustEnqueue(t, db, &bot.Job{Kind: bot.JobPostAsk, ReferralID: r.ID, AskID: 2, RunAt: t0.Add(12 * time.Minute)})
	claimOne(t0.Add(12 * time.Minute))
	early := mustEnqueue(t, db, &bot.Job{Kind: bot.JobPostAsk, ReferralID: r.ID, AskID: 2, RunAt: t0.Add(11 * time.Minute)})
	if j := claimOne(t0.Add(14 * time.Minute)); j.ID != early.ID || !j.LostWork {
		t.Errorf("claim after e's lease expired = %s; want the twin due first (%d, not %d), marked", dump([]*bot.Job{j}), early.ID, e.ID)
	}
}

func TestFailJob(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	a := mustEnqueue(t, db, &bot.Job{Kind: bot.JobProvision, ReferralID: r.ID})
	mustClaim(t, db, t0, time.Minute, 10)
	if err := db.FailJob(ctx, a.ID, "channel_limit", false); err != nil {
		t.Fatal(err)
	}
	if got := mustPendingJobs(t, db); got != 0 {
		t.Errorf("PendingJobs = %d; want 0", got)
	}
	if got := mustClaim(t, db, t0.Add(time.Hour), time.Minute, 10); len(got) != 0 {
		t.Errorf("claim = %v; want no failed job", ids(got))
	}
	var state, lastErr string
	err := openRaw(t, db.Path()).QueryRow(`SELECT state, last_error FROM jobs WHERE id = ?`, a.ID).Scan(&state, &lastErr)
	if err != nil {
		t.Fatal(err)
	}
	if state != "failed" || lastErr != "channel_limit" {
		t.Errorf("stored job: %q, %q; want failed, channel_limit", state, lastErr)
	}
	// A failed job does not stop new work with its key.
	b := mustEnqueue(t, db, &bot.Job{Kind: bot.JobProvision, ReferralID: r.ID})
	if got := ids(mustClaim(t, db, t0, time.Minute, 10)); fmt.Sprint(got) != fmt.Sprint([]int64{b.ID}) {
		t.Errorf("claim = %v; want [%d]", got, b.ID)
	}
	wantCode(t, db.FailJob(ctx, 999, "x", false), bot.ENOTFOUND)
}

func mustEnqueue(tb testing.TB, db *store.DB, j *bot.Job) *bot.Job {
	tb.Helper()
	mustUpdate(tb, db, func(tx bot.Tx) error { return tx.Enqueue(context.Background(), j) })
	return j
}

func mustClaim(tb testing.TB, db *store.DB, now time.Time, lease time.Duration, limit int) []*bot.Job {
	tb.Helper()
	jobs, err := db.ClaimJobs(context.Background(), now, lease, limit)
	if err != nil {
		tb.Fatalf("ClaimJobs: %v", err)
	}
	return jobs
}

func mustPendingJobs(tb testing.TB, db *store.DB) int {
	tb.Helper()
	n, err := db.PendingJobs(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func ids(jobs []*bot.Job) []int64 {
	var out []int64
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	return out
}

func TestClaimJobs_fullBatchAfterRepeatedKeys(t *testing.T) {
	db, r, a := expiredWithTwin(t)
	c := mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: 1})
	d := mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: 2})

	got := mustClaim(t, db, t0.Add(time.Hour), time.Minute, 2)
	if want := []int64{a.ID, c.ID}; fmt.Sprint(ids(got)) != fmt.Sprint(want) {
		t.Fatalf("claim of 2 = %v; want %v (the expired lease, then the oldest pending job of another key)", ids(got), want)
	}
	if !got[0].LostWork || got[1].LostWork || got[0].Attempts != 2 || got[1].Attempts != 1 {
		t.Errorf("claimed %s; want the first reclaimed on attempt 2, the second fresh on attempt 1", dump(got))
	}
	if got := ids(mustClaim(t, db, t0.Add(time.Hour), time.Minute, 10)); fmt.Sprint(got) != fmt.Sprint([]int64{d.ID}) {
		t.Errorf("next claim = %v; want [%d] (a's twin waits for a)", got, d.ID)
	}
}

func TestFinishJobs(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	var all []int64
	for ask := range int64(3) {
		all = append(all, mustEnqueue(t, db, &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: ask + 1}).ID)
	}
	mustClaim(t, db, t0, time.Minute, 10)
	if err := db.FinishJobs(ctx, all[0], all[1]); err != nil {
		t.Fatal(err)
	}
	if got := mustPendingJobs(t, db); got != 1 {
		t.Errorf("PendingJobs after finishing two = %d; want 1", got)
	}
	// One already gone does not keep the others.
	wantCode(t, db.FinishJobs(ctx, all[0], all[2]), bot.ENOTFOUND)
	if got := mustPendingJobs(t, db); got != 0 {
		t.Errorf("PendingJobs after finishing the last beside a gone one = %d; want 0", got)
	}
	if err := db.FinishJobs(ctx); err != nil {
		t.Errorf("FinishJobs() = %v; want nil", err)
	}
}

// expiredWithTwin returns a job a claimed at t0 for a minute, and a pending twin
// enqueued since: once a's lease runs out, a claim meets a's key twice.
func expiredWithTwin(tb testing.TB) (*store.DB, *bot.Referral, *bot.Job) {
	tb.Helper()
	db := MustOpenDB(tb)
	r := mustCreateReferral(tb, db, "Z123456")
	key := bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID}
	k1, k2 := key, key
	a := mustEnqueue(tb, db, &k1)
	mustClaim(tb, db, t0, time.Minute, 10)
	mustEnqueue(tb, db, &k2)
	return db, r, a
}
