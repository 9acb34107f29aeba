package bot_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// civil is a date as the bot keeps it: midnight UTC.
func civil(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// lastEvent returns the referral's newest event of that kind with its detail decoded.
func (inst *instance) lastEvent(r *bot.Referral, kind string) (*bot.Event, map[string]any) {
	inst.w.t.Helper()
	events, err := inst.db.Events(inst.w.ctx, r.ID)
	if err != nil {
		inst.w.t.Fatal(err)
	}
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Kind == kind {
			var detail map[string]any
			if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil {
				inst.w.t.Fatalf("event %s detail %q: %v", kind, e.Detail, err)
			}
			return e, detail
		}
	}
	inst.w.t.Fatalf("no %s event", kind)
	return nil, nil
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var be *bot.Error
	if !asBotError(err, &be) || be.Code != code {
		t.Errorf("%s: %v; want %s", what, err, code)
	}
}

// /referral extend: analysts only, a reason required and logged, and the office's
// reminders start over for the new date.
func TestRemindersExtend(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100010", "army", "navy")
	asks := inst.asks(r)
	army, navy := asks["army"], asks["navy"]
	seen, seenDM := map[string]bool{}, map[string]bool{}

	w.clock.Set(morning(8))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2", false, false}, expectation{navy, 0, "due in 2", false, false})

	w.clock.Set(nyTime(2026, 12, 8, 10, 0))
	newDue := civil(2026, 12, 17) // Thursday
	wantCode(t, "reviewer extends", inst.svc.Extend(w.ctx, reviewerOf("army"), r.ID, "army", newDue, "waiting on a test report"), bot.EFORBIDDEN)
	wantCode(t, "extend without a reason", inst.svc.Extend(w.ctx, analystID, r.ID, "army", newDue, "  "), bot.EINVALID)
	wantCode(t, "extend into the past", inst.svc.Extend(w.ctx, analystID, r.ID, "army", civil(2026, 12, 7), "late"), bot.EINVALID)
	wantCode(t, "extend an office not asked", inst.svc.Extend(w.ctx, analystID, r.ID, "policy", newDue, "why not"), bot.EINVALID)
	if err := inst.svc.Extend(w.ctx, analystID, r.ID, "army", newDue, "waiting on a test report"); err != nil {
		t.Fatalf("extend army: %v", err)
	}
	inst.drain()
	e, detail := inst.lastEvent(r, "due.changed")
	if e.Actor != analystID || detail["reason"] != "waiting on a test report" || detail["from"] != officeDue || detail["to"] != "2026-12-17" {
		t.Errorf("due.changed event by %s: %v", e.Actor, detail)
	}
	asks = inst.asks(r)
	army = asks["army"]
	if !army.DueDate.Equal(newDue) || !asks["navy"].DueDate.Equal(navy.DueDate) {
		t.Errorf("due dates: army %v navy %v; want army %v, navy unchanged", army.DueDate, asks["navy"].DueDate, newDue)
	}
	if got := inst.pending(); got != 2 {
		t.Errorf("queue holds %d reminders; want 2 (navy's next, army's next for the new date)", got)
	}

	for _, step := range []struct {
		day  int
		want []expectation
	}{
		{9, []expectation{{navy, 1, "due in 1", false, false}}},
		{10, []expectation{{navy, 2, "due *today*", false, false}}},
		{11, []expectation{{navy, 3, "1 business day overdue", true, false}}},
		{14, []expectation{{navy, 4, "2 business days overdue", true, false}}},
		{15, []expectation{{army, 0, "due in 2 business days", false, false}, {navy, 5, "3 business days overdue", true, false}}},
	} {
		w.clock.Set(morning(step.day))
		inst.tick()
		w.checkSent(r, seen, seenDM, step.want...)
	}

	// Extending everyone moves the overdue office too; its escalations stop.
	w.clock.Set(nyTime(2026, 12, 15, 10, 0))
	later := civil(2026, 12, 22) // Tuesday
	if err := inst.svc.Extend(w.ctx, analystID, r.ID, bot.ExtendAll, later, "holiday staffing"); err != nil {
		t.Fatalf("extend all: %v", err)
	}
	inst.drain()
	asks = inst.asks(r)
	army, navy = asks["army"], asks["navy"]
	for _, step := range []struct {
		day  int
		want []expectation
	}{
		{16, nil}, {17, nil},
		{18, []expectation{{army, 0, "due in 2", false, false}, {navy, 0, "due in 2", false, false}}},
		{21, []expectation{{army, 1, "due in 1", false, false}, {navy, 1, "due in 1", false, false}}},
	} {
		w.clock.Set(morning(step.day))
		inst.tick()
		w.checkSent(r, seen, seenDM, step.want...)
	}

	// The DoD due date is the agency's: extend refuses to move it, and refuses an
	// office suspense after it; nothing moves and the reminders stay.
	wantCode(t, "extend dod", inst.svc.Extend(w.ctx, analystID, r.ID, bot.ExtendDoD, civil(2027, 1, 15), "agency agreed"), bot.EINVALID)
	wantCode(t, "extend past the DoD due date", inst.svc.Extend(w.ctx, analystID, r.ID, bot.ExtendAll, civil(2026, 12, 31), "holidays"), bot.EINVALID)
	if ref, _ := inst.db.Referral(w.ctx, r.ID); !ref.DoDDueDate.Equal(civil(2026, 12, 30)) {
		t.Errorf("DoD due %v; want 2026-12-30, unmoved", ref.DoDDueDate)
	}
	if a := inst.asks(r)["army"]; !a.DueDate.Equal(later) {
		t.Errorf("army due %v after refused extensions; want %v", a.DueDate, later)
	}
	if got := inst.pending(); got != 2 {
		t.Errorf("queue holds %d reminders; want 2", got)
	}
	// On the DoD due date itself is allowed.
	if err := inst.svc.Extend(w.ctx, analystID, r.ID, "army", civil(2026, 12, 30), "last possible day"); err != nil {
		t.Errorf("extend army to the DoD due date: %v", err)
	}

	// An office that answered has no due date to move.
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("navy"), navy.ID, bot.PositionInput{Outcome: bot.OutcomeApprove}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "extend an office that answered", inst.svc.Extend(w.ctx, analystID, r.ID, "navy", civil(2027, 1, 8), "why"), bot.EINVALID)
}

// A reminder recorded just before its due date moved is not posted afterwards with
// the old numbers (the Slack work waited, say, on a rate limit).
func TestRemindersExtendBeforeSend(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100011", "army")
	army := inst.asks(r)["army"]
	seen, seenDM := map[string]bool{}, map[string]bool{}

	w.clock.Set(morning(10))
	if n, err := inst.svc.ProcessReminders(w.ctx); err != nil || n == 0 {
		t.Fatalf("process = %d, %v", n, err)
	}
	if err := inst.svc.Extend(w.ctx, analystID, r.ID, "army", civil(2026, 12, 17), "question to the applicant"); err != nil {
		t.Fatal(err)
	}
	inst.drain()
	w.checkSent(r, seen, seenDM)
	army = inst.asks(r)["army"]
	w.clock.Set(morning(15))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2 business days", false, false})
}

// Hold pauses the offices' clock and the reminders; resume moves the offices' due
// dates later by the business days on hold and the reminders follow. The DoD due
// date does not move.
func TestRemindersHoldResume(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100012", "army", "navy", "policy")
	asks := inst.asks(r)
	army, navy, policy := asks["army"], asks["navy"], asks["policy"]
	seen, seenDM := map[string]bool{}, map[string]bool{}

	w.clock.Set(morning(8))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2", false, false}, expectation{navy, 0, "due in 2", false, false}, expectation{policy, 0, "due in 2", false, false})
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("policy"), policy.ID, bot.PositionInput{Outcome: bot.OutcomeApprove}); err != nil {
		t.Fatal(err)
	}

	w.clock.Set(nyTime(2026, 12, 8, 10, 0))
	wantCode(t, "reviewer holds", inst.svc.Hold(w.ctx, reviewerOf("army"), r.ID, "rwa"), bot.EFORBIDDEN)
	if err := inst.svc.Hold(w.ctx, analystID, r.ID, "RWA: question to the applicant"); err != nil {
		t.Fatalf("hold: %v", err)
	}
	wantCode(t, "hold twice", inst.svc.Hold(w.ctx, analystID, r.ID, "again"), bot.ECONFLICT)
	inst.drain()
	if got := inst.pending(); got != 0 {
		t.Errorf("queue holds %d reminders on hold; want 0", got)
	}
	if _, detail := inst.lastEvent(r, "clock.held"); detail["reason"] != "RWA: question to the applicant" {
		t.Errorf("clock.held detail %v", detail)
	}
	// Redis emptied during the hold: the rebuild leaves the held referral out.
	w.flushRedis()
	for _, day := range []int{9, 10, 11} {
		w.clock.Set(morning(day))
		inst.tick()
		w.checkSent(r, seen, seenDM)
	}
	if got := inst.pending(); got != 0 {
		t.Errorf("queue holds %d reminders on hold after a rebuild; want 0", got)
	}

	// Held Tuesday 10:00 to Friday 10:00: three business days (Wed, Thu, Fri).
	w.clock.Set(nyTime(2026, 12, 11, 10, 0))
	res, err := inst.svc.Resume(w.ctx, analystID, r.ID)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if res.BusinessDaysHeld != 3 || res.Capped || !res.DoDDueDate.Equal(civil(2026, 12, 30)) {
		t.Errorf("resume = %+v; want 3 business days, not capped, DoD due 2026-12-30", res)
	}
	_, err = inst.svc.Resume(w.ctx, analystID, r.ID)
	wantCode(t, "resume twice", err, bot.ECONFLICT)
	inst.drain()
	asks = inst.asks(r)
	army, navy = asks["army"], asks["navy"]
	newDue := civil(2026, 12, 15) // Thursday 12-10 + 3 business days
	if !army.DueDate.Equal(newDue) || !navy.DueDate.Equal(newDue) || !asks["policy"].DueDate.Equal(policy.DueDate) {
		t.Errorf("due dates after resume: army %v navy %v policy %v; want %v, %v and policy (answered) unchanged",
			army.DueDate, navy.DueDate, asks["policy"].DueDate, newDue, newDue)
	}
	ref, err := inst.db.Referral(w.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The DoD due date (2026-12-30) is the agency's: the hold did not move it.
	if !ref.DoDDueDate.Equal(civil(2026, 12, 30)) || !ref.HeldSince.IsZero() {
		t.Errorf("after resume: DoD due %v, held since %v; want 2026-12-30, not held", ref.DoDDueDate, ref.HeldSince)
	}
	if _, detail := inst.lastEvent(r, "clock.resumed"); detail["business_days_held"] != 3.0 || detail["dod_due"] != "2026-12-30" {
		t.Errorf("clock.resumed detail %v", detail)
	}
	// Friday 09:00 (2 ahead of the new date) fell before the resume: not owed.
	inst.tick()
	w.checkSent(r, seen, seenDM)
	for _, step := range []struct {
		day  int
		want []expectation
	}{
		{14, []expectation{{army, 1, "due in 1 business day", false, false}, {navy, 1, "due in 1 business day", false, false}}},
		{15, []expectation{{army, 2, "due *today*", false, false}, {navy, 2, "due *today*", false, false}}},
		{16, []expectation{{army, 3, "1 business day overdue", true, false}, {navy, 3, "1 business day overdue", true, false}}},
	} {
		w.clock.Set(morning(step.day))
		inst.tick()
		w.checkSent(r, seen, seenDM, step.want...)
	}
}

// A reminder recorded just before a hold does not go out during it.
func TestRemindersHoldBeforeSend(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100013", "army")
	seen, seenDM := map[string]bool{}, map[string]bool{}

	w.clock.Set(morning(8))
	if n, err := inst.svc.ProcessReminders(w.ctx); err != nil || n == 0 {
		t.Fatalf("process = %d, %v", n, err)
	}
	if err := inst.svc.Hold(w.ctx, analystID, r.ID, "rwa"); err != nil {
		t.Fatal(err)
	}
	inst.drain()
	w.checkSent(r, seen, seenDM)
}

// Hold and resume while Redis is away: the reminders it still holds are dropped
// during the hold, and the moved ones are scheduled once it is back.
func TestRemindersHoldResumeRedisDown(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100014", "army")
	seen, seenDM := map[string]bool{}, map[string]bool{}
	inst.tick()

	w.clock.Set(nyTime(2026, 12, 7, 10, 0))
	inst.dialer.setDown(true)
	if err := inst.svc.Hold(w.ctx, analystID, r.ID, "rwa"); err != nil {
		t.Fatalf("hold with Redis down: %v", err)
	}
	inst.dialer.setDown(false)
	for _, day := range []int{8, 9} { // the cancelled-in-SQLite reminders fire and are dropped
		w.clock.Set(morning(day))
		inst.tick()
		w.checkSent(r, seen, seenDM)
	}

	w.clock.Set(nyTime(2026, 12, 9, 10, 0)) // held Mon → Wed: 2 business days
	inst.dialer.setDown(true)
	if _, err := inst.svc.Resume(w.ctx, analystID, r.ID); err != nil {
		t.Fatalf("resume with Redis down: %v", err)
	}
	inst.drain()
	inst.dialer.setDown(false)
	army := inst.asks(r)["army"]
	if !army.DueDate.Equal(civil(2026, 12, 14)) {
		t.Fatalf("due after resume %v; want 2026-12-14", army.DueDate)
	}
	for _, step := range []struct {
		day  int
		want []expectation
	}{
		{10, []expectation{{army, 0, "due in 2", false, false}}},
		{11, []expectation{{army, 1, "due in 1", false, false}}},
		{14, []expectation{{army, 2, "due *today*", false, false}}},
	} {
		w.clock.Set(morning(step.day))
		inst.tick()
		w.checkSent(r, seen, seenDM, step.want...)
	}
}
