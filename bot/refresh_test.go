package bot_test

import (
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/store/reminders"
)

// delayedRefresh opens a referral asking two offices and provisions it, and returns
// it, the fixture's bot with the given REFRESH_DELAY, and the two asks.
func (f *fixture) delayedRefresh(t *testing.T, delay time.Duration) (*bot.Referral, *bot.Service, []*bot.Ask) {
	t.Helper()
	r := f.open(t, "k1")
	f.drainUntilDone(t)
	svc := bot.NewService(f.db, f.slack, f.clk.Now, bot.Config{Roster: f.svc.Roster(), Rules: deadline.NewRules(nil, deadline.Defaults{}),
		Queue: reminders.NewMemory(), RefreshDelay: delay})
	asks, err := f.db.Asks(f.ctx, r.ID)
	if err != nil || len(asks) != 2 {
		t.Fatalf("asks = %d, %v; want 2", len(asks), err)
	}
	return r, svc, asks
}

// refreshAfter lets the delay run out, runs the jobs then due, and counts the
// chat.update calls by message.
func (f *fixture) refreshAfter(t *testing.T, svc *bot.Service, delay time.Duration) map[string]int {
	t.Helper()
	f.advance(delay)
	if err := svc.DrainJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	updated := map[string]int{}
	for _, c := range f.fake.CallsTo("chat.update") {
		updated[c.Param("ts")]++
	}
	return updated
}

// Two offices answer within the refresh delay: their presses write one job between
// them, drawn once when it falls due: each ask's message and the summary once.
func TestAnswer_refreshesTheReferralOnce(t *testing.T) {
	f := newFixture(t)
	const delay = 300 * time.Millisecond
	r, svc, asks := f.delayedRefresh(t, delay)
	f.fake.Reset()
	pressed := f.clk.Now()
	for _, a := range asks {
		user := map[string]string{"army": "UARMY1", "navy": "UNAVY1"}[a.OfficeCode]
		if _, err := svc.Answer(f.ctx, user, a.ID, bot.PositionInput{Outcome: bot.OutcomeApprove}); err != nil {
			t.Fatalf("Answer for %s: %v", a.OfficeCode, err)
		}
		f.advance(delay / 3)
	}
	jobs, err := f.db.ReferralJobs(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Kind != bot.JobRefreshReferral || !jobs[0].RunAt.Equal(pressed.Add(delay)) {
		t.Fatalf("jobs after two presses = %+v; want one %s due at %v", jobs, bot.JobRefreshReferral, pressed.Add(delay))
	}
	if err := svc.DrainJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(f.fake.CallsTo("chat.update")); got != 0 {
		t.Errorf("chat.update before the delay ran out: %d calls; want 0", got)
	}

	// Each ask's message and the summary: three messages, each once.
	updated := f.refreshAfter(t, svc, delay)
	ref, err := f.db.Referral(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{ref.SummaryTS: 1}
	for _, a := range asks {
		want[a.MessageTS] = 1
	}
	if len(updated) != len(want) {
		t.Errorf("messages updated = %v; want %v", updated, want)
	}
	for ts, n := range want {
		if updated[ts] != n {
			t.Errorf("message %s updated %d times; want %d (all: %v)", ts, updated[ts], n, updated)
		}
	}
	marks, err := f.db.RefreshMarks(f.ctx, r.ID)
	if err != nil || len(marks) != 0 {
		t.Errorf("refresh marks after the refresh = %v, %v; want none", marks, err)
	}
	if n, err := f.db.PendingJobs(f.ctx); err != nil || n != 0 {
		t.Errorf("PendingJobs = %d, %v; want 0", n, err)
	}
}

// An office's questions (RWA) stop the offices' clock, which the summary and the
// Home tabs show: the press still queues only its referral's one refresh, marked
// for the ask and for the whole referral (whose Home tabs it redraws), and that
// refresh draws the ask's message and the summary.
func TestAnswer_questionsOutQueueOneRefresh(t *testing.T) {
	f := newFixture(t)
	const delay = 300 * time.Millisecond
	r, svc, asks := f.delayedRefresh(t, delay)
	army := asks[0]
	if army.OfficeCode != "army" {
		army = asks[1]
	}
	f.fake.Reset()
	pressed := f.clk.Now()
	if _, err := svc.Answer(f.ctx, "UARMY1", army.ID, bot.PositionInput{Outcome: bot.OutcomeRWA, Questions: "What is the end use?"}); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	ref, err := f.db.Referral(f.ctx, r.ID)
	if err != nil || ref.HeldSince.IsZero() {
		t.Fatalf("referral after the questions: held since %v, %v; want the clock stopped", ref.HeldSince, err)
	}
	jobs, err := f.db.ReferralJobs(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Kind != bot.JobRefreshReferral || !jobs[0].RunAt.Equal(pressed.Add(delay)) {
		t.Fatalf("jobs after the press = %+v; want one %s due at %v", jobs, bot.JobRefreshReferral, pressed.Add(delay))
	}
	marks, err := f.db.RefreshMarks(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	marked := map[int64]bool{}
	for _, m := range marks {
		marked[m.AskID] = true
	}
	if len(marked) != 2 || !marked[army.ID] || !marked[0] {
		t.Errorf("refresh marks = %+v; want the ask %d and the whole referral (0)", marks, army.ID)
	}

	updated := f.refreshAfter(t, svc, delay)
	if updated[ref.SummaryTS] != 1 || updated[army.MessageTS] != 1 {
		t.Errorf("messages updated = %v; want the summary %s and Army's ask %s once each", updated, ref.SummaryTS, army.MessageTS)
	}
	if n, err := f.db.PendingJobs(f.ctx); err != nil || n != 0 {
		t.Errorf("PendingJobs = %d, %v; want 0", n, err)
	}
}
