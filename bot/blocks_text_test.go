package bot_test

import (
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// Times go to Slack as date tokens, so every reader sees their own time zone; the
// fallback is UTC whatever the instant's location.
func TestSlackTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, ny) // 14:30 UTC
	want := "<!date^1795789800^{date_short_pretty} {time}|2026-11-27 14:30 UTC>"
	if got := bot.SlackTime(at); got != want {
		t.Errorf("SlackTime(%v) = %q; want %q", at, got, want)
	}
}
