package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Budgets of the calls that run while Slack waits for an acknowledgement (3 s at
// most, 2 s by the transports' own budget). A dependency that stalls must not
// hold the acknowledgement: each such call waits this long, then the bot goes on
// with what it knows (SQLite rebuilds the reminder queue; the last known roster).
const (
	// QueueBudget is how long a reminder-queue call after a write may take before the
	// queue is left to the SQLite rebuild.
	QueueBudget = 250 * time.Millisecond
	// RosterWait is how long an expired user group's refresh is waited on before the
	// last membership Slack gave answers instead.
	RosterWait = 500 * time.Millisecond
	// groupFetchLimit bounds a user group refresh that carries on in the background
	// after RosterWait.
	groupFetchLimit = 30 * time.Second
)

// ErrTooSlow is returned by a call that did not answer within its budget; the call
// may still be running, detached from the caller.
var ErrTooSlow = errors.New("no answer in time")

// within runs f with a context of its own that ends after d, and returns f's error
// or ErrTooSlow once d has passed, whether or not f has returned: a client that
// ignores its context (go-redis without ContextTimeoutEnabled) cannot hold the
// caller. f is detached from the caller's cancellation, so a request that ends
// does not cut a call half-way.
func within(ctx context.Context, d time.Duration, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d)
	done := make(chan error, 1)
	go func() {
		defer cancel()
		done <- f(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done: // f returned as its context ended
			return err
		default:
			return fmt.Errorf("%w (%v)", ErrTooSlow, d)
		}
	}
}

// IsTooSlow reports whether err means something gave up waiting: a call past its
// budget, or a context whose deadline passed (a write that could not start in
// time). Nothing was recorded by such a write.
func IsTooSlow(err error) bool {
	return errors.Is(err, ErrTooSlow) || errors.Is(err, context.DeadlineExceeded)
}
