package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/app"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
	"github.com/referralbot/referralbot/store"
)

// benchWorld is a Slack workspace emulated in-process on the real clock — the
// sandbox's people, offices and user groups — with the bot run by serve itself on a
// loopback port. Unlike the sandbox it has no manual clock: rate-limit windows,
// signature timestamps and the outbox's retry times must all follow real time.
type benchWorld struct {
	dir        string
	fake       *slackfake.Server
	rosterPath string
	general    string // the public channel referrals are opened from
	// pace is the bot's SLACK_RATE_SCALE and SLACK_RATE_LIMITS: none ("0") unless a
	// bench makes the emulator enforce limits, and then the same limits and scale.
	pace []string
	// now is the bot's clock: the wall clock unless a bench needs a chosen moment
	// (clock.From, which still runs at the real rate).
	now clock.Clock

	url    string     // the bot's base URL while it runs, http://127.0.0.1:port
	db     *store.DB  // a second handle on the bot's database, for reading results
	logs   *logTally  // what the bot logged at WARN and above
	stop   func()     // stops the bot (serve returns) and closes db
	served chan error // serve's result
}

// newBenchWorld seeds the workspace for one part of the bench, in a temporary
// directory of its own that close removes: one sandbox.Analyst, two reviewers per
// office in the office's user group, and #general with everyone in it.
func newBenchWorld(part string) (*benchWorld, error) {
	dir, err := os.MkdirTemp("", "referralbot-bench-"+part+"-")
	if err != nil {
		return nil, err
	}
	w := &benchWorld{dir: dir, fake: slackfake.New(slackfake.WithClock(clock.Wall))}
	var roster strings.Builder
	fmt.Fprintf(&roster, "analysts: [%s]\noffices:\n", sandbox.Analyst)
	w.fake.AddUser(sandbox.Analyst, "dana.analyst")
	members := []string{sandbox.Analyst}
	for _, o := range bot.DefaultOffices() {
		r1, r2 := sandbox.Reviewer(o.Code, 1), sandbox.Reviewer(o.Code, 2)
		w.fake.AddUser(r1, o.Code+".one")
		w.fake.AddUser(r2, o.Code+".two")
		w.fake.AddUserGroup(sandbox.Group(o.Code), o.Code+"-reviewers", r1, r2)
		members = append(members, r1, r2)
		fmt.Fprintf(&roster, "  - {code: %s, name: %q, usergroup: %s}\n", o.Code, o.Name, sandbox.Group(o.Code))
	}
	w.general = w.fake.AddChannel("general", false, members...)
	w.rosterPath = filepath.Join(dir, "roster.yaml")
	if err := os.WriteFile(w.rosterPath, []byte(roster.String()), 0o600); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// limit makes the emulator enforce burstLimits with time scaled o.scale, and the
// bot pace itself to the same limits, as it would to Slack's. It returns the limits.
func (w *benchWorld) limit(o *benchOptions) map[string]int {
	limits := burstLimits(o.postPerMin)
	for m, l := range limits {
		w.fake.SetRateLimit(m, l)
	}
	w.fake.SetTimeScale(o.scale)
	w.pace = []string{fmt.Sprintf("SLACK_RATE_SCALE=%g", o.scale), fmt.Sprintf("SLACK_RATE_LIMITS=chat.postMessage:%d", o.postPerMin)}
	return limits
}

// config is the configuration `referralbot serve` would load for this workspace.
func (w *benchWorld) config(dbPath string) (*app.Config, error) {
	env := map[string]string{}
	for _, kv := range w.env(dbPath) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return app.LoadConfig(func(k string) string { return env[k] }, app.Serving)
}

// env is the environment that makes `referralbot serve` run as config(dbPath) does.
func (w *benchWorld) env(dbPath string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"SLACK_BOT_TOKEN=" + w.fake.BotToken(), "SLACK_API_URL=" + w.fake.APIURL(),
		"SLACK_SIGNING_SECRET=" + sandbox.SigningSecret, "DATABASE_PATH=" + dbPath, "ROSTER_PATH=" + w.rosterPath,
		"HTTP_ADDR=127.0.0.1:0", "TIME_ZONE=America/New_York", "LOG_FORMAT=json",
	}, w.paceEnv()...)
}

// paceEnv is the pacing the bot runs with: w.pace, or none.
func (w *benchWorld) paceEnv() []string {
	if len(w.pace) == 0 {
		return []string{"SLACK_RATE_SCALE=0"}
	}
	return w.pace
}

// startBot runs serve — the HTTP server with its logging and metrics, the outbox
// workers and the reminder loop — on the database at dbPath, in this process.
func (w *benchWorld) startBot(ctx context.Context, dbPath string) error {
	cfg, err := w.config(dbPath)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	w.logs = newLogTally()
	w.served = make(chan error, 1)
	addr := make(chan string, 1)
	now := w.now
	if now == nil {
		now = clock.Wall
	}
	go func() { w.served <- serve(ctx, cfg, now, w.logs, func(a string) { addr <- a }) }()
	select {
	case a := <-addr:
		w.url = "http://" + a
	case err := <-w.served:
		cancel()
		return fmt.Errorf("serve stopped before listening: %w (%s)", err, w.logs.summary())
	}
	// The bot has migrated the file by now; this handle only reads.
	if w.db, err = store.Open(ctx, dbPath, clock.Wall); err != nil {
		cancel()
		<-w.served
		return err
	}
	w.stop = func() {
		cancel()
		if err := <-w.served; err != nil {
			w.logs.note("serve returned: " + err.Error())
		}
		_ = w.db.Close()
	}
	return nil
}

// close stops the bot, if it runs, and the workspace, and removes the directory.
func (w *benchWorld) close() {
	if w.stop != nil {
		w.stop()
		w.stop = nil
	}
	w.fake.Close()
	_ = os.RemoveAll(w.dir)
}

// transport delivers as Slack does to the bot's HTTP endpoints.
func (w *benchWorld) transport() slackfake.HTTPTransport {
	return slackfake.HTTPTransport{BaseURL: w.url, SigningSecret: sandbox.SigningSecret}
}

// benchCase is the case number of the i-th referral a bench run opens.
func benchCase(prefix byte, i int) string { return fmt.Sprintf("%c%06d", prefix, i) }

// openReferral has the sandbox.Analyst type `/referral new` and submit the form, as in Slack:
// a signed slash command, views.open by the bot, a signed view_submission.
func (w *benchWorld) openReferral(caseNumber string) error {
	tr := w.transport()
	ack, err := w.fake.SlashCommand(tr, sandbox.Analyst, w.general, handlers.SlashCommand, "new")
	if err != nil || ack.Status != 200 {
		return fmt.Errorf("/referral new: %d %s %v", ack.Status, ack.Body, err)
	}
	v, ok := w.fake.LastView(sandbox.Analyst)
	if !ok || v.CallbackID != bot.CallbackOpenReferral || v.Closed {
		return fmt.Errorf("/referral new for %s opened no form (views.open refused?): %s", caseNumber, ack.Body)
	}
	ack, err = w.fake.SubmitView(tr, sandbox.Analyst, v.ID, benchReferralInputs(caseNumber, w.today())...)
	if err != nil || ack.Status != 200 || bytes.Contains(ack.Body, []byte(`"errors"`)) {
		return fmt.Errorf("submit referral %s: %d %s %v", caseNumber, ack.Status, ack.Body, err)
	}
	return nil
}

// today is the civil date in New York, where the bot reckons received dates.
func (w *benchWorld) today() string {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		loc = time.UTC
	}
	return clock.Wall().In(loc).Format(bot.DateLayout)
}

// benchReferralInputs fills the New referral modal for a Commerce case received today.
func benchReferralInputs(caseNumber, received string) []slackfake.Input {
	in := sandbox.ReferralInputs(caseNumber)
	for i := range in {
		if in[i].BlockID == bot.FieldReceived {
			in[i].Value = received
		}
	}
	return in
}

// provisionState reports how many of the cases are provisioned: Provisioned in
// SQLite, with the summary and every ask posted in the channel.
func (w *benchWorld) provisionState(ctx context.Context, cases []string) (done int, refs []*bot.Referral, err error) {
	for _, c := range cases {
		r, err := w.db.ReferralByCase(ctx, bot.AgencyCommerce, c)
		if err != nil {
			return 0, nil, err
		}
		refs = append(refs, r)
		if r.Provisioned {
			done++
		}
	}
	return done, refs, nil
}

// waitProvisioned polls until every case is provisioned and the outbox is empty, or
// the timeout passes.
func (w *benchWorld) waitProvisioned(ctx context.Context, cases []string, timeout time.Duration) ([]*bot.Referral, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		done, refs, err := w.provisionState(ctx, cases)
		if err == nil && done == len(cases) {
			if pending, perr := w.db.PendingJobs(ctx); perr == nil && pending == 0 {
				return refs, nil
			}
		}
		select {
		case <-ctx.Done():
			pending, _ := w.db.PendingJobs(context.Background())
			return refs, fmt.Errorf("%d of %d referrals provisioned, %d jobs pending after %v (%v)",
				done, len(cases), pending, timeout, errors.Join(err, w.logs.err()))
		case <-tick.C:
		}
	}
}

// logTally is the bot's log output: it keeps no lines, but counts those at WARN or
// ERROR and remembers the first few, so a run can say whether anything went wrong.
// It also notices the end of the start-up rebuild of the reminder schedule.
type logTally struct {
	mu      sync.Mutex
	lines   int
	warns   int
	sample  []string
	rebuilt chan struct{} // closed at the first "reminder schedule rebuilt"
}

func newLogTally() *logTally { return &logTally{rebuilt: make(chan struct{})} }

func (l *logTally) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for line := range bytes.SplitSeq(bytes.TrimSpace(p), []byte("\n")) {
		l.lines++
		if bytes.Contains(line, []byte(`"msg":"reminder schedule rebuilt"`)) {
			select {
			case <-l.rebuilt:
			default:
				close(l.rebuilt)
			}
		}
		if bytes.Contains(line, []byte(`"level":"WARN"`)) || bytes.Contains(line, []byte(`"level":"ERROR"`)) {
			l.warns++
			if len(l.sample) < 3 {
				l.sample = append(l.sample, string(line))
			}
		}
	}
	return len(p), nil
}

// note records a problem found outside the log.
func (l *logTally) note(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.warns++
	if len(l.sample) < 3 {
		l.sample = append(l.sample, s)
	}
}

// warnings returns how many WARN and ERROR lines there were.
func (l *logTally) warnings() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.warns
}

// err is nil when nothing was logged at WARN or above.
func (l *logTally) err() error {
	if l == nil || l.warnings() == 0 {
		return nil
	}
	return errors.New(l.summary())
}

func (l *logTally) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d warnings/errors logged, e.g. %s", l.warns, strings.Join(l.sample, "; "))
}
