// Package app builds referralbot from its settings: the one constructor that serve,
// the offline commands, the demo and the benchmarks all use, so that each runs the
// same wiring on the same clock.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/metrics"
	"github.com/referralbot/referralbot/internal/slackapi"
	"github.com/referralbot/referralbot/store"
	"github.com/referralbot/referralbot/store/reminders"
)

// slackTimeout bounds one Slack Web API call.
const slackTimeout = 30 * time.Second

// App is the bot wired together. Offline, it has a database, a roster and a
// service that only queues Slack work; serving, it also has Slack and its handlers.
type App struct {
	Config  *Config
	Log     *slog.Logger
	Now     clock.Clock
	DB      *store.DB
	Roster  *bot.Roster
	Queue   bot.ReminderQueue
	Service *bot.Service

	// Provisos is the standard provisos library (PROVISO_LIBRARY_PATH).
	Provisos *bot.ProvisoLibrary

	// Set only when serving.
	API     *slack.Client
	Router  *handlers.Router
	Socket  *handlers.Socket // nil in HTTP mode
	Mux     *http.ServeMux
	Metrics *metrics.Metrics

	// Staffing are the staffing rules, checked against the roster.
	Staffing *bot.StaffingRules

	closers []func() error
	ready   func()        // logs "referralbot ready", once Slack can reach the bot
	readyc  chan struct{} // closed by ready
}

// Ready is closed once Slack can reach the serving bot: in Socket Mode when Slack
// accepted the connection, in HTTP mode when the listener is up.
func (a *App) Ready() <-chan struct{} { return a.readyc }

// New opens the database and the reminder queue and wires the bot on the clock now.
// Serving, it checks the Slack bot token with auth.test; offline, it refuses to
// create a database (a mistyped DATABASE_PATH must not look like an empty, intact
// one) and makes no network call.
func New(ctx context.Context, cfg *Config, purpose Purpose, now clock.Clock, log *slog.Logger) (_ *App, err error) {
	a := &App{Config: cfg, Log: log, Now: now}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.Roster, err = bot.LoadRoster(cfg.RosterPath); err != nil {
		return nil, err
	}
	if a.Staffing, err = bot.LoadStaffingRules(cfg.StaffingRulesPath, a.Roster); err != nil {
		return nil, err
	}
	if a.Provisos, err = bot.LoadProvisoLibrary(cfg.ProvisoLibraryPath); err != nil {
		return nil, err
	}
	if len(cfg.SignOffRequired) > 0 && a.Roster.Supervisors.Empty() {
		return nil, fmt.Errorf("SIGN_OFF_REQUIRED asks for a supervisor's sign-off, but the roster names no supervisors: add supervisors (usergroup and/or users) to %s", cfg.RosterPath)
	}
	if purpose == Offline {
		if _, err := os.Stat(cfg.DatabasePath); err != nil {
			return nil, fmt.Errorf("database %s: %w (start the bot once, or set DATABASE_PATH to its database)", cfg.DatabasePath, err)
		}
	} else if len(a.Roster.Analysts) == 0 {
		log.Warn("the roster names no analysts, so nobody can open referrals; set ROSTER_PATH")
	}
	if a.DB, err = store.Open(ctx, cfg.DatabasePath, now); err != nil {
		var nw *store.NotWritableError
		if errors.As(err, &nw) {
			// store.Open said which path and why; this is where the operator put it.
			return nil, fmt.Errorf("%w; or set DATABASE_PATH to a file on a volume the bot's user may write "+
				"(Kubernetes: manifests/kubernetes/referralbot.yaml mounts the data volume read-write at /data, "+
				"and the pod's fsGroup gives it to the bot's user)", err)
		}
		return nil, err // store.Open's error names the database
	}
	a.closers = append(a.closers, a.DB.Close)
	if err := a.openQueue(ctx, purpose); err != nil {
		return nil, err
	}
	if purpose == Offline {
		a.Service = bot.NewService(a.DB, nil, now, bot.Config{Roster: a.Roster, Rules: cfg.Rules(), Policy: cfg.Policy(), Queue: a.Queue, Log: log,
			Staffing: a.Staffing, Provisos: a.Provisos})
		return a, nil
	}
	if err := a.wireSlack(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// openQueue connects the reminder queue: Redis when configured, otherwise an
// in-process queue that serves a single instance.
func (a *App) openQueue(ctx context.Context, purpose Purpose) error {
	if a.Config.RedisURL == "" {
		a.Queue = reminders.NewMemory()
		return nil
	}
	opts, err := redis.ParseURL(a.Config.RedisURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	client := redis.NewClient(opts)
	a.closers = append(a.closers, client.Close)
	if purpose == Serving {
		if err := client.Ping(ctx).Err(); err != nil {
			// Not fatal: SQLite holds the schedule, and it is rebuilt when Redis answers.
			a.Log.Warn("Redis does not answer yet; reminders wait for it", "err", err)
		}
	}
	a.Queue = reminders.NewRedis(client, reminders.DefaultPrefix)
	return nil
}

// wireSlack checks the bot token and builds the service, the handlers and the
// HTTP routes of a serving bot.
func (a *App) wireSlack(ctx context.Context) error {
	cfg, db, queue := a.Config, a.DB, a.Queue
	a.Metrics = metrics.New(metrics.Gauges{
		OutboxDepth:   db.PendingJobs,
		OpenReferrals: db.OpenReferrals,
		RemindersPending: func(ctx context.Context) (int, error) {
			pending, _, err := queue.Len(ctx)
			return pending, err
		},
	})
	transport := a.Metrics.SlackTransport(nil)
	if cfg.SlackRateScale > 0 {
		limits := maps.Clone(slackapi.Tiers)
		maps.Copy(limits, cfg.SlackRateLimits)
		// Slack counts its windows in real time, whatever day the program's clock
		// says it is (a test's clock may stand still): the pacer waits on the wall.
		transport = slackapi.NewPacer(limits, cfg.SlackRateScale, clock.Wall).Transport(transport)
	}
	a.API = slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL), slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionHTTPClient(&http.Client{Transport: transport, Timeout: slackTimeout}))
	auth, err := a.API.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("check Slack bot token (auth.test): %w", err)
	}
	client := slackapi.New(a.API, auth.UserID)
	a.Service = bot.NewService(db, client, a.Now, bot.Config{Roster: a.Roster, Rules: cfg.Rules(), Policy: cfg.Policy(), Queue: queue,
		Log: a.Log, Observe: a.Metrics, JobLease: cfg.OutboxLease, RefreshDelay: cfg.RefreshDelay, ArchiveAfterDays: cfg.ArchiveAfterDays, RecordFile: a.recordFile,
		Marking: cfg.MarkingBanner, SignOffRequired: cfg.SignOffOutcomes(), AnalystScope: cfg.AnalystScope, Staffing: a.Staffing, Provisos: a.Provisos})
	// Queue channels: a bot cannot join a private channel by itself.
	queueProblems := a.Service.CheckQueues(ctx)
	for _, p := range queueProblems {
		a.Log.Error("office queue unusable: " + p)
	}
	// The roster file may have changed while the bot was down: need to know.
	if err := a.Service.CheckJoins(ctx); err != nil {
		a.Log.Warn("need to know: could not check who joined referral channels", "err", err)
	}
	a.Router = handlers.NewRouter(a.Service, client, a.Log)
	a.Mux = http.NewServeMux()
	if cfg.SlackSigningSecret != "" {
		handlers.NewHTTP(a.Router, cfg.SlackSigningSecret).Routes(a.Mux)
	}
	a.Mux.HandleFunc("GET /healthz", handlers.Healthz)
	a.Mux.Handle("GET /metrics", a.Metrics.Handler())
	a.Mux.Handle("POST /api/referrals", handlers.ImportAPI(a.Service, cfg.APIToken, a.Log))
	checks := map[string]handlers.Check{
		// A committed write proves the file is there, writable and not locked out; the
		// free space warns of a full disk, which a commit alone may not notice.
		"database": func(ctx context.Context) error { return db.CheckWritable(ctx, store.MinFreeDisk) },
		"reminder_queue": func(ctx context.Context) error {
			_, err := queue.Seeded(ctx)
			return err
		},
		// auth.test passed at start-up, or New would have failed; since then, Slack
		// work refused on the app's credentials or scopes waits (paused) in the outbox.
		"slack_auth": func(ctx context.Context) error {
			p, err := db.PausedWork(ctx)
			if err != nil {
				return err
			}
			return p.Problem()
		},
		// Checked at start-up: fixing it (inviting the bot) needs a restart to be seen.
		"queue_channels": func(context.Context) error {
			if len(queueProblems) > 0 {
				return errors.New(strings.Join(queueProblems, "; "))
			}
			return nil
		},
	}
	// Ready means Slack can reach the bot: in Socket Mode, once Slack accepted the
	// connection (a wrong app token is refused there, not by auth.test).
	a.readyc = make(chan struct{})
	a.ready = func() {
		defer close(a.readyc)
		a.Log.Info("referralbot ready", "bot_user", auth.UserID, "team", auth.Team, "socket_mode", cfg.SocketMode(),
			"offices", len(a.Roster.Offices), "analysts", len(a.Roster.Analysts), "database", cfg.DatabasePath)
	}
	if cfg.SocketMode() {
		a.Socket = handlers.NewSocket(a.Router, a.API, a.ready)
		checks["socket_mode"] = func(context.Context) error {
			if !a.Socket.Connected() {
				return errors.New("not connected to Slack's Socket Mode (yet): check SLACK_APP_TOKEN and the logs")
			}
			return nil
		}
	}
	a.Mux.HandleFunc("GET /readyz", handlers.Readyz(checks))
	return nil
}

// recordFile renders a referral's official record in Markdown, the file uploaded
// to its channel after the final recommendation.
func (a *App) recordFile(ctx context.Context, referralID int64) (name, title string, content []byte, err error) {
	rec, err := bot.LoadRecord(ctx, a.DB, a.Roster, referralID)
	if err != nil {
		return "", "", nil, err
	}
	rec.Marking = a.Config.MarkingBanner
	content, err = record.Render(rec, record.ExportMarkdown)
	if err != nil {
		return "", "", nil, err
	}
	return record.FileName(rec, record.ExportMarkdown), rec.Title(), content, nil
}

// Close releases what New opened, newest first.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		_ = a.closers[i]()
	}
	a.closers = nil
}
