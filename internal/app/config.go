package app

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/sethvargo/go-envconfig"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
)

// Config is the checked configuration, parsed from the environment by go-envconfig
// into typed fields. The help tag says what a malformed value should look like.
type Config struct {
	SlackBotToken      string `env:"SLACK_BOT_TOKEN"`
	SlackAppToken      string `env:"SLACK_APP_TOKEN"` // set: Socket Mode
	SlackSigningSecret string `env:"SLACK_SIGNING_SECRET"`
	SlackAPIURL        string `env:"SLACK_API_URL, default=https://slack.com/api/"`
	DatabasePath       string `env:"DATABASE_PATH, default=referralbot.db"`
	RedisURL           string `env:"REDIS_URL"`
	HTTPAddr           string `env:"HTTP_ADDR, default=:3000"`
	RosterPath         string `env:"ROSTER_PATH"`
	// StaffingRulesPath is the staffing rules file (YAML); empty: no rules.
	StaffingRulesPath string `env:"STAFFING_RULES_PATH"`
	// ProvisoLibraryPath is the operators' standard provisos (conditions) file;
	// empty: reviewers type every proviso.
	ProvisoLibraryPath string `env:"PROVISO_LIBRARY_PATH"`
	// APIToken is the bearer token of POST /api/referrals; empty: the import API is disabled.
	APIToken  string `env:"API_TOKEN"`
	LogFormat string `env:"LOG_FORMAT, default=auto"` // json, text or auto (text on a terminal)

	TimeZone               Zone          `env:"TIME_ZONE, default=America/New_York" help:"a known time zone such as America/New_York"`
	StateDueDays           int           `env:"STATE_DUE_DAYS, default=30" help:"a whole number from 1 to 365"`
	CommerceDueDays        int           `env:"COMMERCE_DUE_DAYS, default=30" help:"a whole number from 1 to 365"`
	OfficeLeadBusinessDays int           `env:"OFFICE_LEAD_BUSINESS_DAYS, default=5" help:"a whole number from 1 to 60"`
	ReaskBusinessDays      int           `env:"REASK_BUSINESS_DAYS, default=5" help:"a whole number from 1 to 60"`
	OutboxWorkers          int           `env:"OUTBOX_WORKERS, default=32" help:"a whole number from 1 to 64"`
	OutboxLease            time.Duration `env:"OUTBOX_LEASE, default=2m" help:"a duration from 1s to 1h, e.g. 2m"`
	RefreshDelay           time.Duration `env:"REFRESH_DELAY, default=300ms" help:"a duration from 0s to 10s, e.g. 300ms"`
	HTTPReadTimeout        time.Duration `env:"HTTP_READ_TIMEOUT, default=10s" help:"a duration from 100ms to 1m, e.g. 10s"`
	ReminderBeforeDays     []int         `env:"REMINDER_BEFORE_DAYS, default=2,1" help:"whole numbers from 1 to 30, separated by commas"`
	ReminderTime           TimeOfDay     `env:"REMINDER_TIME, default=09:00" help:"a 24-hour time like 09:00"`
	ReminderOverdueEvery   int           `env:"REMINDER_OVERDUE_EVERY, default=1" help:"a whole number from 1 to 30"`
	EscalateFromOverdue    int           `env:"ESCALATE_FROM_OVERDUE, default=1" help:"a whole number from 0 to 30"`
	ArchiveAfterDays       int           `env:"ARCHIVE_AFTER_DAYS, default=5" help:"a whole number of business days from 0 (never) to 60"`
	// SlackRateScale paces Web API calls to Slack's per-minute limits (slackapi.Tiers)
	// with the minute scaled down this many times: 1 for Slack, the emulator's time
	// scale for a benchmark, 0 for no pacing (tests against the emulator).
	SlackRateScale float64 `env:"SLACK_RATE_SCALE, default=1" help:"a number from 0 (no pacing) to 1000"`
	// AnalystScope says who may act on a referral: any analyst (team, the default:
	// analysts cover for each other) or only its own analyst and the supervisors (own).
	AnalystScope string `env:"ANALYST_SCOPE, default=team"`
	// SlackRateLimits overrides or adds per-minute limits by method.
	SlackRateLimits map[string]int `env:"SLACK_RATE_LIMITS" help:"method:calls-per-minute pairs separated by commas, e.g. chat.postMessage:600"`
	// MarkingBanner opens and closes every export and uploaded record: the records
	// carry controlled unclassified information (README, "What the workspace must be
	// authorised for").
	MarkingBanner string `env:"MARKING_BANNER, default=CUI"`
	// SignOffRequired are the outcomes whose final recommendation needs a
	// supervisor's second signature (the roster's supervisors); empty: none does.
	SignOffRequired []string `env:"SIGN_OFF_REQUIRED" help:"outcomes (approve, approve_with_provisos, rwa, deny) separated by commas"`
}

// Zone is a time zone setting.
type Zone struct{ *time.Location }

// EnvDecode implements envconfig.Decoder.
func (z *Zone) EnvDecode(v string) error {
	loc, err := time.LoadLocation(v)
	if err != nil || v == "" {
		return fmt.Errorf("unknown time zone %q", v)
	}
	z.Location = loc
	return nil
}

// TimeOfDay is a 24-hour wall-clock time setting, such as 09:00.
type TimeOfDay struct{ Hour, Minute int }

// EnvDecode implements envconfig.Decoder.
func (t *TimeOfDay) EnvDecode(v string) error {
	at, err := time.Parse("15:04", strings.TrimSpace(v))
	if err != nil {
		return err
	}
	t.Hour, t.Minute = at.Hour(), at.Minute()
	return nil
}

// SignOffOutcomes are the outcomes that need a supervisor's second signature.
func (c *Config) SignOffOutcomes() []bot.Outcome {
	var out []bot.Outcome
	for _, o := range c.SignOffRequired {
		out = append(out, bot.Outcome(strings.TrimSpace(o)))
	}
	return out
}

// SocketMode reports whether the bot takes Slack traffic over Socket Mode.
func (c *Config) SocketMode() bool { return c.SlackAppToken != "" }

// Location is where "today", business days and reminder mornings are reckoned.
func (c *Config) Location() *time.Location { return c.TimeZone.Location }

// Policy is when offices are reminded.
func (c *Config) Policy() deadline.Policy {
	return deadline.Policy{
		BeforeBusinessDays: c.ReminderBeforeDays, MorningHour: c.ReminderTime.Hour, MorningMinute: c.ReminderTime.Minute,
		OverdueEvery: c.ReminderOverdueEvery, EscalateFromOverdue: c.EscalateFromOverdue,
	}
}

// Rules are the due-date rules the settings describe.
func (c *Config) Rules() *deadline.Rules {
	return deadline.NewRules(deadline.NewCalendar(c.Location()), deadline.Defaults{
		CommerceDays: c.CommerceDueDays, StateDays: c.StateDueDays, OfficeLeadBusinessDays: c.OfficeLeadBusinessDays,
		ReaskBusinessDays: c.ReaskBusinessDays,
	})
}

// Purpose says which settings a command needs: serving needs Slack's; the offline
// commands (import, export, stats, verify) neither need nor check them.
type Purpose int

// The purposes.
const (
	Serving Purpose = iota
	Offline
)

// LoadConfig reads the settings through getenv (os.Getenv in production) and checks
// them, returning one error that lists every missing or malformed setting.
func LoadConfig(getenv func(string) string, purpose Purpose) (*Config, error) {
	c, hidden, problems, err := parseSettings(getenv)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if purpose == Serving {
		c.checkServing(bad)
	}
	c.checkRanges(getenv, hidden, bad)
	if len(problems) > 0 {
		return nil, fmt.Errorf("configuration has %d problem(s):\n  - %s", len(problems), strings.Join(problems, "\n  - "))
	}
	return c, nil
}

// parseSettings parses the environment into a Config. go-envconfig stops at the
// first value it cannot parse; to report every one, a setting that fails is noted
// and hidden (so its default applies), and the environment is parsed again. Each
// pass finds at least one more, so there are at most as many passes as fields.
func parseSettings(getenv func(string) string) (c *Config, hidden map[string]bool, problems []string, err error) {
	hidden = map[string]bool{}
	lookup := envconfig.LookuperFunc(func(key string) (string, bool) {
		v := getenv(key)
		return v, v != "" && !hidden[key]
	})
	for range reflect.TypeFor[Config]().NumField() + 1 {
		c = &Config{}
		err := envconfig.ProcessWith(context.Background(), &envconfig.Config{Target: c, Lookuper: lookup})
		if err == nil {
			return c, hidden, problems, nil
		}
		key, help := failedSetting(err, getenv, hidden)
		if key == "" || hidden[key] {
			return nil, nil, nil, fmt.Errorf("configuration: %w", err)
		}
		hidden[key] = true
		problems = append(problems, fmt.Sprintf("%s %q must be %s", key, getenv(key), help))
	}
	return nil, nil, nil, fmt.Errorf("configuration: could not parse the environment")
}

// checkServing checks the settings only a serving bot needs: Slack's and HTTP's.
func (c *Config) checkServing(bad func(format string, args ...any)) {
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
	if c.APIToken != "" && len(c.APIToken) < 32 {
		bad("API_TOKEN must be at least 32 characters (e.g. openssl rand -hex 32), or unset to disable the import API")
	}
}

// checkRanges checks the values that parsed but are out of range or unknown. A
// setting that did not parse (hidden) is already reported.
func (c *Config) checkRanges(getenv func(string) string, hidden map[string]bool, bad func(format string, args ...any)) {
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("REDIS_URL %q must look like redis://host:6379/0", c.RedisURL)
		}
	}
	switch c.LogFormat {
	case "json", "text", "auto":
	default:
		bad("LOG_FORMAT %q must be json, text or auto", c.LogFormat)
	}
	inRange := func(key string, n, lo, hi int) {
		if !hidden[key] && (n < lo || n > hi) {
			bad("%s %q must be a whole number from %d to %d", key, getenv(key), lo, hi)
		}
	}
	inRange("STATE_DUE_DAYS", c.StateDueDays, 1, 365)
	inRange("COMMERCE_DUE_DAYS", c.CommerceDueDays, 1, 365)
	inRange("OFFICE_LEAD_BUSINESS_DAYS", c.OfficeLeadBusinessDays, 1, 60)
	inRange("REASK_BUSINESS_DAYS", c.ReaskBusinessDays, 1, 60)
	inRange("OUTBOX_WORKERS", c.OutboxWorkers, 1, 64)
	inRange("REMINDER_OVERDUE_EVERY", c.ReminderOverdueEvery, 1, 30)
	inRange("ESCALATE_FROM_OVERDUE", c.EscalateFromOverdue, 0, 30)
	inRange("ARCHIVE_AFTER_DAYS", c.ArchiveAfterDays, 0, 60)
	if c.AnalystScope != bot.ScopeTeam && c.AnalystScope != bot.ScopeOwn {
		bad("ANALYST_SCOPE %q must be team (analysts cover for each other) or own (only the referral's analyst and supervisors)", c.AnalystScope)
	}
	if !hidden["SLACK_RATE_SCALE"] && (c.SlackRateScale < 0 || c.SlackRateScale > 1000) {
		bad("SLACK_RATE_SCALE %q must be a number from 0 (no pacing) to 1000", getenv("SLACK_RATE_SCALE"))
	}
	for method, n := range c.SlackRateLimits {
		if n < 1 || n > 100_000 || !strings.Contains(method, ".") {
			bad("SLACK_RATE_LIMITS %q must be method:calls-per-minute pairs (1 to 100000), e.g. chat.postMessage:600", getenv("SLACK_RATE_LIMITS"))
			break
		}
	}
	if !validMarking(c.MarkingBanner) {
		bad("MARKING_BANNER %q must be one line of at most %d printable characters, e.g. CUI", c.MarkingBanner, maxMarking)
	}
	for _, n := range c.ReminderBeforeDays {
		if n < 1 || n > 30 {
			bad("REMINDER_BEFORE_DAYS %q must be whole numbers from 1 to 30, separated by commas", getenv("REMINDER_BEFORE_DAYS"))
			break
		}
	}
	for _, o := range c.SignOffRequired {
		if !bot.Outcome(strings.TrimSpace(o)).Valid() {
			bad("SIGN_OFF_REQUIRED %q must be outcomes (approve, approve_with_provisos, rwa, deny) separated by commas", getenv("SIGN_OFF_REQUIRED"))
			break
		}
	}
	if !hidden["HTTP_READ_TIMEOUT"] && (c.HTTPReadTimeout < 100*time.Millisecond || c.HTTPReadTimeout > time.Minute) {
		bad("HTTP_READ_TIMEOUT %q must be a duration from 100ms to 1m, e.g. 10s", getenv("HTTP_READ_TIMEOUT"))
	}
	if !hidden["OUTBOX_LEASE"] && (c.OutboxLease < time.Second || c.OutboxLease > time.Hour) {
		bad("OUTBOX_LEASE %q must be a duration from 1s to 1h, e.g. 2m", getenv("OUTBOX_LEASE"))
	}
	if !hidden["REFRESH_DELAY"] && (c.RefreshDelay < 0 || c.RefreshDelay > 10*time.Second) {
		bad("REFRESH_DELAY %q must be a duration from 0s to 10s, e.g. 300ms", getenv("REFRESH_DELAY"))
	}
}

// failedSetting names the setting a go-envconfig error is about, and what its
// value should look like. Most errors start with the field's name ("Field: …"); a
// Decoder's error does not, so the fields with a Decoder are tried in turn.
func failedSetting(err error, getenv func(string) string, hidden map[string]bool) (key, help string) {
	t := reflect.TypeFor[Config]()
	if field, _, ok := strings.Cut(err.Error(), ":"); ok {
		if f, ok := t.FieldByName(field); ok {
			return setting(f)
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		key, help := setting(f)
		dec, ok := reflect.New(f.Type).Interface().(envconfig.Decoder)
		if ok && !hidden[key] && getenv(key) != "" && dec.EnvDecode(getenv(key)) != nil {
			return key, help
		}
	}
	return "", ""
}

// setting is a Config field's environment variable and the help for a bad value.
func setting(f reflect.StructField) (key, help string) {
	key, _, _ = strings.Cut(f.Tag.Get("env"), ",")
	help = f.Tag.Get("help")
	if help == "" {
		help = "well formed"
	}
	return key, help
}

// maxMarking is the longest marking banner accepted: a banner line with its
// categories and dissemination controls fits well within it.
const maxMarking = 120

// validMarking reports whether s can be a marking banner: one line of printable
// characters, within maxMarking.
func validMarking(s string) bool {
	if strings.TrimSpace(s) == "" || len([]rune(s)) > maxMarking {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
