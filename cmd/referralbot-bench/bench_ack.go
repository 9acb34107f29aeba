package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
)

// ackResult is part 1: the bot and the bare handler pressed at a fixed rate and at
// saturation, and the memory of the process meanwhile.
type ackResult struct {
	botOpen, bareOpen loadResult // open loop at o.rate
	sat               []satRun   // closed loop, every client count in order (best picks each side's)
	presses           int        // presses the bot answered while measured
	versions          int        // position versions those presses recorded
	refused           int        // presses told "try again": not recorded, within the ack budget
	drain             time.Duration
	rssIdle, rssPeak  float64 // this process, MB
	warnings          error

	child *childResult // nil when the bot was not run as a process of its own
}

// satRun is the bot and the bare handler, each pressed by the same number of
// closed-loop clients.
type satRun struct {
	clients   int
	bot, bare loadResult
}

// best is the run of the highest rate, by side.
func best(runs []satRun, side func(satRun) loadResult) (loadResult, int) {
	var top loadResult
	clients := 0
	for _, r := range runs {
		if l := side(r); clients == 0 || l.perSecond() > top.perSecond() {
			top, clients = l, r.clients
		}
	}
	return top, clients
}

// childResult is `referralbot serve` (and the bare handler) as processes of their own.
type childResult struct {
	skipped            string // why there is no figure
	idle, peak, hwm    float64
	bareIdle, barePeak float64
	load, bareLoad     loadResult
	bareSkipped        string
	warnings           error
}

// benchAck opens o.ackReferrals referrals through the bot and presses their Approve
// buttons: first at o.rate presses a second (open loop), then with each of o.clients
// clients pressing as fast as answers come (closed loop), each time against the bare
// handler as well. Saturation is each side's best rate over the client counts: a
// bot that commits presses in groups needs more presses in flight than a handler
// that touches no disk before it is saturated. The outbox workers update the Slack messages meanwhile, as in
// production. Then, if it can, it runs `referralbot serve` as a child process on
// the same database and workspace, to measure the memory of the bot alone.
func benchAck(ctx context.Context, o *benchOptions, progress io.Writer) (*ackResult, error) {
	res := &ackResult{}
	w, err := newBenchWorld("ack")
	if err != nil {
		return nil, err
	}
	defer w.close()
	// Slack's limits, as the other parts run under them (time scaled o.scale): the
	// outbox's message refreshes are paced as Slack would pace them. Without limits
	// the refreshes of a press storm ran at some 600 chat.update a second, twelve
	// times what even 60x-scaled Slack allows, and took a fifth of the CPU.
	w.limit(o)
	dir := w.dir
	dbPath := filepath.Join(dir, "referralbot.db")
	if err := w.startBot(ctx, dbPath); err != nil {
		return nil, err
	}
	settle(ctx, time.Second)
	res.rssIdle = rssMB("self")

	cases := make([]string, o.ackReferrals)
	for i := range cases {
		cases[i] = benchCase('A', i+1)
		if err := w.openReferral(cases[i]); err != nil {
			return nil, err
		}
	}
	refs, err := w.waitProvisioned(ctx, cases, time.Minute)
	if err != nil {
		return nil, err
	}
	deck, err := newPressDeck(ctx, w, refs)
	if deck != nil {
		deck.patience = o.patience
	}
	if err != nil {
		return nil, err
	}
	bareURL, stopBare, err := startBare()
	if err != nil {
		return nil, err
	}
	defer stopBare()
	botT := newLoadTarget("bot", w.url, deck)
	bareT := newBareTarget("bare handler", bareURL, deck)
	fmt.Fprintf(progress, "  %d referrals open, %d asks to press; in-process RSS idle %.1f MB\n", len(refs), len(deck.asks), res.rssIdle)

	deck.newPhase()
	openLoop(ctx, bareT, o.rate, o.warmup)
	openLoop(ctx, botT, o.rate, o.warmup)
	before, err := countVersions(ctx, w, refs)
	if err != nil {
		return nil, err
	}
	refusedBefore := countTryAgain(w, refs)
	sampler := sampleRSS("self", 50*time.Millisecond, w.fake.Reset)
	res.bareOpen = openLoop(ctx, bareT, o.rate, o.ackDuration)
	fmt.Fprintf(progress, "  bare handler, %.0f/s: %v\n", o.rate, res.bareOpen)
	res.botOpen = openLoop(ctx, botT, o.rate, o.ackDuration)
	fmt.Fprintf(progress, "  bot,          %.0f/s: %v\n", o.rate, res.botOpen)
	deck.newPhase()
	res.presses = len(res.botOpen.lat)
	for _, n := range o.clients {
		run := satRun{clients: n}
		run.bare = closedLoop(ctx, bareT, n, o.satDuration)
		fmt.Fprintf(progress, "  bare handler, %d clients: %v\n", n, run.bare)
		run.bot = closedLoop(ctx, botT, n, o.satDuration)
		fmt.Fprintf(progress, "  bot,          %d clients: %v\n", n, run.bot)
		res.sat = append(res.sat, run)
		res.presses += len(run.bot.lat)
	}
	res.rssPeak = sampler.end()

	// The Slack updates the presses queued: how long until the outbox is empty.
	began := clock.Wall()
	if _, err := w.waitProvisioned(ctx, cases, 2*time.Minute); err != nil {
		return nil, fmt.Errorf("outbox after the load: %w", err)
	}
	res.drain = clock.Elapsed(began)
	after, err := countVersions(ctx, w, refs)
	if err != nil {
		return nil, err
	}
	res.versions = after - before
	res.refused = countTryAgain(w, refs) - refusedBefore
	res.warnings = w.logs.err()
	fmt.Fprintf(progress, "  %d presses answered, %d told to try again, %d versions recorded; outbox empty %v after the load; in-process RSS peak %.1f MB\n",
		res.presses, res.refused, res.versions, res.drain.Round(time.Millisecond), res.rssPeak)

	if o.child {
		w.stop()
		w.stop = nil
		res.child = benchChild(ctx, o, w, dbPath, deck, progress)
	}
	return res, nil
}

// childEnvVar, in a test binary's environment, makes it act as referralbot-bench
// (TestMain): under go test the bench's children are the test binary itself, as the
// crash tests' bot is.
const childEnvVar = "REFERRALBOT_BENCH_CHILD"

// servingExecutable is this program, which the bench runs as `serve` (and as the
// bare handler) in child processes, and what to add to a child's environment.
func servingExecutable() (exe string, env []string, err error) {
	exe, err = os.Executable()
	if err != nil {
		return "", nil, err
	}
	if strings.HasSuffix(exe, ".test") {
		return exe, []string{childEnvVar + "=1"}, nil
	}
	return exe, nil, nil
}

// countVersions counts the position versions recorded on the referrals' asks.
func countVersions(ctx context.Context, w *benchWorld, refs []*bot.Referral) (int, error) {
	n := 0
	for _, r := range refs {
		asks, err := w.db.Asks(ctx, r.ID)
		if err != nil {
			return 0, err
		}
		for _, a := range asks {
			if a.Current != nil {
				n += a.Current.Version
			}
		}
	}
	return n, nil
}

// countTryAgain counts the presses the bot answered without recording them: on an
// overloaded machine a write that could not start within the acknowledgement's
// budget (bot.TryAgain), or a roster check that could not finish in it, records
// nothing, and the presser is told so; the deck's later presses on that ask then
// show a version that was never recorded, and are refused as stale ("Meanwhile …").
func countTryAgain(w *benchWorld, refs []*bot.Referral) int {
	n := 0
	for _, r := range refs {
		for _, e := range w.fake.Ephemerals(r.ChannelID) {
			if t := strings.ToLower(e.Text); strings.Contains(t, "try again") || strings.Contains(t, "nothing was recorded") {
				n++
			}
		}
	}
	return n
}

// benchChild runs `referralbot serve` as a child process on the database part 1
// left and the same workspace, reads its RSS idle and under o.rate presses a
// second, and does the same for the bare handler in a child process
// (`referralbot-bench -bare-server`) as the baseline.
func benchChild(ctx context.Context, o *benchOptions, w *benchWorld, dbPath string, deck *pressDeck, progress io.Writer) *childResult {
	res := &childResult{}
	exe, extra, err := servingExecutable()
	if err != nil {
		res.skipped = err.Error()
		return res
	}
	measure := func(c *child, t *loadTarget) (idle, peak float64, load loadResult) {
		t.pid = c.pid
		settle(ctx, time.Second)
		idle = rssMB(c.pid)
		deck.newPhase()
		openLoop(ctx, t, o.rate, o.warmup)
		sampler := sampleRSS(c.pid, 50*time.Millisecond, w.fake.Reset)
		load = openLoop(ctx, t, o.rate, o.childLoad)
		peak = sampler.end()
		return idle, peak, load
	}

	c, err := startChild(ctx, exe, []string{"serve"}, append(w.env(dbPath), extra...))
	if err != nil {
		res.skipped = err.Error()
		return res
	}
	if err := c.waitRebuilt(ctx, 30*time.Second); err != nil {
		res.skipped = err.Error()
		c.kill()
		return res
	}
	res.idle, res.peak, res.load = measure(c, newLoadTarget("referralbot serve", c.url, deck))
	if kb, err := readStatusKB(c.pid, "VmHWM"); err == nil {
		res.hwm = float64(kb) / 1024
	}
	res.warnings = errors.Join(c.logs.err(), c.stop())
	fmt.Fprintf(progress, "  referralbot serve (pid %s): RSS idle %.1f MB, peak %.1f MB (VmHWM %.1f MB) under %v\n",
		c.pid, res.idle, res.peak, res.hwm, res.load)

	b, err := startChild(ctx, exe, []string{"-bare-server"}, append([]string{"PATH=" + os.Getenv("PATH")}, extra...))
	if err != nil {
		res.bareSkipped = err.Error()
		return res
	}
	res.bareIdle, res.barePeak, res.bareLoad = measure(b, newBareTarget("bare handler process", b.url, deck))
	_ = b.stop()
	fmt.Fprintf(progress, "  bare handler (pid %s): RSS idle %.1f MB, peak %.1f MB under %v\n",
		b.pid, res.bareIdle, res.barePeak, res.bareLoad)
	return res
}
