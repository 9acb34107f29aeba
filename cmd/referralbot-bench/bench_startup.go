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

// seedReferrals writes n open referrals straight into the database, each already
// provisioned (channel, summary and asks posted) with all nine offices still to
// answer: the worst case for the start-up rebuild, which schedules reminders for
// every awaiting ask. Received dates spread over the last 30 days, so that some asks
// are overdue and the rest fall due over the coming weeks.
func seedReferrals(ctx context.Context, w *benchWorld, path string, n int) error {
	db, err := store.Open(ctx, path, clock.Wall)
	if err != nil {
		return err
	}
	defer db.Close()
	roster, err := bot.LoadRoster(w.rosterPath)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return err
	}
	rules := deadline.NewRules(deadline.NewCalendar(loc), deadline.Defaults{CommerceDays: 30, StateDays: 30, OfficeLeadBusinessDays: 5})
	y, m, d := clock.Wall().In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	var offices []string
	for _, o := range roster.Offices {
		offices = append(offices, o.Code)
	}
	const batch = 500
	for first := 0; first < n; first += batch {
		err := db.Update(ctx, func(tx bot.Tx) error {
			for i := first; i < min(first+batch, n); i++ {
				caseNumber := benchCase('S', i+1)
				in := bot.ReferralInput{
					Agency: string(bot.AgencyCommerce), CaseNumber: caseNumber, LicenseType: "BIS-748P",
					Applicant: "Acme Photonics Inc.", Commodity: "Uncooled thermal imaging cameras",
					Classification: "6A003.b.4", Destination: "DE", EndUser: "Bundeswehr procurement office, Koblenz",
					Value: "1,250,000", Received: today.AddDate(0, 0, -(i % 30)).Format(bot.DateLayout), Offices: offices,
				}
				r, err := in.Referral(roster, rules, today)
				if err != nil {
					return fmt.Errorf("seed referral %s: %w", caseNumber, err)
				}
				r.AnalystID = sandbox.Analyst
				r.ChannelName = bot.ChannelName(r.Agency, r.CaseNumber, 1)
				r.ChannelID = fmt.Sprintf("CSEED%06d", i+1)
				r.TopicSet, r.MembersInvited, r.Provisioned = true, true, true
				r.SummaryTS = fmt.Sprintf("1700000000.%06d", i*10)
				if err := tx.CreateReferral(ctx, r); err != nil {
					return err
				}
				for k, code := range offices {
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
			return err
		}
	}
	return nil
}

// startupResult is the median start-up with an empty database and with the seeded
// one, in process and, when it can run, as `referralbot serve` processes.
type startupResult struct {
	referrals   int
	empty, full startupTiming
	process     *processStarts
}

// processStarts is `referralbot serve` started as a process on each database.
type processStarts struct {
	skipped     string
	empty, full processStart
}

// processStart is one `referralbot serve` process from exec until idle after its
// start-up rebuild of the reminder schedule.
type processStart struct {
	listen, ready, rebuilt time.Duration // from exec
	rss                    float64       // MB, idle after the rebuild
}

// startProcess runs `referralbot serve` on dbPath and times it.
func startProcess(ctx context.Context, exe string, w *benchWorld, dbPath string) (processStart, error) {
	var p processStart
	c, err := startChild(ctx, exe, []string{"serve"}, w.env(dbPath))
	if err != nil {
		return p, err
	}
	ready, err := c.firstReady(ctx)
	if err == nil {
		err = c.waitRebuilt(ctx, 2*time.Minute)
	}
	if err != nil {
		c.kill()
		return p, err
	}
	p.listen, p.ready, p.rebuilt = c.listening.Sub(c.started), ready.Sub(c.started), c.rebuiltAt.Sub(c.started)
	settle(ctx, time.Second)
	p.rss = rssMB(c.pid)
	return p, errors.Join(c.stop(), c.logs.err())
}

// benchStartup measures start-up with an empty database (the baseline) and with
// o.startupReferrals open referrals, alternating, after one unmeasured start of each.
func benchStartup(ctx context.Context, o *benchOptions, progress io.Writer) (startupResult, error) {
	res := startupResult{referrals: o.startupReferrals}
	dir, cleanup, err := benchDir("startup")
	if err != nil {
		return res, err
	}
	defer cleanup()
	w, err := newBenchWorld(dir)
	if err != nil {
		return res, err
	}
	defer w.close()

	emptyPath, fullPath := filepath.Join(dir, "empty.db"), filepath.Join(dir, "full.db")
	db, err := store.Open(ctx, emptyPath, clock.Wall)
	if err != nil {
		return res, err
	}
	db.Close()
	began := clock.Wall()
	if err := seedReferrals(ctx, w, fullPath, o.startupReferrals); err != nil {
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
		fmt.Fprintf(progress, "  run %d: empty %v, %d referrals %v (newApp %v, rebuild %v for %d reminders, readyz %v)\n",
			run, ms(e.total()), o.startupReferrals, ms(f.total()), ms(f.newApp), ms(f.rebuild), f.reminders, ms(f.ready))
	}
	res.empty, res.full = median(empties), median(fulls)

	if o.child {
		res.process = &processStarts{}
		exe, err := servingExecutable()
		if err != nil {
			res.process.skipped = err.Error()
			return res, nil
		}
		for _, run := range []struct {
			path string
			into *processStart
		}{{emptyPath, &res.process.empty}, {fullPath, &res.process.full}} {
			if *run.into, err = startProcess(ctx, exe, w, run.path); err != nil {
				res.process.skipped = err.Error()
				return res, nil
			}
		}
		e, f := res.process.empty, res.process.full
		fmt.Fprintf(progress, "  referralbot serve, empty: listening %v, /readyz %v, rebuilt %v, RSS %.1f MB\n", ms(e.listen), ms(e.ready), ms(e.rebuilt), e.rss)
		fmt.Fprintf(progress, "  referralbot serve, %d referrals: listening %v, /readyz %v, rebuilt %v, RSS %.1f MB\n",
			o.startupReferrals, ms(f.listen), ms(f.ready), ms(f.rebuilt), f.rss)
	}
	return res, nil
}

// median returns the timing with the median total.
func median(ts []startupTiming) startupTiming {
	slices.SortFunc(ts, func(a, b startupTiming) int { return cmp.Compare(a.total(), b.total()) })
	return ts[len(ts)/2]
}
