// Package clock is where referralbot reads the time. Wall is the program's one
// reading of the real clock; run passes it (or, in tests and the demo, a Manual
// clock) to everything that needs "now", so that no test depends on the day it runs.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time. The program holds exactly one and passes it down.
type Clock func() time.Time

// Wall is the real clock. It is the only place outside tests that reads time.Now;
// a test in this package fails if another appears.
func Wall() time.Time { return time.Now() }

// Manual is a clock that moves only when told: tests and the demo share one between
// the bot, its database and the Slack emulator, so days pass in a second.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual returns a Manual clock stopped at t.
func NewManual(t time.Time) *Manual { return &Manual{now: t} }

// Now returns the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Elapsed is the real time since start, a reading of Wall: for benchmarks,
// progress and timeouts, never for a date.
func Elapsed(start time.Time) time.Duration { return time.Since(start) }

// Stopped returns a clock that always answers t.
func Stopped(t time.Time) Clock { return func() time.Time { return t } }

// From returns a clock that reads t now and then runs at the real rate: for a
// process that must see a chosen day (a test's child bot) while its timers and
// retries still come due.
func From(t time.Time) Clock {
	began := Wall()
	return func() time.Time { return t.Add(Elapsed(began)) }
}
