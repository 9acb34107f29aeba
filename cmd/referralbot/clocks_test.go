package main

import (
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
)

// TestAgencyClock drives the two clocks through the slash command, over signed HTTP
// and Socket Mode: extend and hold never move the DoD due date, and
// /referral agency-clock moves it only with the agency's reference and a reason,
// which the official record shows.
func TestAgencyClock(t *testing.T) {
	for _, transport := range []string{"http", "socket"} {
		t.Run(transport, func(t *testing.T) { testAgencyClock(t, transport) })
	}
}

func testAgencyClock(t *testing.T, transport string) {
	h := newHarness(t, transport)
	r := h.openReferral("Z123456") // Commerce, received 2026-11-20: DoD due 2026-12-20, offices 2026-12-11
	refused := func(text, want string) {
		t.Helper()
		if got := h.command(analyst, r.ChannelID, text).Text(); !strings.Contains(got, want) {
			t.Errorf("/referral %s = %q; want …%s…", text, got, want)
		}
	}
	refused("extend dod 2027-01-10 the agency agreed", "The DoD due date is the licensing agency's deadline")
	refused("extend all 2026-12-21 holiday staffing", "cannot fall after the DoD due date, 2026-12-20")
	refused("agency-clock stop 2026-12-01 2026-12-04 SNAP-R-1204", "record the action, its date(s), the agency's reference and a reason")
	refused("agency-clock pause 2026-12-30 SNAP-R-1204 why not", "is not an agency action")
	if got := h.command(reviewer("army", 1), r.ChannelID, "agency-clock extend 2027-01-08 BIS-1 more time").Text(); !strings.Contains(got, "Only licensing analysts") {
		t.Errorf("agency-clock by a reviewer = %q", got)
	}

	// A hold and resume move the offices only.
	h.Clock.Set(time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)) // Tue 10:00 New York
	if got := h.command(analyst, r.ChannelID, "hold RWA question out with the applicant").Text(); !strings.Contains(got, "The DoD due date (2026-12-20) does not stop") {
		t.Errorf("hold = %q", got)
	}
	h.Clock.Set(time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)) // Thu: 2 business days
	if got := h.command(analyst, r.ChannelID, "resume").Text(); !strings.Contains(got, "after 2 business day(s)") || !strings.Contains(got, "The DoD due date stays 2026-12-20") {
		t.Errorf("resume = %q", got)
	}
	h.drain()

	// BIS stopped its clock Tue 12-01 to Fri 12-04: three calendar days.
	h.Clock.Set(time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
	got := h.command(analyst, r.ChannelID, "agency-clock stop 2026-12-01 2026-12-04 SNAP-R-1204 BIS held the application for the end-use statement").Text()
	if !strings.Contains(got, "moved from 2026-12-20 to *2026-12-23* (3 calendar days)") || !strings.Contains(got, "suspense dates are unchanged") {
		t.Errorf("agency-clock stop = %q", got)
	}
	// From anywhere, with the case number: an extension granted by BIS.
	got = h.command(analyst, h.General, "agency-clock Z123456 extend 2027-01-08 BIS-email-2026-12-04 BIS granted DoD more time for the lab report").Text()
	if !strings.Contains(got, "moved from 2026-12-23 to *2027-01-08*") {
		t.Errorf("agency-clock extend = %q", got)
	}
	h.drain()

	ref, err := h.App.DB.Referral(h.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !ref.DoDDueDate.Equal(time.Date(2027, 1, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DoD due %s; want 2027-01-08", bot.FormatDate(ref.DoDDueDate))
	}
	if a := h.ask(r, "army"); bot.FormatDate(a.DueDate) != "2026-12-15" {
		t.Errorf("army due %s; want 2026-12-15 (moved by the hold only)", bot.FormatDate(a.DueDate))
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = 'dod_due.moved' AND actor = ?
		AND json_extract(detail, '$.reference') != '' AND json_extract(detail, '$.reason') != ''`, r.ID, analyst); n != 2 {
		t.Errorf("%d dod_due.moved events with reference and reason; want 2", n)
	}
	if txt := blocksText(h.Fake.Messages(r.ChannelID)[0].Blocks); !strings.Contains(txt, "2027-01-08") {
		t.Errorf("summary does not show the new DoD due date:\n%s", txt)
	}
	// Now the offices may be given time up to the new DoD due date.
	if got := h.command(analyst, r.ChannelID, "extend all 2027-01-06 the agency gave us time").Text(); !strings.Contains(got, "The DoD due date stays 2027-01-08") {
		t.Errorf("extend within the new DoD due date = %q", got)
	}

	rec, err := h.App.Service.Record(h.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	md := record.Markdown(rec)
	for _, want := range []string{
		"recorded an agency action: BIS stopped its clock from 2026-12-01 to 2026-12-04 (reference SNAP-R-1204). The DoD due date moved from 2026-12-20 to 2026-12-23 (3 calendar days). Reason: BIS held the application for the end-use statement",
		"recorded an agency action: BIS granted more time (reference BIS-email-2026-12-04). The DoD due date moved from 2026-12-23 to 2027-01-08 (16 calendar days).",
		"| DoD due | 2027-01-08 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("record lacks %q", want)
		}
	}
}
