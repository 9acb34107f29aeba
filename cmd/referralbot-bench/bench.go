package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
)

// benchOptions are the knobs of `referralbot-bench`; the defaults are the published
// run, and -quick shrinks every part to a few seconds for tests.
type benchOptions struct {
	rate         float64       // open-loop presses per second
	ackDuration  time.Duration // open-loop phase
	satDuration  time.Duration // closed-loop phase
	warmup       time.Duration // unmeasured presses before each target
	clients      []int         // closed-loop client counts: saturation is the best of them
	ackReferrals int           // referrals whose asks are pressed

	burst      int     // referrals opened in the burst
	scale      float64 // rate-limit time scale of the burst
	postPerMin int     // workspace-wide chat.postMessage limit assumed for the burst

	startupReferrals int
	startupRuns      int
	rssAfter         time.Duration // when the memory of `serve` is read, after its exec

	reminders int // reminders due at once in the reminder part

	patience time.Duration // how long a press waits for its ack (0: Slack's 3 s)

	child     bool          // also run `referralbot serve` as a child process for its memory
	childLoad time.Duration // its load phase

	parts map[string]bool
}

// Targets, from issue 13 ("Performance, measured honestly").
const (
	targetAckP99        = 20 * time.Millisecond // acknowledgement p99 at 200 presses a second, serve as a process
	targetSatRatio      = 0.4                   // saturated presses/s against the signature check + slack-go parse
	targetReminderRatio = 1.25                  // reminder lag against what Slack's limits allow
	targetBurstRatio    = 1.15                  // burst time against the rate limits' minimum
	targetBurst429      = 5                     // refusals with 429 during the burst
	targetStartup       = 500 * time.Millisecond
	targetPeakRSSMB     = 64.0 // VmHWM of serve, start-up with many open referrals
	targetIdleRSSMB     = 40.0 // VmRSS of serve 30 s after its start
)

const (
	benchUsageSynopsis = "usage: referralbot-bench [-quick] [flags]"
	benchAllParts      = "ack,reminders,burst,startup"
)

// benchCmd is `referralbot-bench`: it measures the bot on this machine — the
// acknowledgement of signed button presses, the whole reminder path and a burst of
// openings under Slack's rate limits, and start-up and memory with many open
// referrals — and prints each figure beside the baseline it is compared with,
// measured in the same run.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := &benchOptions{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, benchUsageSynopsis)
		fs.PrintDefaults()
	}
	quick := fs.Bool("quick", false, "a few seconds instead of about three minutes: fewer presses, 500 reminders, 25 referrals, 200 at start-up, memory read 3 s after start")
	bare := fs.Bool("bare-server", false, "internal: serve only the bare signature check, for the memory baseline")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the bench process (bot, fake and generator) to this file")
	blockProfile := fs.String("blockprofile", "", "write where goroutines waited (block profile; mutex profile to FILE.mutex); slows the run")
	parts := fs.String("parts", benchAllParts, "which parts to run, comma-separated: ack, reminders, burst, startup (with memory)")
	fs.Float64Var(&o.rate, "rate", 200, "open-loop presses per second")
	fs.DurationVar(&o.ackDuration, "ack-duration", 10*time.Second, "open-loop phase, for the bot and for the bare handler each")
	fs.DurationVar(&o.satDuration, "sat-duration", 5*time.Second, "closed-loop (saturation) phase, for each")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured presses at -rate before each target")
	clients := fs.String("clients", "8,16,32", "closed-loop client counts, comma-separated: each side's saturation is its best over them")
	fs.IntVar(&o.ackReferrals, "ack-referrals", 20, "open referrals whose asks are pressed (9 asks each)")
	fs.IntVar(&o.burst, "referrals", 100, "referrals opened in the burst")
	fs.Float64Var(&o.scale, "scale", 60, "rate-limit time scale of the burst (60: a minute lasts a second); above 60, Slack's whole-second Retry-After outlasts the window")
	fs.IntVar(&o.postPerMin, "post-per-min", 300, "workspace-wide chat.postMessage limit assumed in the burst")
	fs.IntVar(&o.startupReferrals, "startup-referrals", 10_000, "open referrals in the start-up database")
	fs.IntVar(&o.startupRuns, "startup-runs", 3, "measured start-ups of each kind (the median is reported)")
	fs.DurationVar(&o.rssAfter, "rss-after", 30*time.Second, "when the memory of `serve` is read, after its exec")
	fs.IntVar(&o.reminders, "reminders", 10_000, "reminders due at once in the reminder part")
	fs.BoolVar(&o.child, "child", true, "press `referralbot serve` as a process of its own (the ack p99 row); false: the in-process bot")
	fs.DurationVar(&o.childLoad, "child-duration", 5*time.Second, "load phase of the child process")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: bench takes no arguments, got %q", errUsage, fs.Args())
	}
	if *bare {
		return serveBare(ctx, stderr)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *blockProfile != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
		runtime.SetMutexProfileFraction(10)
		defer func() {
			for kind, suffix := range map[string]string{"block": "", "mutex": ".mutex"} {
				if f, err := os.Create(*blockProfile + suffix); err == nil {
					_ = pprof.Lookup(kind).WriteTo(f, 0)
					f.Close()
				}
			}
		}()
	}
	counts, err := clientCounts(*clients)
	if err != nil {
		return fmt.Errorf("%w: -clients: %v", errUsage, err)
	}
	o.clients = counts
	if *quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		quickDefaults(o, set)
	}
	o.parts = map[string]bool{}
	for p := range strings.SplitSeq(*parts, ",") {
		if p = strings.TrimSpace(p); !slices.Contains(strings.Split(benchAllParts, ","), p) {
			return fmt.Errorf("%w: unknown part %q (want some of %s)", errUsage, p, benchAllParts)
		}
		o.parts[p] = true
	}
	if o.rate <= 0 || o.ackReferrals <= 0 || o.burst <= 0 || o.scale <= 0 ||
		o.postPerMin <= 0 || o.startupReferrals <= 0 || o.startupRuns <= 0 || o.reminders <= 0 || o.rssAfter <= 0 {
		return fmt.Errorf("%w: counts, rates and the scale must be positive", errUsage)
	}

	began, loadBefore := clock.Wall(), loadAverage()
	rep := &benchReport{}
	progress := stderr
	if o.parts["ack"] {
		fmt.Fprintf(progress, "1. acknowledgement of signed Approve presses (%.0f/s for %v, then %v clients for %v each)\n",
			o.rate, o.ackDuration, o.clients, o.satDuration)
		r, err := benchAck(ctx, o, progress)
		if err != nil {
			return fmt.Errorf("bench acknowledgement: %w", err)
		}
		rep.addAck(o, r)
	}
	if o.parts["reminders"] {
		fmt.Fprintf(progress, "2. %d reminders due at once, the whole path to Slack, time scaled %gx\n", o.reminders, o.scale)
		r, err := benchReminders(ctx, o, progress)
		if err != nil {
			return fmt.Errorf("bench reminders: %w", err)
		}
		rep.addReminders(o, r)
	}
	if o.parts["burst"] {
		fmt.Fprintf(progress, "3. %d referrals opened in a burst under Slack's rate limits, time scaled %gx\n", o.burst, o.scale)
		r, err := benchBurst(ctx, o, progress)
		if err != nil {
			return fmt.Errorf("bench burst: %w", err)
		}
		rep.addBurst(o, r)
	}
	if o.parts["startup"] {
		fmt.Fprintf(progress, "4. start-up with %d open referrals\n", o.startupReferrals)
		r, err := benchStartup(ctx, o, progress)
		if err != nil {
			return fmt.Errorf("bench start-up: %w", err)
		}
		rep.addStartup(o, r)
	}
	rep.print(stdout)
	fmt.Fprintf(stdout, "\n%s\nLoad average (1 min) before the run %s, after it %s: other work on the machine skews the figures.\n\nRan in %v. Reproduce: %s\n",
		machine(), loadBefore, loadAverage(), clock.Elapsed(began).Round(time.Second), reproduce(args))
	return nil
}

// quickDefaults shrinks every part for a test run, leaving flags given explicitly.
func quickDefaults(o *benchOptions, set map[string]bool) {
	quick := map[string]func(){
		"ack-duration":      func() { o.ackDuration = time.Second },
		"sat-duration":      func() { o.satDuration = 500 * time.Millisecond },
		"warmup":            func() { o.warmup = 200 * time.Millisecond },
		"clients":           func() { o.clients = []int{4} },
		"ack-referrals":     func() { o.ackReferrals = 4 },
		"referrals":         func() { o.burst = 25 },
		"startup-referrals": func() { o.startupReferrals = 200 },
		"startup-runs":      func() { o.startupRuns = 1 },
		"child-duration":    func() { o.childLoad = time.Second },
		"rss-after":         func() { o.rssAfter = 3 * time.Second },
		"reminders":         func() { o.reminders = 500 },
	}
	// A smoke run shares the machine with the rest of the test suite (and -race): a
	// slow press must not count as a lost one.
	o.patience = 30 * time.Second
	for name, apply := range quick {
		if !set[name] {
			apply()
		}
	}
}

// machine describes where the figures were measured.
func machine() string {
	model := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel := ""
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(raw))
	}
	mem := ""
	if kb, err := readMemTotalKB(); err == nil {
		mem = fmt.Sprintf(", %.1f GB RAM", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("Machine: %d CPUs (nproc), GOMAXPROCS %d, %s%s%s; %s %s/%s",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), model, mem, kernel, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// loadAverage is the one-minute load average, "?" if unknown.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func readMemTotalKB() (int64, error) {
	raw, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	var kb int64
	for line := range strings.SplitSeq(string(raw), "\n") {
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return kb, nil
		}
	}
	return 0, errors.New("no MemTotal in /proc/meminfo")
}

// reproduce is the command line that repeats this run.
func reproduce(args []string) string {
	cmd := "go build -o referralbot-bench ./cmd/referralbot-bench && ./referralbot-bench"
	if len(args) > 0 {
		cmd += " " + strings.Join(args, " ")
	}
	return cmd + "   (on an otherwise idle machine; progress goes to stderr, this table to stdout)"
}

// clientCounts parses -clients: positive counts, comma-separated.
func clientCounts(s string) ([]int, error) {
	var counts []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive count", f)
		}
		counts = append(counts, n)
	}
	return counts, nil
}
