package main

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/referralbot/referralbot/bot/deadline"
)

// env is the raw environment as envconfig reads it: every setting as text, so that
// checking can report every problem at once instead of stopping at the first.
type env struct {
	SlackBotToken          string `envconfig:"SLACK_BOT_TOKEN"`
	SlackAppToken          string `envconfig:"SLACK_APP_TOKEN"`
	SlackSigningSecret     string `envconfig:"SLACK_SIGNING_SECRET"`
	SlackAPIURL            string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	DatabasePath           string `envconfig:"DATABASE_PATH" default:"referralbot.db"`
	RedisURL               string `envconfig:"REDIS_URL"`
	HTTPAddr               string `envconfig:"HTTP_ADDR" default:":3000"`
	RosterPath             string `envconfig:"ROSTER_PATH"`
	TimeZone               string `envconfig:"TIME_ZONE" default:"America/New_York"`
	StateDueDays           string `envconfig:"STATE_DUE_DAYS" default:"30"`
	CommerceDueDays        string `envconfig:"COMMERCE_DUE_DAYS" default:"30"`
	OfficeLeadBusinessDays string `envconfig:"OFFICE_LEAD_BUSINESS_DAYS" default:"5"`
	OutboxWorkers          string `envconfig:"OUTBOX_WORKERS" default:"4"`
	ReminderBeforeDays     string `envconfig:"REMINDER_BEFORE_DAYS" default:"2,1"`
	ReminderTime           string `envconfig:"REMINDER_TIME" default:"09:00"`
	ReminderOverdueEvery   string `envconfig:"REMINDER_OVERDUE_EVERY" default:"1"`
	EscalateFromOverdue    string `envconfig:"ESCALATE_FROM_OVERDUE" default:"1"`
	LogFormat              string `envconfig:"LOG_FORMAT" default:"auto"`
	APIToken               string `envconfig:"API_TOKEN"`
	OutboxLease            string `envconfig:"OUTBOX_LEASE" default:"2m"`
}

// Config is the checked configuration of `referralbot serve`.
type Config struct {
	SlackBotToken          string
	SlackAppToken          string // set: Socket Mode
	SlackSigningSecret     string // set: HTTP mode
	SlackAPIURL            string
	DatabasePath           string
	RedisURL               string
	HTTPAddr               string
	RosterPath             string
	Location               *time.Location
	StateDueDays           int
	CommerceDueDays        int
	OfficeLeadBusinessDays int
	OutboxWorkers          int
	Policy                 deadline.Policy
	LogFormat              string // json, text or auto (text on a terminal)
	APIToken               string // bearer token of POST /api/referrals; empty: the import API is disabled
	OutboxLease            time.Duration
}

// SocketMode reports whether the bot takes Slack traffic over Socket Mode.
func (c *Config) SocketMode() bool { return c.SlackAppToken != "" }

// LoadConfig reads the environment and checks it, returning one error that lists
// every missing or malformed setting.
func LoadConfig() (*Config, error) { return loadConfig(true) }

// loadConfig is LoadConfig; without serving (the offline commands, such as import)
// the Slack and HTTP settings are neither needed nor checked.
func loadConfig(serving bool) (*Config, error) {
	var e env
	if err := envconfig.Process("", &e); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	c := &Config{
		SlackBotToken: e.SlackBotToken, SlackAppToken: e.SlackAppToken, SlackSigningSecret: e.SlackSigningSecret,
		SlackAPIURL: e.SlackAPIURL, DatabasePath: e.DatabasePath, RedisURL: e.RedisURL, HTTPAddr: e.HTTPAddr,
		RosterPath: e.RosterPath, LogFormat: e.LogFormat, APIToken: e.APIToken,
	}
	if serving {
		switch {
		case c.SlackBotToken == "":
			bad("SLACK_BOT_TOKEN is missing (the bot token, xoxb-…)")
		case !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
			bad("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
		}
		switch {
		case c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-"):
			bad("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Socket Mode)")
		case c.SlackAppToken == "" && c.SlackSigningSecret == "":
			bad("set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)")
		}
		if u, err := url.Parse(c.SlackAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.HasSuffix(u.Path, "/") {
			bad("SLACK_API_URL %q must be an http(s) URL ending in /", c.SlackAPIURL)
		}
		if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
			bad("HTTP_ADDR %q must be host:port or :port", c.HTTPAddr)
		}
	}
	if c.DatabasePath == "" {
		bad("DATABASE_PATH is empty")
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("REDIS_URL %q must look like redis://host:6379/0", c.RedisURL)
		}
	}
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		bad("TIME_ZONE %q is not a known time zone", e.TimeZone)
	}
	c.Location = loc
	number := func(name, raw string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || n < lo || n > hi {
			bad("%s %q must be a whole number from %d to %d", name, raw, lo, hi)
		}
		return n
	}
	c.StateDueDays = number("STATE_DUE_DAYS", e.StateDueDays, 1, 365)
	c.CommerceDueDays = number("COMMERCE_DUE_DAYS", e.CommerceDueDays, 1, 365)
	c.OfficeLeadBusinessDays = number("OFFICE_LEAD_BUSINESS_DAYS", e.OfficeLeadBusinessDays, 1, 60)
	c.OutboxWorkers = number("OUTBOX_WORKERS", e.OutboxWorkers, 1, 64)
	for _, f := range strings.Split(e.ReminderBeforeDays, ",") {
		if f = strings.TrimSpace(f); f != "" {
			c.Policy.BeforeBusinessDays = append(c.Policy.BeforeBusinessDays, number("REMINDER_BEFORE_DAYS", f, 1, 30))
		}
	}
	if at, err := time.Parse("15:04", e.ReminderTime); err != nil {
		bad("REMINDER_TIME %q must be a 24-hour time like 09:00", e.ReminderTime)
	} else {
		c.Policy.MorningHour, c.Policy.MorningMinute = at.Hour(), at.Minute()
	}
	c.Policy.OverdueEvery = number("REMINDER_OVERDUE_EVERY", e.ReminderOverdueEvery, 1, 30)
	c.Policy.EscalateFromOverdue = number("ESCALATE_FROM_OVERDUE", e.EscalateFromOverdue, 0, 30)
	switch c.LogFormat {
	case "json", "text", "auto":
	default:
		bad("LOG_FORMAT %q must be json, text or auto", c.LogFormat)
	}
	if d, err := time.ParseDuration(e.OutboxLease); err != nil || d < time.Second || d > time.Hour {
		bad("OUTBOX_LEASE %q must be a duration from 1s to 1h, e.g. 2m", e.OutboxLease)
	} else {
		c.OutboxLease = d
	}
	if c.APIToken != "" && len(c.APIToken) < 32 {
		bad("API_TOKEN must be at least 32 characters (e.g. openssl rand -hex 32), or unset to disable the import API")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("configuration has %d problem(s):\n  - %s", len(problems), strings.Join(problems, "\n  - "))
	}
	return c, nil
}
