// Package sandbox is a Slack workspace emulated in-process with the bot wired to it
// exactly as serve wires it (internal/app): the demo's world, the end-to-end tests'
// and the benchmarks'. It links the Slack emulator, so the serving binary never
// imports it.
package sandbox

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/app"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// The sandbox workspace's people: one Analyst, two reviewers per office, an Outsider.
const (
	Analyst       = "UANALYST"
	Analyst2      = "UANALYST2" // a second Analyst, covering for the first
	Delegate      = "UDELEGATE" // named individually on the Army roster, not in its user group
	Outsider      = "UOUTSIDER"
	Supervisor    = "USUPERVISOR" // in the supervisors' user group: gives second signatures
	SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"
)

// Reviewer is the nth reviewer (1 or 2) of an office.
func Reviewer(office string, n int) string { return fmt.Sprintf("U%s%d", strings.ToUpper(office), n) }

// SupervisorGroup is the supervisors' Slack user group.
const SupervisorGroup = "SSUPERVISORS"

// Group is an office's Slack user group.
func Group(office string) string { return "S" + strings.ToUpper(office) }

// Sandbox is a Slack workspace emulated in-process with the bot wired to it exactly
// as serve wires it: the demo's world, and the end-to-end tests'.
type Sandbox struct {
	Clock     *clock.Manual
	Fake      *slackfake.Server
	App       *app.App
	Transport slackfake.Transport
	General   string              // a public channel everyone is in, where referrals are opened from
	Queues    map[string]string   // office code → its queue channel, in queue mode
	groups    map[string][]string // person → the user groups the sandbox put them in
	closers   []func()
}

// Option changes the sandbox's workspace or settings.
type Option func(*options)

type options struct {
	queues       bool
	publicQueues bool
	env          map[string]string
}

// WithQueues gives every office a queue channel (#army-queue, …) with its two
// reviewers and the bot in it: DTSA's volume mode. Without it, asks go in the
// referral's channel and the offices' rosters are invited there.
func WithQueues() Option { return func(o *options) { o.queues = true } }

// WithPublicQueues is WithQueues with public queue channels: a misconfiguration
// the bot must refuse, since asks in a queue carry the referral's details.
func WithPublicQueues() Option { return func(o *options) { o.queues, o.publicQueues = true, true } }

// WithSetting sets one more environment setting of the bot (e.g. ARCHIVE_AFTER_DAYS).
func WithSetting(key, value string) Option {
	return func(o *options) {
		if o.env == nil {
			o.env = map[string]string{}
		}
		o.env[key] = value
	}
}

// New builds the workspace and the bot in dir, reachable over transport
// ("http": signed requests to the bot's HTTP handlers; "socket": Socket Mode), on a
// manual clock set to start.
func New(ctx context.Context, transport, dir string, start time.Time, log *slog.Logger, opts ...Option) (*Sandbox, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	sb := &Sandbox{Clock: clock.NewManual(start), Queues: map[string]string{}, groups: map[string][]string{}}
	sb.Fake = slackfake.New(slackfake.WithClock(sb.Clock.Now))
	sb.closers = append(sb.closers, sb.Fake.Close)

	var roster strings.Builder
	fmt.Fprintf(&roster, "analysts: [%s, %s]\noffices:\n", Analyst, Analyst2)
	sb.Fake.AddUser(Analyst, "dana.analyst")
	sb.Fake.AddUser(Analyst2, "sam.analyst")
	sb.Fake.AddUser(Delegate, "dee.delegate")
	sb.Fake.AddUser(Outsider, "olly.outsider")
	members := []string{Analyst, Analyst2, Delegate, Outsider}
	opt := o
	for _, o := range bot.DefaultOffices() {
		r1, r2 := Reviewer(o.Code, 1), Reviewer(o.Code, 2)
		sb.Fake.AddUser(r1, o.Code+".one")
		sb.Fake.AddUser(r2, o.Code+".two")
		sb.Fake.AddUserGroup(Group(o.Code), o.Code+"-reviewers", r1, r2)
		sb.groups[r1], sb.groups[r2] = []string{Group(o.Code)}, []string{Group(o.Code)}
		members = append(members, r1, r2)
		users := ""
		if o.Code == "army" {
			users = ", users: [" + Delegate + "]"
		}
		if opt.queues {
			// Private, as a queue must be: its asks carry the referral's details.
			queueMembers := []string{r1, r2, sb.Fake.BotUserID()}
			if o.Code == "army" {
				queueMembers = append(queueMembers, Delegate)
			}
			q := sb.Fake.AddChannel(o.Code+"-queue", !opt.publicQueues, queueMembers...)
			sb.Queues[o.Code] = q
			users += ", queue_channel: " + q
		}
		fmt.Fprintf(&roster, "  - {code: %s, name: %q, usergroup: %s%s}\n", o.Code, o.Name, Group(o.Code), users)
	}
	sb.Fake.AddUser(Supervisor, "sue.supervisor")
	sb.Fake.AddUserGroup(SupervisorGroup, "supervisors", Supervisor)
	sb.groups[Supervisor] = []string{SupervisorGroup}
	members = append(members, Supervisor)
	fmt.Fprintf(&roster, "supervisors: {usergroup: %s}\n", SupervisorGroup)
	sb.General = sb.Fake.AddChannel("general", false, members...)
	rosterPath := filepath.Join(dir, "roster.yaml")
	if err := os.WriteFile(rosterPath, []byte(roster.String()), 0o600); err != nil {
		sb.Close()
		return nil, err
	}

	env := map[string]string{
		"SLACK_BOT_TOKEN": sb.Fake.BotToken(), "SLACK_API_URL": sb.Fake.APIURL(), "DATABASE_PATH": filepath.Join(dir, "referralbot.db"),
		"ROSTER_PATH": rosterPath, "OUTBOX_WORKERS": "1", "LOG_FORMAT": "text",
		// The emulator enforces no rate limit unless a test sets one, and the tests'
		// clocks jump days at a time: no client-side pacing (WithSetting turns it on).
		"SLACK_RATE_SCALE": "0",
		// The tests' clocks stand still: a delayed refresh would never fall due.
		"REFRESH_DELAY": "0",
	}
	for k, v := range o.env {
		env[k] = v
	}
	if transport == "socket" {
		env["SLACK_APP_TOKEN"] = sb.Fake.AppToken()
	} else {
		env["SLACK_SIGNING_SECRET"] = SigningSecret
	}
	cfg, err := app.LoadConfig(func(k string) string { return env[k] }, app.Serving)
	if err != nil {
		sb.Close()
		return nil, err
	}
	sb.App, err = app.New(ctx, cfg, app.Serving, sb.Clock.Now, log)
	if err != nil {
		sb.Close()
		return nil, err
	}
	sb.closers = append(sb.closers, sb.App.Close)

	if transport == "socket" {
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- sb.App.Socket.Run(ctx) }()
		sb.closers = append(sb.closers, func() { cancel(); <-done })
		if err := sb.Fake.WaitSocketConnected(ctx); err != nil {
			sb.Close()
			return nil, fmt.Errorf("socket mode did not connect: %w", err)
		}
		sb.Transport = sb.Fake.SocketMode()
	} else {
		srv := httptest.NewServer(sb.App.Mux)
		sb.closers = append(sb.closers, srv.Close)
		sb.Transport = slackfake.HTTPTransport{BaseURL: srv.URL, SigningSecret: SigningSecret}
	}
	return sb, nil
}

// Close stops everything the sandbox started, newest first.
func (sb *Sandbox) Close() {
	for i := len(sb.closers) - 1; i >= 0; i-- {
		sb.closers[i]()
	}
	sb.closers = nil
}

// ReferralInputs fills the New referral modal for a Commerce case.
func ReferralInputs(caseNumber string) []slackfake.Input {
	return []slackfake.Input{
		{BlockID: bot.FieldAgency, Value: "commerce"},
		{BlockID: bot.FieldCaseNumber, Value: caseNumber},
		{BlockID: bot.FieldLicenseType, Value: "BIS-748P"},
		{BlockID: bot.FieldApplicant, Value: "Acme Photonics Inc."},
		{BlockID: bot.FieldCommodity, Value: "Uncooled thermal imaging cameras"},
		{BlockID: bot.FieldClassification, Value: "6A003.b.4"},
		{BlockID: bot.FieldDestination, Value: "DE"},
		{BlockID: bot.FieldEndUser, Value: "Bundeswehr procurement office, Koblenz"},
		{BlockID: bot.FieldValue, Value: "1,250,000"},
		{BlockID: bot.FieldReceived, Value: "2026-11-20"},
	}
}
