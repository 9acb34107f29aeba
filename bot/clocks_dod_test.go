package bot_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// The analyst's own deadline, on both clocks (clocks_test.go): every business
// morning from Mon 2026-12-14 to Mon 2027-01-11 the reminder loop runs, and the
// analyst's morning message must name the referral's DoD due date on exactly the
// mornings 3, 1 and 0 business days before it (0: the last business day on or
// before it), then once the morning after it passes, with the passing recorded
// once in the event log: deemed no objection for Commerce, overdue for State.
// Holds never move these mornings; a BIS clock stop moves them with the date.
func TestDoDDueMornings(t *testing.T) {
	for _, tt := range []struct {
		name     string
		agency   string
		received string
		steps    []clockStep
		// mornings says what the analyst is told of the DoD due date, by date; no
		// other morning mentions it.
		mornings map[string]string
		// passed is the event recorded when the DoD due date passes, and the date it
		// names; "" when none may be.
		passed, passedDue string
	}{
		{
			// 30 days from 11-20 is Sunday 12-20: the last business day is Friday 12-18.
			name: "Commerce due on a Sunday, deemed no objection on Monday", agency: "commerce", received: "2026-11-20",
			mornings: map[string]string{
				"2026-12-15": "DoD due Sun 2026-12-20 (Commerce): 3 business days left, the last on Fri 2026-12-18",
				"2026-12-17": "DoD due Sun 2026-12-20 (Commerce): 1 business day left, the last on Fri 2026-12-18",
				"2026-12-18": "DoD due Sun 2026-12-20 (Commerce): *today is the last business day* before it",
				"2026-12-21": "DoD due Sun 2026-12-20 passed with no final recommendation: under EO 12981 DoD is *deemed to have no objection* (Commerce).",
			},
			passed: bot.EventDeemedNoObjection, passedDue: "2026-12-20",
		},
		{
			name: "State due on a Sunday, overdue and open", agency: "state", received: "2026-11-20",
			mornings: map[string]string{
				"2026-12-15": "DoD due Sun 2026-12-20 (State): 3 business days left, the last on Fri 2026-12-18",
				"2026-12-17": "DoD due Sun 2026-12-20 (State): 1 business day left, the last on Fri 2026-12-18",
				"2026-12-18": "DoD due Sun 2026-12-20 (State): *today is the last business day* before it",
				"2026-12-21": "DoD due Sun 2026-12-20 passed with no final recommendation: *overdue* (State). No deemed concurrence: the referral stays open",
			},
			passed: bot.EventDoDOverdue, passedDue: "2026-12-20",
		},
		{
			// Due on Christmas Day (Fri 12-25): the last business day is Thu 12-24.
			name: "Commerce due on a federal holiday", agency: "commerce", received: "2026-11-25",
			mornings: map[string]string{
				"2026-12-21": "DoD due Fri 2026-12-25 (Commerce): 3 business days left, the last on Thu 2026-12-24",
				"2026-12-23": "DoD due Fri 2026-12-25 (Commerce): 1 business day left, the last on Thu 2026-12-24",
				"2026-12-24": "DoD due Fri 2026-12-25 (Commerce): *today is the last business day* before it",
				"2026-12-28": "DoD due Fri 2026-12-25 passed with no final recommendation: under EO 12981 DoD is *deemed to have no objection*",
			},
			passed: bot.EventDeemedNoObjection, passedDue: "2026-12-25",
		},
		{
			// Held across Christmas; the DoD due date, Thu 12-31, runs on. New Year's
			// Day is a holiday: the passing is told on Monday 01-04.
			name: "Commerce hold across a federal holiday moves no DoD morning", agency: "commerce", received: "2026-12-01",
			steps: []clockStep{
				{at: nyTime(2026, 12, 22, 10, 0), do: "hold"},
				{at: nyTime(2026, 12, 29, 10, 0), do: "resume"},
			},
			mornings: map[string]string{
				"2026-12-28": "DoD due Thu 2026-12-31 (Commerce): 3 business days left",
				"2026-12-30": "DoD due Thu 2026-12-31 (Commerce): 1 business day left",
				"2026-12-31": "DoD due *today*, Thu 2026-12-31 (Commerce)",
				"2027-01-04": "DoD due Thu 2026-12-31 passed with no final recommendation: under EO 12981 DoD is *deemed to have no objection*",
			},
			passed: bot.EventDeemedNoObjection, passedDue: "2026-12-31",
		},
		{
			// BIS stopped its clock 12-03 to 12-10: the DoD due date moves from 12-31 to
			// Thu 2027-01-07, and its mornings with it.
			name: "Commerce BIS clock stop moves the DoD mornings", agency: "commerce", received: "2026-12-01",
			steps: []clockStep{{at: nyTime(2026, 12, 10, 15, 0), do: "stop", from: civil(2026, 12, 3), to: civil(2026, 12, 10)}},
			mornings: map[string]string{
				"2027-01-04": "DoD due Thu 2027-01-07 (Commerce): 3 business days left",
				"2027-01-06": "DoD due Thu 2027-01-07 (Commerce): 1 business day left",
				"2027-01-07": "DoD due *today*, Thu 2027-01-07 (Commerce)",
				"2027-01-08": "DoD due Thu 2027-01-07 passed with no final recommendation: under EO 12981 DoD is *deemed to have no objection*",
			},
			passed: bot.EventDeemedNoObjection, passedDue: "2027-01-07",
		},
		{
			// DDTC granted more time after the date passed: the new date is told and
			// passes again, once.
			name: "State overdue, then extended by DDTC, then overdue again", agency: "state", received: "2026-11-20",
			steps: []clockStep{{at: nyTime(2026, 12, 22, 11, 0), do: "extend", to: civil(2026, 12, 30)}},
			mornings: map[string]string{
				"2026-12-15": "DoD due Sun 2026-12-20 (State): 3 business days left",
				"2026-12-17": "DoD due Sun 2026-12-20 (State): 1 business day left",
				"2026-12-18": "DoD due Sun 2026-12-20 (State): *today is the last business day* before it",
				"2026-12-21": "DoD due Sun 2026-12-20 passed with no final recommendation: *overdue* (State)",
				"2026-12-24": "DoD due Wed 2026-12-30 (State): 3 business days left",
				"2026-12-29": "DoD due Wed 2026-12-30 (State): 1 business day left",
				"2026-12-30": "DoD due *today*, Wed 2026-12-30 (State)",
				"2026-12-31": "DoD due Wed 2026-12-30 passed with no final recommendation: *overdue* (State)",
			},
			passed: bot.EventDoDOverdue, passedDue: "2026-12-30",
		},
		{
			name: "Commerce recommended in time: told once, nothing passes", agency: "commerce", received: "2026-11-20",
			steps: []clockStep{{at: nyTime(2026, 12, 16, 10, 0), do: "recommend"}},
			mornings: map[string]string{
				"2026-12-15": "DoD due Sun 2026-12-20 (Commerce): 3 business days left",
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			inst := w.start(inMemory)
			r := inst.openOn(tt.agency, tt.received, "army")
			steps := slices.Clone(tt.steps)
			apply := func(st clockStep) {
				t.Helper()
				w.clock.Set(st.at)
				var err error
				switch st.do {
				case "hold":
					err = inst.svc.Hold(w.ctx, analystID, r.ID, "RWA question out")
				case "resume":
					_, err = inst.svc.Resume(w.ctx, analystID, r.ID)
				case "stop":
					_, err = inst.svc.RecordAgencyClock(w.ctx, analystID, r.ID, bot.AgencyClockInput{
						Action: bot.AgencyClockStop, Stopped: st.from, Restarted: st.to, Reference: "BIS-note-1", Reason: "returned to the applicant"})
				case "extend":
					_, err = inst.svc.RecordAgencyClock(w.ctx, analystID, r.ID, bot.AgencyClockInput{
						Action: bot.AgencyClockExtend, NewDue: st.to, Reference: "DDTC-email", Reason: "DDTC granted DoD more time"})
				case "recommend":
					_, err = inst.svc.Recommend(w.ctx, analystID, r.ID, bot.RecommendationInput{Outcome: bot.OutcomeApprove})
				}
				if err != nil {
					t.Fatalf("%s at %s: %v", st.do, st.at, err)
				}
				inst.drain()
			}
			got := map[string]string{}
			for d := civil(2026, 12, 14); !d.After(civil(2027, 1, 11)); d = d.AddDate(0, 0, 1) {
				morning := nyTime(d.Year(), d.Month(), d.Day(), 9, 0)
				for len(steps) > 0 && steps[0].at.Before(morning) {
					apply(steps[0])
					steps = steps[1:]
				}
				if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
					continue
				}
				w.clock.Set(morning)
				inst.tick()
				inst.tick() // a second pass the same morning tells nothing again
				if line := dodLine(w, d, r.CaseNumber); line != "" {
					got[bot.FormatDate(d)] = line
				}
			}
			for _, day := range slices.Sorted(maps.Keys(got)) {
				if want, ok := tt.mornings[day]; !ok || !strings.Contains(got[day], want) {
					t.Errorf("%s: analyst told %q; want %q", day, got[day], want)
				}
			}
			for _, day := range slices.Sorted(maps.Keys(tt.mornings)) {
				if _, ok := got[day]; !ok {
					t.Errorf("%s: analyst not told; want %q", day, tt.mornings[day])
				}
			}
			var passed []string
			events, err := inst.db.Events(w.ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				if e.Kind == bot.EventDeemedNoObjection || e.Kind == bot.EventDoDOverdue {
					passed = append(passed, e.Kind+" "+e.Detail)
				}
			}
			switch {
			case tt.passed == "" && len(passed) > 0:
				t.Errorf("events %v; want none", passed)
			case tt.passed != "" && (len(passed) == 0 || !strings.HasPrefix(passed[len(passed)-1], tt.passed+" ") ||
				!strings.Contains(passed[len(passed)-1], `"dod_due":"`+tt.passedDue+`"`)):
				t.Errorf("events %v; want the last %s for %s", passed, tt.passed, tt.passedDue)
			}
			// Once per DoD due date: one event per date that passed.
			if n := strings.Count(strings.Join(passed, "\n"), `"dod_due":"`+tt.passedDue+`"`); tt.passed != "" && n != 1 {
				t.Errorf("%d events for %s; want 1: %v", n, tt.passedDue, passed)
			}
			if ref, _ := inst.db.Referral(w.ctx, r.ID); tt.passed != "" && ref.State != bot.ReferralOpen {
				t.Errorf("referral %s after its DoD due date; want it open", ref.State)
			}
		})
	}
}

// dodLine returns what the analyst's morning message of day says of the case's
// DoD due date, "" when it says nothing (or there was no message).
func dodLine(w *world, day time.Time, caseNumber string) string {
	w.t.Helper()
	dm := w.dm(analystID)
	if dm == "" {
		return ""
	}
	m, ok := w.keyed(dm, "escalation:")["escalation:"+analystID+":"+bot.FormatDate(day)]
	if !ok {
		return ""
	}
	var out []string
	for _, line := range strings.Split(m.Text, "\n") {
		if strings.HasPrefix(line, "• "+caseNumber+" ") && strings.Contains(line, "DoD due") {
			out = append(out, line)
		}
	}
	if len(out) > 1 {
		w.t.Errorf("%s: the morning message names %s's DoD due date %d times: %q", bot.FormatDate(day), caseNumber, len(out), out)
	}
	return strings.Join(out, "\n")
}
