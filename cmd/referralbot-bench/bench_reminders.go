package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// reminderLead is how long before the reminders fall due the bot starts: time for
// it to rebuild its schedule from SQLite, so that all of them wait in the queue
// when their morning comes.
const reminderLead = 3 * time.Second

// reminderResult is the reminder part: how long after they fell due the reminders
// were in Slack, against the least that Slack's limits allow.
type reminderResult struct {
	reminders int             // due at once
	referrals int             // whose asks they remind
	morning   time.Time       // when they fell due, on the bot's clock
	lags      []time.Duration // due time → each reminder's post answered, sorted
	minimum   time.Duration   // the least the limits allow for the calls made
	binding   string          // the method that sets the minimum
	calls     map[string]int
	limited   map[string]int
	recorded  int // reminders recorded in SQLite
	problems  []string
}

// last is the lag of the last reminder posted.
func (r reminderResult) last() time.Duration {
	if len(r.lags) == 0 {
		return 0
	}
	return r.lags[len(r.lags)-1]
}

// benchReminders seeds o.reminders awaiting asks (nine to a provisioned referral,
// whose channels exist in the Slack emulator) due on one date, and starts the bot,
// exactly as serve runs it with the in-process queue, on a clock set reminderLead
// before the morning of their first reminder. At that morning every ask's reminder
// falls due at once, and production's whole path runs: the reminder loop claims
// them from the queue, records each in SQLite and enqueues a job per referral in
// the outbox, and the outbox workers post each reminder in its ask's thread through
// the emulator over HTTP, which enforces the burst's rate limits with the same time
// scale while the bot paces itself to them. It times each post from the morning.
func benchReminders(ctx context.Context, o *benchOptions, progress io.Writer) (reminderResult, error) {
	res := reminderResult{reminders: o.reminders, calls: map[string]int{}, limited: map[string]int{}}
	w, err := newBenchWorld("reminders")
	if err != nil {
		return res, err
	}
	defer w.close()
	limits := w.limit(o)
	dbPath := filepath.Join(w.dir, "referralbot.db")
	cfg, err := w.config(dbPath)
	if err != nil {
		return res, err
	}
	// The asks fall due three weeks ahead; their first reminder (the policy's first
	// "business days before") comes on a business morning before that.
	rules := cfg.Rules()
	due := rules.Date(clock.Wall()).AddDate(0, 0, 21)
	nudges := rules.Nudges(due, cfg.Policy(), 0)
	if len(nudges) == 0 {
		return res, fmt.Errorf("no reminders for a due date of %s", due.Format(time.DateOnly))
	}
	res.morning = nudges[0].At

	began := clock.Wall()
	members := []string{sandbox.Analyst, w.fake.BotUserID()}
	res.referrals, err = seedReferrals(ctx, w, dbPath, seedPlan{asks: o.reminders, officeDue: due,
		channel: func(i int) string { return w.fake.AddChannel(fmt.Sprintf("ref-seeded-%06d", i+1), true, members...) }})
	if err != nil {
		return res, err
	}
	fmt.Fprintf(progress, "  seeded %d awaiting asks on %d referrals, due %s, in %v; their first reminder is due %s\n",
		o.reminders, res.referrals, due.Format(time.DateOnly), clock.Elapsed(began).Round(time.Millisecond),
		res.morning.In(rules.Location()).Format("Mon 2006-01-02 15:04 MST"))

	// The bot's clock reads reminderLead before the morning now, and runs at the real rate.
	dueAt := clock.Wall().Add(reminderLead)
	w.now = clock.From(res.morning.Add(-reminderLead))
	if err := w.startBot(ctx, dbPath); err != nil {
		return res, err
	}
	select {
	case <-w.logs.rebuilt:
	case <-ctx.Done():
		return res, ctx.Err()
	}
	if late := clock.Elapsed(dueAt); late > 0 {
		return res, fmt.Errorf("the bot rebuilt its reminder schedule %v after the reminders fell due: raise reminderLead", late)
	}

	window := time.Duration(float64(time.Minute) / o.scale)
	timeout := time.Minute + 3*time.Duration(o.reminders/o.postPerMin+1)*window
	idle := func() bool {
		n, err := w.db.PendingJobs(ctx)
		return err == nil && n == 0 && clock.Wall().After(dueAt)
	}
	posts, err := waitReminderPosts(ctx, w.fake, idle, dueAt, o.reminders, timeout)
	if err != nil {
		return res, fmt.Errorf("%w (%s)", err, w.logs.summary())
	}
	res.problems = append(res.problems, tallyCalls(posts.all, res.calls, res.limited)...)
	for _, at := range posts.reminders {
		res.lags = append(res.lags, at.Sub(dueAt))
	}
	slices.Sort(res.lags)
	res.minimum, res.binding = rateMinimum(res.calls, limits, window)

	// Each reminder was recorded in SQLite once, and its job left the outbox.
	if _, err := w.waitProvisioned(ctx, nil, time.Minute); err != nil {
		res.problems = append(res.problems, "outbox: "+err.Error())
	}
	for i := range res.referrals {
		r, err := w.db.ReferralByCase(ctx, bot.AgencyCommerce, benchCase('S', i+1))
		if err != nil {
			return res, err
		}
		rems, err := w.db.Reminders(ctx, r.ID)
		if err != nil {
			return res, err
		}
		for _, m := range rems {
			if m.Skipped == "" && m.PostedChannel {
				res.recorded++
			}
		}
	}
	if err := w.logs.err(); err != nil {
		res.problems = append(res.problems, err.Error())
	}
	fmt.Fprintf(progress, "  %d reminders posted; lag p50 %v, p99 %v, last %v; limits allow %v (%s)\n",
		len(res.lags), ms(pctOf(res.lags, 0.5)), ms(pctOf(res.lags, 0.99)), ms(res.last()), res.minimum, res.binding)
	fmt.Fprintf(progress, "  calls: %s\n  429s:  %s\n", countList(res.calls), countList(res.limited))
	return res, nil
}

// reminderPosts is the Web API calls made from the moment the reminders fell due,
// and when each reminder (a reply in an ask's thread) was answered.
type reminderPosts struct {
	all       []slackfake.Call
	reminders []time.Time
}

// waitReminderPosts polls the emulator until want reminders are posted after since.
// Copying the emulator's record of calls costs CPU that the bot is being measured
// on, so it looks only when idle says the outbox is empty (or every few seconds),
// and the figures come from the recorded times, not from when it looked.
func waitReminderPosts(ctx context.Context, fake *slackfake.Server, idle func() bool, since time.Time, want int, timeout time.Duration) (reminderPosts, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		if n%20 != 0 && !idle() {
			select {
			case <-ctx.Done():
				return reminderPosts{}, fmt.Errorf("reminders not posted after %v", timeout)
			case <-tick.C:
			}
			continue
		}
		var p reminderPosts
		for _, c := range fake.Calls() {
			if c.At.Before(since) {
				continue
			}
			p.all = append(p.all, c)
			if c.Method == "chat.postMessage" && c.Error == "" && c.Param("thread_ts") != "" {
				p.reminders = append(p.reminders, c.At)
			}
		}
		if len(p.reminders) >= want {
			return p, nil
		}
		select {
		case <-ctx.Done():
			return p, fmt.Errorf("%d of %d reminders posted after %v", len(p.reminders), want, timeout)
		case <-tick.C:
		}
	}
}

// tallyCalls counts the calls by method: answered, into ok, or refused with 429,
// into limited. It returns the other errors.
func tallyCalls(calls []slackfake.Call, ok, limited map[string]int) (problems []string) {
	for _, c := range calls {
		switch c.Error {
		case "":
			ok[c.Method]++
		case "ratelimited":
			limited[c.Method]++
		default:
			problems = append(problems, fmt.Sprintf("%s answered %s", c.Method, c.Error))
		}
	}
	return problems
}

// rateMinimum is the least time the limits allow for the calls that succeeded: for
// each limited method, N calls at L per window need ceil(N/L)-1 windows after the
// first (which takes L at once); the largest over the methods, and which one.
func rateMinimum(calls, limits map[string]int, window time.Duration) (time.Duration, string) {
	var minimum time.Duration
	binding := ""
	for _, m := range slices.Sorted(maps.Keys(limits)) {
		n, l := calls[m], limits[m]
		if n == 0 {
			continue
		}
		if d := time.Duration((n+l-1)/l-1) * window; d > minimum || binding == "" {
			minimum, binding = d, fmt.Sprintf("%s: %d calls at %d/min", m, n, l)
		}
	}
	return minimum, binding
}

// pctOf is the q-quantile (nearest rank) of sorted durations; 0 when there are none.
func pctOf(sorted []time.Duration, q float64) time.Duration {
	return loadResult{lat: sorted}.pct(q)
}
