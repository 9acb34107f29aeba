package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// burstLimits are the Web API limits the burst runs under, per (scaled) minute:
// SLACK.md's tiers for every method the bot calls while opening referrals.
// chat.postMessage has no tier — about one message per second per channel plus an
// undocumented workspace-wide limit — so the bench applies postPerMin across the
// workspace (the fake has no per-channel limit).
func burstLimits(postPerMin int) map[string]int {
	return map[string]int{
		"views.open":             100, // Tier 4: the New referral form
		"conversations.create":   20,  // Tier 2
		"conversations.setTopic": 20,  // Tier 2
		"conversations.invite":   50,  // Tier 3
		"usergroups.users.list":  20,  // Tier 2: office rosters (cached for a minute)
		"chat.postMessage":       postPerMin,
		"chat.update":            50, // Tier 3: the summary, once positions may have arrived
		"conversations.history":  50, // Tier 3: only when resuming an interrupted opening
		"conversations.list":     20, // Tier 2: only when resuming an interrupted opening
	}
}

// burstResult is how long a burst of openings took against the limits' minimum.
type burstResult struct {
	opened      int           // referrals submitted
	provisioned int           // provisioned, with all 10 messages, nothing failed
	submitting  time.Duration // how long the submissions themselves took
	elapsed     time.Duration // first submission → the last referral's channel ready
	minimum     time.Duration // the least the rate limits allow
	binding     string        // the method that sets the minimum, with its calls and limit
	limited     map[string]int
	calls       map[string]int
	problems    []string
}

// benchBurst opens o.burst referrals as fast as the sandbox.Analyst can submit the form,
// with the fake enforcing burstLimits in a time scaled down o.scale times, and the
// bot's outbox workers (OUTBOX_WORKERS's default, as in production) doing the Slack
// work, and times how long until the last one is provisioned.
func benchBurst(ctx context.Context, o *benchOptions, progress io.Writer) (burstResult, error) {
	res := burstResult{opened: o.burst, limited: map[string]int{}, calls: map[string]int{}}
	w, err := newBenchWorld("burst")
	if err != nil {
		return res, err
	}
	defer w.close()
	limits := w.limit(o)
	if err := w.startBot(ctx, filepath.Join(w.dir, "referralbot.db")); err != nil {
		return res, err
	}

	cases := make([]string, o.burst)
	start := clock.Wall()
	for i := range cases {
		cases[i] = benchCase('B', i+1)
		if err := w.openReferral(cases[i]); err != nil {
			return res, err
		}
	}
	res.submitting = clock.Elapsed(start)
	window := time.Duration(float64(time.Minute) / o.scale)
	timeout := time.Minute + time.Duration(o.burst)*window/2
	// Reading every referral each tick costs the CPU the bot is measured on (a sixth
	// of the run's): wait for the outbox to empty first, counting only, then check.
	// The figure comes from the recorded events, not from when the bench looked.
	w.waitOutboxEmpty(ctx, timeout)
	refs, err := w.waitProvisioned(ctx, cases, timeout)
	if err != nil {
		return res, err
	}

	// The end is when the last referral's channel was ready, as the bot recorded it.
	end := start
	for _, r := range refs {
		events, err := w.db.Events(ctx, r.ID)
		if err != nil {
			return res, err
		}
		ok := true
		for _, e := range events {
			switch e.Kind {
			case "referral.channel_ready":
				if e.At.After(end) {
					end = e.At
				}
			case "slack.failed":
				ok = false
				res.problems = append(res.problems, fmt.Sprintf("%s: %s", r.CaseNumber, e.Detail))
			}
		}
		asks, err := w.db.Asks(ctx, r.ID)
		if err != nil {
			return res, err
		}
		if n := len(w.fake.Messages(r.ChannelID)); n != 1+len(asks) || len(asks) != 9 {
			ok = false
			res.problems = append(res.problems, fmt.Sprintf("%s: %d messages for %d asks", r.CaseNumber, n, len(asks)))
		}
		if ok && r.Provisioned {
			res.provisioned++
		}
	}
	res.elapsed = end.Sub(start)

	var calls []slackfake.Call
	for _, c := range w.fake.Calls() {
		if !c.At.Before(start) {
			calls = append(calls, c)
		}
	}
	res.problems = append(res.problems, tallyCalls(calls, res.calls, res.limited)...)
	res.minimum, res.binding = rateMinimum(res.calls, limits, window)
	if err := w.logs.err(); err != nil {
		res.problems = append(res.problems, err.Error())
	}
	fmt.Fprintf(progress, "  %d referrals submitted in %v; all provisioned after %v; limits allow %v (%s)\n",
		o.burst, res.submitting.Round(time.Millisecond), res.elapsed.Round(time.Millisecond), res.minimum, res.binding)
	fmt.Fprintf(progress, "  calls: %s\n  429s:  %s\n", countList(res.calls), countList(res.limited))
	return res, nil
}

// waitOutboxEmpty polls the outbox depth until no job is pending or running, or
// the timeout passes (waitProvisioned then says what is missing).
func (w *benchWorld) waitOutboxEmpty(ctx context.Context, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if n, err := w.db.PendingJobs(ctx); err == nil && n == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// countList renders counts by method, sorted by method.
func countList(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
