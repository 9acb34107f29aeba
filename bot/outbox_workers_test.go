package bot_test

import (
	"context"
	"sync"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/store/reminders"
)

// heldSlack holds the first message update until released, and tells of every
// update after it that went through.
type heldSlack struct {
	bot.Slack
	once    sync.Once
	held    chan struct{} // closed when the first update is held
	release chan struct{} // closed to let it go
	passed  chan struct{} // one send per later update done
}

func (h *heldSlack) UpdateMessage(ctx context.Context, channel, ts string, m bot.Message) error {
	first := false
	h.once.Do(func() { first = true })
	if first {
		close(h.held)
		<-h.release
		return h.Slack.UpdateMessage(ctx, channel, ts, m)
	}
	err := h.Slack.UpdateMessage(ctx, channel, ts, m)
	select {
	case h.passed <- struct{}{}:
	default:
	}
	return err
}

// A job stuck in a Slack call (say, paced) does not hold back another: each runs
// on a runner of its own. Both finish though the workers are stopped meanwhile.
func TestRunWorkers_slowJobHoldsBackNoOther(t *testing.T) {
	f := newFixture(t)
	a := f.open(t, "k1")
	in := goodInput()
	in.CaseNumber = "z654321"
	b, err := f.svc.OpenReferral(f.ctx, "UANALYST", in, "k2")
	if err != nil {
		t.Fatal(err)
	}
	f.drainUntilDone(t)
	h := &heldSlack{Slack: f.slack, held: make(chan struct{}), release: make(chan struct{}), passed: make(chan struct{}, 1)}
	svc := bot.NewService(f.db, h, f.clk.Now, bot.Config{Roster: f.svc.Roster(), Rules: deadline.NewRules(nil, deadline.Defaults{}),
		Queue: reminders.NewMemory()})
	for _, r := range []*bot.Referral{a, b} {
		asks, err := f.db.Asks(f.ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Answer(f.ctx, "UARMY1", asks[0].ID, bot.PositionInput{Outcome: bot.OutcomeApprove}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(f.ctx)
	stopped := make(chan struct{})
	go func() {
		svc.RunWorkers(ctx, 2)
		close(stopped)
	}()
	<-h.held   // one referral's refresh is stuck in Slack
	<-h.passed // the other's got through meanwhile
	cancel()   // stopping: the held job must still finish
	close(h.release)
	<-stopped
	if n, err := f.db.PendingJobs(f.ctx); err != nil || n != 0 {
		t.Errorf("PendingJobs after the workers stopped = %d, %v; want 0 (both refreshes finished)", n, err)
	}
}
