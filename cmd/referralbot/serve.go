package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/metrics"
	"github.com/referralbot/referralbot/internal/slackapi"
	"github.com/referralbot/referralbot/store"
	"github.com/referralbot/referralbot/store/reminders"
)

// reminderTick is how often due reminders are claimed.
const reminderTick = 250 * time.Millisecond

// slackTimeout bounds one Slack Web API call.
const slackTimeout = 30 * time.Second

// app is the bot wired together: what serve runs and what end-to-end tests drive.
type app struct {
	cfg    *Config
	log    *slog.Logger
	db     *store.DB
	api    *slack.Client
	svc    *bot.Service
	router *handlers.Router
	mux    *http.ServeMux

	queue      bot.ReminderQueue
	closeQueue func() error
	metrics    *metrics.Metrics
}

// newApp opens the database, checks the Slack token and wires the bot. now is the
// clock (nil for time.Now).
func newApp(ctx context.Context, cfg *Config, log *slog.Logger, now func() time.Time) (*app, error) {
	roster, err := bot.LoadRoster(cfg.RosterPath)
	if err != nil {
		return nil, err
	}
	if len(roster.Analysts) == 0 {
		log.Warn("the roster names no analysts, so nobody can open referrals; set ROSTER_PATH")
	}
	db, err := store.Open(ctx, cfg.DatabasePath)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", cfg.DatabasePath, err)
	}
	if now != nil {
		db.Now = now
	}
	queue, closeQueue, err := openQueue(ctx, cfg.RedisURL)
	if err != nil {
		db.Close()
		return nil, err
	}
	m := metrics.New(metrics.Gauges{
		OutboxDepth:   db.PendingJobs,
		OpenReferrals: db.OpenReferrals,
		RemindersPending: func(ctx context.Context) (int, error) {
			pending, _, err := queue.Len(ctx)
			return pending, err
		},
	})
	api := slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL), slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionHTTPClient(&http.Client{Transport: m.SlackTransport(nil), Timeout: slackTimeout}))
	auth, err := api.AuthTestContext(ctx)
	if err != nil {
		_ = closeQueue()
		db.Close()
		return nil, fmt.Errorf("check Slack bot token (auth.test): %w", err)
	}
	client := slackapi.New(api, auth.UserID)
	rules := deadline.NewRules(deadline.NewCalendar(cfg.Location), deadline.Defaults{
		CommerceDays: cfg.CommerceDueDays, StateDays: cfg.StateDueDays, OfficeLeadBusinessDays: cfg.OfficeLeadBusinessDays,
	})
	svc := bot.NewService(db, client, bot.Config{Roster: roster, Rules: rules, Policy: cfg.Policy, Queue: queue, Now: now, Log: log, Observe: m, JobLease: cfg.OutboxLease})
	router := handlers.NewRouter(svc, client, log)
	mux := http.NewServeMux()
	if cfg.SlackSigningSecret != "" {
		handlers.NewHTTP(router, cfg.SlackSigningSecret).Routes(mux)
	}
	mux.HandleFunc("GET /healthz", handlers.Healthz)
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("POST /api/referrals", handlers.ImportAPI(svc, cfg.APIToken, log))
	mux.HandleFunc("GET /readyz", handlers.Readyz(map[string]handlers.Check{
		// A write transaction proves the database file is there, writable and not locked out.
		"database": func(ctx context.Context) error { return db.Update(ctx, func(bot.Tx) error { return nil }) },
		"reminder_queue": func(ctx context.Context) error {
			_, err := queue.Seeded(ctx)
			return err
		},
		// auth.test passed at start-up, or newApp would have failed.
		"slack_auth": func(context.Context) error { return nil },
	}))
	log.Info("referralbot ready", "bot_user", auth.UserID, "team", auth.Team, "socket_mode", cfg.SocketMode(),
		"offices", len(roster.Offices), "analysts", len(roster.Analysts), "database", cfg.DatabasePath)
	return &app{cfg: cfg, log: log, db: db, api: api, svc: svc, router: router, mux: mux, queue: queue, closeQueue: closeQueue, metrics: m}, nil
}

// openQueue connects the reminder queue: Redis when configured, otherwise an
// in-process queue that serves a single instance.
func openQueue(ctx context.Context, redisURL string) (bot.ReminderQueue, func() error, error) {
	if redisURL == "" {
		return reminders.NewMemory(), func() error { return nil }, nil
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		// Not fatal: SQLite holds the schedule, and it is rebuilt when Redis answers.
		slog.Default().Warn("Redis does not answer yet; reminders wait for it", "err", err)
	}
	return reminders.NewRedis(client, reminders.DefaultPrefix), client.Close, nil
}

// close releases what newApp opened.
func (a *app) close() {
	_ = a.closeQueue()
	_ = a.db.Close()
}

// serve runs the bot until ctx ends, then stops taking requests, lets in-flight
// work finish and closes the database.
// ready, when not nil, is told the address the HTTP server listens on.
func serve(ctx context.Context, cfg *Config, stderr io.Writer, ready func(addr string)) error {
	log := newLogger(cfg.LogFormat, stderr)
	a, err := newApp(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer a.close()

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: handlers.Logged(log, a.mux, a.metrics.ObserveRequest), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 2)
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	log.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { a.svc.RunWorkers(workCtx, cfg.OutboxWorkers) })
	wg.Go(func() { a.svc.RunReminders(workCtx, reminderTick) })
	if cfg.SocketMode() {
		wg.Go(func() {
			if err := handlers.NewSocket(a.router, a.api).Run(ctx); err != nil {
				errc <- err
			}
		})
	}

	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	stopWork()
	wg.Wait()
	return err
}

// newLogger logs JSON in production and readable text on a terminal.
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
