package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemo runs the demo as a newcomer would and checks that its
// transcript tells the whole story.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), &out, &errOut); err != nil {
		t.Fatalf("demo: %v\nstderr: %s\nstdout: %s", err, errOut.String(), out.String())
	}
	transcript := out.String()
	for _, want := range []string{
		"bot creates private channel #ref-commerce-z123456",
		"bot invites 20 people to #ref-commerce-z123456",
		"bot posts in #ref-commerce-z123456: Army: your position on Z123456 is requested by 2026-12-11",
		"(only @navy.one sees) Only people on the Army roster can answer for Army. Nothing was recorded.",
		"Reminder: Joint Staff's position on Z123456 is due in 2 business days",
		"Reminder: Joint Staff's position on Z123456 is 1 business day overdue",
		"bot posts in a direct message to @dana.analyst: :rotating_light: Overdue this morning on 1 of your referrals:",
		"bot posts in #ref-commerce-z123456: Final DoD recommendation on Z123456: Approve with conditions",
		"- v2 2026-12-14 ",
		"Dissenting offices (overridden): Army, Air Force, Policy",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if strings.Count(transcript, "Reminder: Joint Staff") != 4 {
		t.Errorf("want exactly 4 reminders to Joint Staff:\n%s", transcript)
	}
	if t.Failed() {
		t.Logf("transcript:\n%s", transcript)
	}
}
