package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/app"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/store"
)

// startupTiming is one start-up, split into its steps.
type startupTiming struct {
	newApp    time.Duration // open and migrate the database, auth.test, wire the bot
	rebuild   time.Duration // rebuild the reminder schedule from SQLite
	ready     time.Duration // listen and answer the first /readyz with 200
	reminders int           // reminders the rebuild scheduled
	heapMB    float64       // live heap the started bot holds (after a GC), MB
}

func (t startupTiming) total() time.Duration { return t.newApp + t.rebuild + t.ready }

// measureStartup starts the bot on the database at dbPath in this process, as serve
// does, but with the reminder rebuild (which serve runs in the background) done in
// line, and times it until /readyz first answers 200. Then it shuts the bot down.
func measureStartup(ctx context.Context, w *benchWorld, dbPath string) (startupTiming, error) {
	var t startupTiming
	cfg, err := w.config(dbPath)
	if err != nil {
		return t, err
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	heapBefore := liveHeap()
	began := clock.Wall()
	a, err := app.New(ctx, cfg, app.Serving, clock.Wall, log)
	if err != nil {
		return t, err
	}
	defer a.Close()
	t.newApp = clock.Elapsed(began)

	began = clock.Wall()
	if err := a.Service.RebuildReminders(ctx); err != nil {
		return t, err
	}
	t.rebuild = clock.Elapsed(began)

	began = clock.Wall()
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return t, err
	}
	srv := &http.Server{Handler: handlers.Logged(log, a.Mux, a.Metrics.ObserveRequest), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for try := 1; ; try++ {
		resp, err := client.Get("http://" + ln.Addr().String() + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			err = fmt.Errorf("/readyz answered %d", resp.StatusCode)
		}
		if try == 100 {
			return t, err
		}
	}
	t.ready = clock.Elapsed(began)
	pending, leased, err := a.Queue.Len(ctx)
	if err != nil {
		return t, err
	}
	t.reminders = pending + leased
	t.heapMB = float64(liveHeap()-heapBefore) / (1 << 20)
	runtime.KeepAlive(a)
	return t, nil
}

// liveHeap is the heap still reachable after a full collection, in bytes.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// seedPlan is what seedReferrals writes: asks awaiting a position, nine to a
// referral (the last may have fewer), each referral already provisioned.
type seedPlan struct {
	asks int
	// officeDue, when set, is every ask's due date; otherwise the default for a
	// referral received that day.
	officeDue time.Time
	// channel, when set, makes referral i's channel (in the Slack emulator, so that
	// the bot can post there); otherwise the channel ids are made up.
	channel func(i int) string
}

// seedReferrals writes open referrals straight into the database, each already
// provisioned (channel, summary and asks posted) with its offices still to answer:
// the worst case for the start-up rebuild, which schedules reminders for every
// awaiting ask. Received dates spread over the last 30 days, so that some asks are
// overdue and the rest fall due over the coming weeks. It returns the referrals.
func seedReferrals(ctx context.Context, w *benchWorld, path string, plan seedPlan) (int, error) {
	db, err := store.Open(ctx, path, clock.Wall)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	roster, err := bot.LoadRoster(w.rosterPath)
	if err != nil {
		return 0, err
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return 0, err
	}
	rules := deadline.NewRules(deadline.NewCalendar(loc), deadline.Defaults{CommerceDays: 30, StateDays: 30, OfficeLeadBusinessDays: 5})
	y, m, d := clock.Wall().In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	var offices []string
	for _, o := range roster.Offices {
		offices = append(offices, o.Code)
	}
	n := (plan.asks + len(offices) - 1) / len(offices)
	const batch = 500
	for first := 0; first < n; first += batch {
		err := db.Update(ctx, func(tx bot.Tx) error {
			for i := first; i < min(first+batch, n); i++ {
				caseNumber := benchCase('S', i+1)
				asked := offices[:min(len(offices), plan.asks-i*len(offices))]
				in := bot.ReferralInput{
					Agency: string(bot.AgencyCommerce), CaseNumber: caseNumber, LicenseType: "BIS-748P",
					Applicant: "Acme Photonics Inc.", Commodity: "Uncooled thermal imaging cameras",
					Classification: "6A003.b.4", Destination: "DE", EndUser: "Bundeswehr procurement office, Koblenz",
					Value: "1,250,000", Received: today.AddDate(0, 0, -(i % 30)).Format(bot.DateLayout), Offices: asked,
				}
				if !plan.officeDue.IsZero() {
					in.Received, in.OfficeDue = today.Format(bot.DateLayout), plan.officeDue.Format(bot.DateLayout)
				}
				r, err := in.Referral(roster, rules, today)
				if err != nil {
					return fmt.Errorf("seed referral %s: %w", caseNumber, err)
				}
				r.AnalystID = sandbox.Analyst
				r.ChannelName = bot.ChannelName(r.Agency, r.CaseNumber, 1)
				r.ChannelID = fmt.Sprintf("CSEED%06d", i+1)
				if plan.channel != nil {
					r.ChannelID = plan.channel(i)
				}
				r.TopicSet, r.MembersInvited, r.Provisioned = true, true, true
				r.SummaryTS = fmt.Sprintf("1700000000.%06d", i*10)
				if err := tx.CreateReferral(ctx, r); err != nil {
					return err
				}
				for k, code := range asked {
					a := &bot.Ask{ReferralID: r.ID, OfficeCode: code, DueDate: r.OfficeDueDate, State: bot.AskAwaiting,
						MessageTS: fmt.Sprintf("1700000000.%06d", i*10+k+1)}
					if err := tx.CreateAsk(ctx, a); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return n, nil
}

// startupResult is the median start-up with an empty database and with the seeded
// one, in process (the steps) and as `referralbot serve` processes (the figures).
type startupResult struct {
	referrals   int
	empty, full startupTiming
	process     *processStarts
}

// processStarts is `referralbot serve` started as a process on each database,
// o.startupRuns times; the last start of each stays up for its memory.
type processStarts struct {
	skipped     string
	empty, full processRuns
}

// processRuns is the starts of `referralbot serve` on one database.
type processRuns struct {
	rebuilt  []time.Duration // exec to "reminder schedule rebuilt", each start
	after    time.Duration   // when the memory was read, from exec
	rss, hwm float64         // MB, of the last start, read after `after`
}

// median is the median time to the rebuild's end.
func (p processRuns) median() time.Duration {
	s := slices.Sorted(slices.Values(p.rebuilt))
	return s[len(s)/2]
}

// startServes starts `referralbot serve` on dbPath runs times, each until its
// reminder rebuild ends, and leaves the last one running.
func startServes(ctx context.Context, exe string, env []string, runs int, into *processRuns) (*child, error) {
	for run := 1; ; run++ {
		c, err := startChild(ctx, exe, []string{"serve"}, env)
		if err != nil {
			return nil, err
		}
		if err := c.waitRebuilt(ctx, 2*time.Minute); err != nil {
			c.kill()
			return nil, err
		}
		into.rebuilt = append(into.rebuilt, c.rebuiltAt.Sub(c.started))
		if run == runs {
			return c, nil
		}
		if err := errors.Join(c.stop(), c.logs.err()); err != nil {
			return nil, err
		}
	}
}

// readAfter waits until d after c's exec, then reads its VmRSS and VmHWM.
func readAfter(ctx context.Context, c *child, d time.Duration, into *processRuns) error {
	settle(ctx, d-clock.Elapsed(c.started))
	into.after = clock.Elapsed(c.started)
	rss, err1 := readStatusKB(c.pid, "VmRSS")
	hwm, err2 := readStatusKB(c.pid, "VmHWM")
	into.rss, into.hwm = float64(rss)/1024, float64(hwm)/1024
	return errors.Join(err1, err2)
}

// benchProcesses starts `referralbot serve` on the seeded database, then on the
// empty one (while the first idles), o.startupRuns times each, and reads the memory
// of each one's last start o.rssAfter after its exec: the in-process reminder queue
// (no REDIS_URL), as a single instance runs.
func benchProcesses(ctx context.Context, o *benchOptions, w *benchWorld, emptyPath, fullPath string) *processStarts {
	p := &processStarts{}
	exe, extra, err := servingExecutable()
	if err != nil {
		p.skipped = err.Error()
		return p
	}
	full, err := startServes(ctx, exe, append(w.env(fullPath), extra...), o.startupRuns, &p.full)
	if err != nil {
		p.skipped = err.Error()
		return p
	}
	defer full.kill()
	empty, err := startServes(ctx, exe, append(w.env(emptyPath), extra...), o.startupRuns, &p.empty)
	if err != nil {
		p.skipped = err.Error()
		return p
	}
	defer empty.kill()
	if err := errors.Join(readAfter(ctx, full, o.rssAfter, &p.full), readAfter(ctx, empty, o.rssAfter, &p.empty)); err != nil {
		p.skipped = err.Error()
		return p
	}
	if err := errors.Join(full.stop(), empty.stop(), full.logs.err(), empty.logs.err()); err != nil {
		p.skipped = err.Error()
	}
	return p
}

// benchStartup measures start-up with an empty database (the baseline) and with
// o.startupReferrals open referrals: in this process, alternating, after one
// unmeasured start, for the steps; then as `referralbot serve` processes.
func benchStartup(ctx context.Context, o *benchOptions, progress io.Writer) (startupResult, error) {
	res := startupResult{referrals: o.startupReferrals}
	w, err := newBenchWorld("startup")
	if err != nil {
		return res, err
	}
	defer w.close()
	dir := w.dir

	emptyPath, fullPath := filepath.Join(dir, "empty.db"), filepath.Join(dir, "full.db")
	db, err := store.Open(ctx, emptyPath, clock.Wall)
	if err != nil {
		return res, err
	}
	db.Close()
	began := clock.Wall()
	if _, err := seedReferrals(ctx, w, fullPath, seedPlan{asks: 9 * o.startupReferrals}); err != nil {
		return res, err
	}
	fmt.Fprintf(progress, "  seeded %d open referrals (%d awaiting asks) in %v\n",
		o.startupReferrals, 9*o.startupReferrals, clock.Elapsed(began).Round(time.Millisecond))

	// One unmeasured start warms the code paths; the seeded file is in the page
	// cache already, having just been written.
	if _, err := measureStartup(ctx, w, emptyPath); err != nil {
		return res, fmt.Errorf("start-up with an empty database: %w", err)
	}
	var empties, fulls []startupTiming
	for run := 1; run <= o.startupRuns; run++ {
		e, err := measureStartup(ctx, w, emptyPath)
		if err != nil {
			return res, fmt.Errorf("start-up with an empty database: %w", err)
		}
		f, err := measureStartup(ctx, w, fullPath)
		if err != nil {
			return res, fmt.Errorf("start-up with %d referrals: %w", o.startupReferrals, err)
		}
		empties, fulls = append(empties, e), append(fulls, f)
		fmt.Fprintf(progress, "  in process, run %d: empty %v, %d referrals %v (newApp %v, rebuild %v for %d reminders, readyz %v)\n",
			run, ms(e.total()), o.startupReferrals, ms(f.total()), ms(f.newApp), ms(f.rebuild), f.reminders, ms(f.ready))
	}
	res.empty, res.full = median(empties), median(fulls)

	fmt.Fprintf(progress, "  referralbot serve as a process, %d starts on each database; memory read %v after exec\n", o.startupRuns, o.rssAfter)
	res.process = benchProcesses(ctx, o, w, emptyPath, fullPath)
	if p := res.process; p.skipped == "" {
		fmt.Fprintf(progress, "  referralbot serve, %d referrals: rebuilt after %v; RSS %.1f MB, VmHWM %.1f MB\n",
			o.startupReferrals, p.full.rebuilt, p.full.rss, p.full.hwm)
		fmt.Fprintf(progress, "  referralbot serve, empty: rebuilt after %v; RSS %.1f MB, VmHWM %.1f MB\n", p.empty.rebuilt, p.empty.rss, p.empty.hwm)
	} else {
		fmt.Fprintf(progress, "  referralbot serve as a process: %s\n", p.skipped)
	}
	return res, nil
}

// median returns the timing with the median total.
func median(ts []startupTiming) startupTiming {
	slices.SortFunc(ts, func(a, b startupTiming) int { return cmp.Compare(a.total(), b.total()) })
	return ts[len(ts)/2]
}
