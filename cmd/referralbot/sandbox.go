package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// The sandbox workspace's people: one analyst, two reviewers per office, an outsider.
const (
	analyst       = "UANALYST"
	analyst2      = "UANALYST2" // a second analyst, covering for the first
	delegate      = "UDELEGATE" // named individually on the Army roster, not in its user group
	outsider      = "UOUTSIDER"
	sandboxSecret = "8f742231b10e8888abcd99yyyzzz85a5"
)

func reviewer(office string, n int) string { return fmt.Sprintf("U%s%d", strings.ToUpper(office), n) }
func group(office string) string           { return "S" + strings.ToUpper(office) }

// manualClock is a clock that moves only when told: the bot, its database and the
// Slack emulator all read it, so reminders can be shown days ahead in a second.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *manualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *manualClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// sandbox is a Slack workspace emulated in-process with the bot wired to it exactly
// as serve wires it: the demo's world, and the end-to-end tests'.
type sandbox struct {
	clock   *manualClock
	fake    *slackfake.Server
	app     *app
	tr      slackfake.Transport
	general string // a public channel everyone is in, where referrals are opened from
	closers []func()
}

// newSandbox builds the workspace and the bot in dir, reachable over transport
// ("http": signed requests to the bot's HTTP handlers; "socket": Socket Mode).
func newSandbox(ctx context.Context, transport, dir string, start time.Time, log *slog.Logger) (*sandbox, error) {
	sb := &sandbox{clock: &manualClock{now: start}}
	sb.fake = slackfake.New(slackfake.WithClock(sb.clock.Now))
	sb.closers = append(sb.closers, sb.fake.Close)

	var roster strings.Builder
	fmt.Fprintf(&roster, "analysts: [%s, %s]\noffices:\n", analyst, analyst2)
	sb.fake.AddUser(analyst, "dana.analyst")
	sb.fake.AddUser(analyst2, "sam.analyst")
	sb.fake.AddUser(delegate, "dee.delegate")
	sb.fake.AddUser(outsider, "olly.outsider")
	members := []string{analyst, analyst2, delegate, outsider}
	for _, o := range bot.DefaultOffices() {
		r1, r2 := reviewer(o.Code, 1), reviewer(o.Code, 2)
		sb.fake.AddUser(r1, o.Code+".one")
		sb.fake.AddUser(r2, o.Code+".two")
		sb.fake.AddUserGroup(group(o.Code), o.Code+"-reviewers", r1, r2)
		members = append(members, r1, r2)
		users := ""
		if o.Code == "army" {
			users = ", users: [" + delegate + "]"
		}
		fmt.Fprintf(&roster, "  - {code: %s, name: %q, usergroup: %s%s}\n", o.Code, o.Name, group(o.Code), users)
	}
	sb.general = sb.fake.AddChannel("general", false, members...)
	rosterPath := filepath.Join(dir, "roster.yaml")
	if err := os.WriteFile(rosterPath, []byte(roster.String()), 0o600); err != nil {
		sb.Close()
		return nil, err
	}

	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		sb.Close()
		return nil, err
	}
	cfg := &Config{
		SlackBotToken: sb.fake.BotToken(), SlackAPIURL: sb.fake.APIURL(), DatabasePath: filepath.Join(dir, "referralbot.db"),
		RosterPath: rosterPath, Location: loc, StateDueDays: 30, CommerceDueDays: 30, OfficeLeadBusinessDays: 5,
		OutboxWorkers: 1, Policy: deadline.DefaultPolicy(), LogFormat: "text",
	}
	if transport == "socket" {
		cfg.SlackAppToken = sb.fake.AppToken()
	} else {
		cfg.SlackSigningSecret = sandboxSecret
	}
	sb.app, err = newApp(ctx, cfg, log, sb.clock.Now)
	if err != nil {
		sb.Close()
		return nil, err
	}
	sb.closers = append(sb.closers, sb.app.close)

	if transport == "socket" {
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- handlers.NewSocket(sb.app.router, sb.app.api).Run(ctx) }()
		sb.closers = append(sb.closers, func() { cancel(); <-done })
		if err := sb.fake.WaitSocketConnected(ctx); err != nil {
			sb.Close()
			return nil, fmt.Errorf("socket mode did not connect: %w", err)
		}
		sb.tr = sb.fake.SocketMode()
	} else {
		srv := httptest.NewServer(sb.app.mux)
		sb.closers = append(sb.closers, srv.Close)
		sb.tr = slackfake.HTTPTransport{BaseURL: srv.URL, SigningSecret: sandboxSecret}
	}
	return sb, nil
}

// Close stops everything the sandbox started, newest first.
func (sb *sandbox) Close() {
	for i := len(sb.closers) - 1; i >= 0; i-- {
		sb.closers[i]()
	}
	sb.closers = nil
}

// referralInputs fills the New referral modal for a Commerce case.
func referralInputs(caseNumber string) []slackfake.Input {
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
