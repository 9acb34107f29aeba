package handlers

import (
	"context"
	"time"
)

// Time budgets of an acknowledgement. Slack shows the person an error when a
// command, press or submission is not acknowledged within 3 seconds, and a stalled
// dependency (Redis, SQLite's write lock, a slow Slack method) must not cause that.
const (
	// AckBudget is the most an acknowledgement may take, whatever a dependency does.
	// Opening a modal is the one exception: views.open is the acknowledgement's very
	// purpose and gets triggerBudget, within the trigger_id's 3 seconds.
	AckBudget = 2 * time.Second
	// workBudget is the deadline of a handler's own work (reads, the write). A write
	// that cannot start by then never runs and is answered "try again" (bot.TryAgain);
	// what is left of AckBudget covers the answer itself.
	workBudget = 1500 * time.Millisecond
	// tellWait is how long an ephemeral answer may hold the acknowledgement; a slower
	// one carries on after it.
	tellWait = 300 * time.Millisecond
	// tellLimit bounds an ephemeral answer that carries on after the acknowledgement.
	tellLimit = 30 * time.Second
	// triggerBudget is how long a modal may take to open: a trigger_id lives 3 seconds.
	triggerBudget = 2500 * time.Millisecond
)

type triggerKey struct{}

// budget returns the context of a handler's work: it ends workBudget after the
// request came in. It also carries the deadline of a views.open for the request's
// trigger_id (triggerContext), counted from the same moment.
func budget(ctx context.Context) (context.Context, context.CancelFunc) {
	trigger, cancelTrigger := context.WithTimeout(context.WithoutCancel(ctx), triggerBudget)
	work, cancelWork := context.WithTimeout(ctx, workBudget)
	return context.WithValue(work, triggerKey{}, trigger), func() { cancelWork(); cancelTrigger() }
}

// triggerContext returns the context of a views.open for the request of ctx: it
// outlives the work's deadline, since opening the form is what the person asked
// for, but not the trigger_id.
func triggerContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if trigger, ok := ctx.Value(triggerKey{}).(context.Context); ok {
		return context.WithCancel(trigger)
	}
	return context.WithTimeout(ctx, triggerBudget)
}

// soon runs post, an answer to the person (an ephemeral, a DM), holding the
// acknowledgement at most tellWait: a slower post carries on after it, detached
// from the request, and the router's after-work waits for it (so a test sees it
// through).
func (r *Router) soon(ctx context.Context, what string, post func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tellLimit)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		post(ctx)
	}()
	wait := time.NewTimer(tellWait)
	defer wait.Stop()
	select {
	case <-done:
	case <-wait.C:
		r.log.Warn("Slack is slow to take an answer; acknowledging first", "answer", what, "waited", tellWait)
		r.after(func() { <-done })
	}
}
