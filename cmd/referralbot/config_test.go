package main

import (
	"strings"
	"testing"
)

func TestLoadConfigListsEveryProblem(t *testing.T) {
	for k, v := range map[string]string{
		"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": "", "SLACK_SIGNING_SECRET": "",
		"SLACK_API_URL": "ftp://nowhere", "HTTP_ADDR": "3000", "REDIS_URL": "localhost:6379",
		"TIME_ZONE": "Mars/Olympus", "STATE_DUE_DAYS": "sixty", "OFFICE_LEAD_BUSINESS_DAYS": "0",
		"REMINDER_TIME": "9am", "LOG_FORMAT": "xml",
	} {
		t.Setenv(k, v)
	}
	_, err := LoadConfig()
	if err == nil {
		t.Fatal("LoadConfig accepted a broken environment")
	}
	for _, want := range []string{"SLACK_BOT_TOKEN must be a bot token", "set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET",
		"SLACK_API_URL", "HTTP_ADDR", "REDIS_URL", "TIME_ZONE", "STATE_DUE_DAYS", "OFFICE_LEAD_BUSINESS_DAYS", "REMINDER_TIME", "LOG_FORMAT",
		"has 10 problem(s)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-1")
	t.Setenv("SLACK_APP_TOKEN", "xapp-1")
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.SocketMode() || cfg.DatabasePath != "referralbot.db" || cfg.HTTPAddr != ":3000" || cfg.Location.String() != "America/New_York" ||
		cfg.CommerceDueDays != 30 || cfg.OfficeLeadBusinessDays != 5 || cfg.Policy.MorningHour != 9 || len(cfg.Policy.BeforeBusinessDays) != 2 {
		t.Errorf("defaults = %+v", cfg)
	}
}
