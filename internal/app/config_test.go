package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/internal/app"
	"github.com/referralbot/referralbot/internal/clock"
)

// env is an environment for LoadConfig.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigListsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := app.LoadConfig(env(map[string]string{
		"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_API_URL": "ftp://nowhere", "HTTP_ADDR": "3000", "REDIS_URL": "localhost:6379",
		"TIME_ZONE": "Mars/Olympus", "STATE_DUE_DAYS": "sixty", "OFFICE_LEAD_BUSINESS_DAYS": "0",
		"REMINDER_TIME": "9am", "LOG_FORMAT": "xml", "OUTBOX_LEASE": "forever", "MARKING_BANNER": "CUI\nSECRET",
	}), app.Serving)
	if err == nil {
		t.Fatal("LoadConfig accepted a broken environment")
	}
	for _, want := range []string{"SLACK_BOT_TOKEN must be a bot token", "set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET",
		"SLACK_API_URL", "HTTP_ADDR", "REDIS_URL", `TIME_ZONE "Mars/Olympus" must be a known time zone`,
		`STATE_DUE_DAYS "sixty" must be a whole number from 1 to 365`, `OFFICE_LEAD_BUSINESS_DAYS "0" must be a whole number from 1 to 60`,
		`REMINDER_TIME "9am" must be a 24-hour time`, "LOG_FORMAT", `OUTBOX_LEASE "forever" must be a duration`,
		`MARKING_BANNER "CUI\nSECRET" must be one line`, "has 12 problem(s)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := app.LoadConfig(env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}), app.Serving)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Policy()
	if !cfg.SocketMode() || cfg.DatabasePath != "referralbot.db" || cfg.HTTPAddr != ":3000" || cfg.Location().String() != "America/New_York" ||
		cfg.CommerceDueDays != 30 || cfg.OfficeLeadBusinessDays != 5 || p.MorningHour != 9 || len(p.BeforeBusinessDays) != 2 ||
		cfg.OutboxLease != 2*time.Minute || cfg.OutboxWorkers != 32 || cfg.MarkingBanner != "CUI" {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestLoadConfigTyped(t *testing.T) {
	t.Parallel()
	cfg, err := app.LoadConfig(env(map[string]string{
		"TIME_ZONE": "Europe/Berlin", "REMINDER_BEFORE_DAYS": "3,2,1", "REMINDER_TIME": "07:30", "OUTBOX_LEASE": "45s",
		"ESCALATE_FROM_OVERDUE": "0", "MARKING_BANNER": "CUI//SP-EXPT",
	}), app.Offline)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Policy()
	if cfg.Location().String() != "Europe/Berlin" || len(p.BeforeBusinessDays) != 3 || p.BeforeBusinessDays[0] != 3 ||
		p.MorningHour != 7 || p.MorningMinute != 30 || cfg.OutboxLease != 45*time.Second || p.EscalateFromOverdue != 0 ||
		cfg.MarkingBanner != "CUI//SP-EXPT" {
		t.Errorf("parsed = %+v, policy %+v", cfg, p)
	}
}

func TestLoadConfigOfflineNeedsNoSlack(t *testing.T) {
	t.Parallel()
	if _, err := app.LoadConfig(env(map[string]string{}), app.Offline); err != nil {
		t.Errorf("offline with no settings: %v; want the defaults", err)
	}
	if _, err := app.LoadConfig(env(map[string]string{}), app.Serving); err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN is missing") {
		t.Errorf("serving with no settings: %v; want SLACK_BOT_TOKEN is missing", err)
	}
}

func TestLoadConfigSignOff(t *testing.T) {
	t.Parallel()
	cfg, err := app.LoadConfig(env(map[string]string{"SIGN_OFF_REQUIRED": "deny, rwa"}), app.Offline)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.SignOffOutcomes(); len(got) != 2 || got[0] != "deny" || got[1] != "rwa" {
		t.Errorf("SignOffOutcomes = %v; want deny, rwa", got)
	}
	_, err = app.LoadConfig(env(map[string]string{"SIGN_OFF_REQUIRED": "deny,reject"}), app.Offline)
	if err == nil || !strings.Contains(err.Error(), `SIGN_OFF_REQUIRED "deny,reject" must be outcomes (approve, approve_with_provisos, rwa, deny)`) {
		t.Errorf("a bad outcome: %v", err)
	}
}

// TestSignOffNeedsSupervisors: asking for a second signature with nobody to give
// it is refused at start-up, saying what to add.
func TestSignOffNeedsSupervisors(t *testing.T) {
	t.Parallel()
	roster := filepath.Join(t.TempDir(), "roster.yaml")
	if err := os.WriteFile(roster, []byte("analysts: [U1]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.LoadConfig(env(map[string]string{"SIGN_OFF_REQUIRED": "deny", "ROSTER_PATH": roster,
		"DATABASE_PATH": filepath.Join(t.TempDir(), "none.db")}), app.Offline)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Offline, clock.Stopped(time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)), slog.New(slog.DiscardHandler))
	if err == nil {
		a.Close()
		t.Fatal("app.New accepted SIGN_OFF_REQUIRED without supervisors")
	}
	if !strings.Contains(err.Error(), "the roster names no supervisors") {
		t.Errorf("error = %v", err)
	}
}
