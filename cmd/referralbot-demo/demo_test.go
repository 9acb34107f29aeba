package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemo runs the demo as a newcomer would and checks that its transcript tells
// the whole story in office-queue mode, down to its noise figures: the
// applicant's two earlier referrals in the database, the precedent panel on
// opening and in the recommendation form, the library codes in the record.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), &out, &errOut); err != nil {
		t.Fatalf("demo: %v\nstderr: %s\nstdout: %s", err, errOut.String(), out.String())
	}
	transcript := out.String()
	for _, want := range []string{
		"bot creates private channel #ref-commerce-z123456",
		"bot invites @dana.analyst to #ref-commerce-z123456\n",
		"bot posts in #army-queue: Army: your position on Z123456 is requested by 2026-12-11",
		"bot posts in #joint_staff-queue: Joint Staff: your position on Z123456 is requested by 2026-12-11",
		"(only @navy.one sees) Only people on the Army roster can answer for Army. Nothing was recorded.",
		"presses [Join the discussion] on the Policy ask in #policy-queue",
		"bot invites @policy.one to #ref-commerce-z123456\n",
		"bot posts in #joint_staff-queue: 🌅 Good morning, @joint_staff-reviewers (Joint Staff): 1 ask due within two business days or overdue.\n      • Z123456 — due in 2 business days",
		"bot replies in a thread in #joint_staff-queue: Reminder: Joint Staff's position on Z123456 is due in 2 business days",
		"bot replies in a thread in #joint_staff-queue: Reminder: Joint Staff's position on Z123456 is 1 business day overdue",
		"bot posts in a direct message to @dana.analyst: 🚨 Overdue this morning on 1 of your referrals:\n      • Z123456 #ref-commerce-z123456 — Joint Staff",
		"⏩ The clock moves to Tue 2026-12-15 09:00 EST\n  bot posts in a direct message to @dana.analyst: ⏰ DoD due dates this morning on 1 of your referrals:\n      • Z123456 #ref-commerce-z123456 — DoD due Sun 2026-12-20 (Commerce): 3 business days left, the last on Fri 2026-12-18",
		"bot posts in #ref-commerce-z123456: Final DoD recommendation on Z123456: Approve with conditions (partially overrides Navy)",
		"bot replies in a thread in #navy-queue: The final DoD recommendation on Z123456 partially overrides Navy: condition 2 dropped — reason: Redundant",
		"Partially overrides Navy: condition 2 dropped — reason: Redundant with the standard conditions BIS puts on every license\n",
		"bot uploads the record to #ref-commerce-z123456",
		"⏩ The clock moves to Tue 2026-12-22 09:00 EST\n  bot archives #ref-commerce-z123456",
		"- v2 2026-12-14 ",
		"Dissenting offices (overridden): Army, Policy", // Air Force approved once its question was answered
		"bot replies in a thread in #air_force-queue: Air Force: the answer to your questions on Z123456; asked again, due 2026-12-04",
		"  #air_force-queue         1 top-level   1 in threads",
		"  #joint_staff-queue       5 top-level   4 in threads",
		"  #ref-commerce-z123456    3 top-level   0 in threads",
		"  #navy-queue              1 top-level   1 in threads",
		"Thread replies in all: 6, each under the ask it is about.",
		"Channels per reviewer (of 18): 1 channel for 16; 2 channels for @navy.one, @policy.one.",
		// The applicant's two earlier referrals, decided through the bot before the story,
		"The bot's database already holds two earlier referrals from the same applicant",
		"  • Z118204, decided 2026-06-05: Approve with conditions, keeping Navy's standard conditions BIS-1 and BIS-2\n",
		"  • Z119377, decided 2026-09-18: Return without action (RWA)\n      ACME PHOTONICS, INC · ",
		// shown to the analyst when the referral opens (the name matched normalised),
		"  (only @dana.analyst sees) 📚 Precedents for Commerce BIS-748P Z123456 — DoD's final recommendations on earlier referrals that match it.\n" +
			"      Same applicant (Acme Photonics Inc.): 2 referrals — 1 Approve with conditions, 1 Return without action (RWA)\n" +
			"      Latest: Z119377 2026-09-18 Return without action (RWA) #ref-commerce-z119377; Z118204 2026-06-05 Approve with conditions #ref-commerce-z118204\n",
		"      Same family (6A003.*): 2 referrals — 1 Approve with conditions, 1 Return without action (RWA)\n",
		// and in the recommendation form.
		"  bot opens the \"Final recommendation\" form\n      📚 Precedents\n" +
			"      Same applicant (Acme Photonics Inc.): 2 referrals — 1 Approve with conditions, 1 Return without action (RWA)\n" +
			"        Latest: Z119377 2026-09-18 Return without action (RWA) #ref-commerce-z119377; Z118204 2026-06-05 Approve with conditions #ref-commerce-z118204\n",
		// Navy's standard conditions keep their library codes in the record, kept or dropped.
		"- **Navy**\n  - For stated end-use only. (BIS-1)\n",
		"(condition 2, BIS-2) — reason: Redundant with the standard conditions BIS puts on every license\n",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	for _, c := range []struct {
		what string
		want int
	}{
		{"bot invites ", 2}, // the analyst, then the one reviewer who pressed Join
		{"bot posts in #joint_staff-queue: 🌅 Good morning", 4}, // one digest each business morning the ask is due soon or overdue
		{"Good morning", 4}, // and no other office's queue gets one: they had answered
		{"bot replies in a thread in #joint_staff-queue: Reminder: Joint Staff", 4},
		{"Reminder: Joint Staff", 4},                          // every reminder is a thread reply
		{"bot posts in a direct message to @dana.analyst", 2}, // one escalation, not one per reminder; one DoD due alert
		{"📚 Precedents", 2},                                   // on opening and in the recommendation form
		{"bot creates private channel", 1},                    // the earlier referrals were seeded quietly
	} {
		if got := strings.Count(transcript, c.what); got != c.want {
			t.Errorf("transcript has %q %d times; want %d", c.what, got, c.want)
		}
	}
	if t.Failed() {
		t.Logf("transcript:\n%s", transcript)
	}
}
