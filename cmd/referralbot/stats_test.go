package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestStats(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456") // asked Friday 2026-11-27, office due 2026-12-11
	h.Clock.Set(time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC))
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.Clock.Set(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC))
	h.click(reviewer("navy", 1), r.ChannelID, h.askMessage(r, "navy").TS, "answer_approve")
	h.drain()

	// In Slack: analysts only, the table in the acknowledgement.
	ack := h.command(analyst, h.General, "stats")
	var msg struct {
		ResponseType string       `json:"response_type"`
		Blocks       slack.Blocks `json:"blocks"`
	}
	if err := ack.Decode(&msg); err != nil || msg.ResponseType != "ephemeral" {
		t.Fatalf("stats ack = %s (%v); want an ephemeral message", ack.Body, err)
	}
	table := blocksText(msg.Blocks)
	var rows []string
	for _, line := range strings.Split(table, "\n") {
		rows = append(rows, strings.Join(strings.Fields(line), " "))
	}
	for _, want := range []string{"Office timeliness", "Referrals received since 2025-12-02: 1 (1 awaiting the final recommendation)",
		"Army 1 1 1 1 100% (1/1)", "Navy 1 1 3 3 100% (1/1)", "Policy 1 0 - - -"} {
		if !slices.Contains(rows, want) {
			t.Errorf("stats lacks %q:\n%s", want, table)
		}
	}
	// Escaped for Slack, and aligned as Slack shows it: "A&S / R&E" is 9 characters wide.
	if !strings.Contains(table, "\nA&amp;S / R&amp;E"+strings.Repeat(" ", 27-9)+"1 ") {
		t.Errorf("the A&S / R&E row is not escaped and aligned:\n%s", table)
	}
	for text, want := range map[string]string{
		"stats all":        "Referrals received to date: 1",
		"stats 2026-11-21": "Referrals received since 2026-11-21: 0",
		"stats soon":       "is not a date",
	} {
		if ack := h.command(analyst, h.General, text); !strings.Contains(string(ack.Body), want) {
			t.Errorf("%s = %s; want …%s…", text, ack.Body, want)
		}
	}
	if ack := h.command(reviewer("army", 1), r.ChannelID, "stats"); !strings.Contains(string(ack.Body), "Only licensing analysts") {
		t.Errorf("stats by a reviewer = %s", ack.Body)
	}
}

func TestStatsCmd(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456")
	h.Clock.Set(time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC))
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.drain()
	env := environ{"DATABASE_PATH": h.App.DB.Path(), "ROSTER_PATH": h.App.Config.RosterPath, "TIME_ZONE": "America/New_York"}
	run := func(args ...string) (string, error) {
		out, _, err := runCmd(h.Clock.Now, env, append([]string{"stats"}, args...)...)
		return out, err
	}

	out, err := run()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Referrals received to date: 1 (1 awaiting the final recommendation)",
		"Army                       1     1         1            1         100% (1/1)",
		"Navy                       1     0         -            -         -",
		"none yet 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lacks %q:\n%s", want, out)
		}
	}
	if out, err := run("--since", "2026-11-21"); err != nil || !strings.Contains(out, "since 2026-11-21: 0") {
		t.Errorf("stats --since 2026-11-21 = %q, %v", out, err)
	}
	for _, args := range [][]string{{"--since", "soon"}, {"extra"}, {"--bogus"}} {
		if _, err := run(args...); !errors.Is(err, errUsage) {
			t.Errorf("stats %v: %v; want a usage error", args, err)
		}
	}
}
