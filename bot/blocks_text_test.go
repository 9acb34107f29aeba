package bot_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// Times go to Slack as date tokens, so every reader sees their own time zone; the
// fallback is UTC whatever the instant's location.
func TestSlackTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err) // bot/deadline embeds time/tzdata
	}
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, ny) // 14:30 UTC
	want := "<!date^1795789800^{date_short_pretty} {time}|2026-11-27 14:30 UTC>"
	if got := bot.SlackTime(at); got != want {
		t.Errorf("SlackTime(%v) = %q; want %q", at, got, want)
	}
}

// Approve records an official position in one click, so Slack asks first; the
// dialog stays within Slack's limits whatever the office is called.
func TestApproveAsksForConfirmation(t *testing.T) {
	ro := roster()
	ro.Offices[0].Name = strings.Repeat("Acquisition & Sustainment ", 20)
	open := sampleTally()
	open.Referral.CaseNumber = strings.Repeat("9", 20)
	m := bot.AskMessage(open.Referral, open.Asks[0], ro)
	raw, _ := json.Marshal(m.Blocks)
	if problems := slackfake.ValidateMessageBlocks(raw); len(problems) > 0 {
		t.Fatalf("ask breaks Block Kit limits: %v", problems)
	}
	confirms := map[string]bool{}
	for _, b := range m.Blocks {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					confirms[btn.ActionID] = btn.Confirm != nil
				}
			}
		}
	}
	want := map[string]bool{"answer_approve": true, "answer_approve_with_provisos": false, "answer_rwa": false, "answer_deny": false}
	if !maps.Equal(confirms, want) {
		t.Errorf("buttons with a confirm dialog: %v; want %v", confirms, want)
	}
}
