package bot_test

import (
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// clockStep is one thing that happens to a referral's clocks, at a moment.
type clockStep struct {
	at     time.Time
	do     string    // "hold", "resume", "stop" or "extend"
	from   time.Time // stop: the day the agency stopped its clock
	to     time.Time // stop: the day it restarted; extend: the new DoD due date
	capped bool      // resume: whether the suspense stopped at the DoD due date
}

// The two clocks never mix: hold and resume move the offices' suspense (business
// days, federal holidays excluded) and never the DoD due date; the DoD due date
// (calendar days) moves only when the agency stops its clock or grants more time.
func TestTwoClocks(t *testing.T) {
	for _, tt := range []struct {
		name       string
		agency     string
		received   string
		wantDoD0   time.Time // the DoD due date the referral opens with
		wantOff0   time.Time // the offices' default suspense
		steps      []clockStep
		wantDoD    time.Time
		wantOffice time.Time
	}{
		{
			// Held Tue 12-22 to Tue 12-29: Wed, Thu, Mon, Tue — Christmas (Fri) is no business day.
			name: "Commerce hold across Christmas moves only the offices", agency: "commerce", received: "2026-12-01",
			wantDoD0: civil(2026, 12, 31), wantOff0: civil(2026, 12, 23),
			steps: []clockStep{
				{at: nyTime(2026, 12, 22, 10, 0), do: "hold"},
				{at: nyTime(2026, 12, 29, 10, 0), do: "resume"},
			},
			wantDoD: civil(2026, 12, 31), wantOffice: civil(2026, 12, 30),
		},
		{
			// 30 calendar days from 11-20 is Sunday 12-20: the agency's deadline is kept as it is.
			name: "State hold moves only the offices", agency: "state", received: "2026-11-20",
			wantDoD0: civil(2026, 12, 20), wantOff0: civil(2026, 12, 11),
			steps: []clockStep{
				{at: nyTime(2026, 12, 8, 10, 0), do: "hold"},
				{at: nyTime(2026, 12, 10, 10, 0), do: "resume"},
			},
			wantDoD: civil(2026, 12, 20), wantOffice: civil(2026, 12, 15),
		},
		{
			// Eight business days on hold would put the offices after the DoD due date.
			name: "Commerce long hold stops at the DoD due date", agency: "commerce", received: "2026-12-01",
			wantDoD0: civil(2026, 12, 31), wantOff0: civil(2026, 12, 23),
			steps: []clockStep{
				{at: nyTime(2026, 12, 22, 10, 0), do: "hold"},
				{at: nyTime(2027, 1, 5, 10, 0), do: "resume", capped: true},
			},
			wantDoD: civil(2026, 12, 31), wantOffice: civil(2026, 12, 31),
		},
		{
			// BIS stopped its clock Thu 12-03 and restarted it Thu 12-10: 7 calendar days.
			name: "Commerce BIS clock stop moves the DoD due date by calendar days", agency: "commerce", received: "2026-12-01",
			wantDoD0: civil(2026, 12, 31), wantOff0: civil(2026, 12, 23),
			steps: []clockStep{
				{at: nyTime(2026, 12, 10, 15, 0), do: "stop", from: civil(2026, 12, 3), to: civil(2026, 12, 10)},
			},
			wantDoD: civil(2027, 1, 7), wantOffice: civil(2026, 12, 23),
		},
		{
			name: "State DDTC extension sets the DoD due date", agency: "state", received: "2026-11-20",
			wantDoD0: civil(2026, 12, 20), wantOff0: civil(2026, 12, 11),
			steps: []clockStep{
				{at: nyTime(2026, 12, 2, 11, 0), do: "extend", to: civil(2027, 1, 15)},
			},
			wantDoD: civil(2027, 1, 15), wantOffice: civil(2026, 12, 11),
		},
		{
			// The hold moves the offices by 2 business days; the stop moves the DoD due date by 4 calendar days.
			name: "Commerce hold and a BIS clock stop each move their own clock", agency: "commerce", received: "2026-12-01",
			wantDoD0: civil(2026, 12, 31), wantOff0: civil(2026, 12, 23),
			steps: []clockStep{
				{at: nyTime(2026, 12, 7, 10, 0), do: "hold"},
				{at: nyTime(2026, 12, 9, 10, 0), do: "resume"},
				{at: nyTime(2026, 12, 9, 11, 0), do: "stop", from: civil(2026, 12, 4), to: civil(2026, 12, 8)},
			},
			wantDoD: civil(2027, 1, 4), wantOffice: civil(2026, 12, 28),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			inst := w.start(inMemory)
			r := inst.openOn(tt.agency, tt.received, "army")
			if !r.DoDDueDate.Equal(tt.wantDoD0) || !r.OfficeDueDate.Equal(tt.wantOff0) {
				t.Fatalf("opened with DoD due %s, offices due %s; want %s, %s",
					bot.FormatDate(r.DoDDueDate), bot.FormatDate(r.OfficeDueDate), bot.FormatDate(tt.wantDoD0), bot.FormatDate(tt.wantOff0))
			}
			for _, st := range tt.steps {
				w.clock.Set(st.at)
				var err error
				switch st.do {
				case "hold":
					err = inst.svc.Hold(w.ctx, analystID, r.ID, "RWA question out")
				case "resume":
					var res bot.Resumed
					res, err = inst.svc.Resume(w.ctx, analystID, r.ID)
					if err == nil && (res.Capped != st.capped || !res.DoDDueDate.Equal(tt.wantDoD0)) {
						t.Errorf("resume = %+v; want capped %v, DoD due %s", res, st.capped, bot.FormatDate(tt.wantDoD0))
					}
				case "stop":
					_, err = inst.svc.RecordAgencyClock(w.ctx, analystID, r.ID, bot.AgencyClockInput{
						Action: bot.AgencyClockStop, Stopped: st.from, Restarted: st.to, Reference: "BIS-note-1", Reason: "returned to the applicant"})
				case "extend":
					_, err = inst.svc.RecordAgencyClock(w.ctx, analystID, r.ID, bot.AgencyClockInput{
						Action: bot.AgencyClockExtend, NewDue: st.to, Reference: "DDTC-email-2026-12-02", Reason: "DDTC granted DoD more time"})
				}
				if err != nil {
					t.Fatalf("%s at %s: %v", st.do, st.at, err)
				}
				inst.drain()
			}
			got, err := inst.db.Referral(w.ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			army := inst.asks(r)["army"]
			if !got.DoDDueDate.Equal(tt.wantDoD) || !got.OfficeDueDate.Equal(tt.wantOffice) || !army.DueDate.Equal(tt.wantOffice) {
				t.Errorf("DoD due %s, offices due %s, army due %s; want DoD %s, offices and army %s",
					bot.FormatDate(got.DoDDueDate), bot.FormatDate(got.OfficeDueDate), bot.FormatDate(army.DueDate),
					bot.FormatDate(tt.wantDoD), bot.FormatDate(tt.wantOffice))
			}
		})
	}
}

// An agency clock action is recorded with its reference and reason, and the official
// record's event carries both; a reviewer cannot record one, nor anyone on a closed case.
func TestAgencyClockRecorded(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	r := inst.openOn("commerce", "2026-12-01", "army")
	w.clock.Set(nyTime(2026, 12, 10, 15, 0))
	stop := bot.AgencyClockInput{Action: bot.AgencyClockStop, Stopped: civil(2026, 12, 3), Restarted: civil(2026, 12, 10),
		Reference: "SNAP-R note 12/10", Reason: "BIS returned the application to the applicant"}
	_, err := inst.svc.RecordAgencyClock(w.ctx, reviewerOf("army"), r.ID, stop)
	wantCode(t, "reviewer records", err, bot.EFORBIDDEN)
	noRef := stop
	noRef.Reference = " "
	_, err = inst.svc.RecordAgencyClock(w.ctx, analystID, r.ID, noRef)
	wantCode(t, "no reference", err, bot.EINVALID)
	moved, err := inst.svc.RecordAgencyClock(w.ctx, analystID, r.ID, stop)
	if err != nil {
		t.Fatal(err)
	}
	if moved.CalendarDays != 7 || !moved.From.Equal(civil(2026, 12, 31)) || !moved.To.Equal(civil(2027, 1, 7)) {
		t.Errorf("moved = %+v; want 2026-12-31 → 2027-01-07, 7 days", moved)
	}
	e, detail := inst.lastEvent(r, "dod_due.moved")
	want := map[string]any{"agency": "commerce", "action": "stop", "reference": "SNAP-R note 12/10",
		"reason": "BIS returned the application to the applicant", "from": "2026-12-31", "to": "2027-01-07",
		"stopped": "2026-12-03", "restarted": "2026-12-10", "calendar_days": 7.0}
	for k, v := range want {
		if detail[k] != v {
			t.Errorf("event detail %s = %v; want %v", k, detail[k], v)
		}
	}
	if e.Actor != analystID {
		t.Errorf("event by %s; want the analyst", e.Actor)
	}
	// Now offices may be extended into the new time, up to the new DoD due date.
	if err := inst.svc.Extend(w.ctx, analystID, r.ID, bot.ExtendAll, civil(2027, 1, 4), "the agency gave us a week"); err != nil {
		t.Errorf("extend after the stop: %v", err)
	}
	if _, err := inst.svc.Recommend(w.ctx, analystID, r.ID, bot.RecommendationInput{Outcome: bot.OutcomeApprove}); err != nil {
		t.Fatal(err)
	}
	_, err = inst.svc.RecordAgencyClock(w.ctx, analystID, r.ID, bot.AgencyClockInput{Action: bot.AgencyClockExtend,
		NewDue: civil(2027, 2, 1), Reference: "x", Reason: "y"})
	wantCode(t, "after the final recommendation", err, bot.ECLOSED)
}

// What an agency action may say, checked before anything moves.
func TestAgencyClockNewDoDDue(t *testing.T) {
	due, received, today := civil(2026, 12, 31), civil(2026, 12, 1), civil(2026, 12, 10)
	for _, tt := range []struct {
		name string
		in   bot.AgencyClockInput
		want time.Time // zero: refused
	}{
		{"stop of 7 days", bot.AgencyClockInput{Action: bot.AgencyClockStop, Stopped: civil(2026, 12, 3), Restarted: civil(2026, 12, 10)}, civil(2027, 1, 7)},
		{"stop over a weekend counts calendar days", bot.AgencyClockInput{Action: bot.AgencyClockStop, Stopped: civil(2026, 12, 4), Restarted: civil(2026, 12, 7)}, civil(2027, 1, 3)},
		{"restart before the stop", bot.AgencyClockInput{Action: bot.AgencyClockStop, Stopped: civil(2026, 12, 5), Restarted: civil(2026, 12, 3)}, time.Time{}},
		{"restart the same day", bot.AgencyClockInput{Action: bot.AgencyClockStop, Stopped: civil(2026, 12, 5), Restarted: civil(2026, 12, 5)}, time.Time{}},
		{"restart in the future", bot.AgencyClockInput{Action: bot.AgencyClockStop, Stopped: civil(2026, 12, 5), Restarted: civil(2026, 12, 11)}, time.Time{}},
		{"stop before DoD received it", bot.AgencyClockInput{Action: bot.AgencyClockStop, Stopped: civil(2026, 11, 30), Restarted: civil(2026, 12, 3)}, time.Time{}},
		{"stop without dates", bot.AgencyClockInput{Action: bot.AgencyClockStop}, time.Time{}},
		{"extension", bot.AgencyClockInput{Action: bot.AgencyClockExtend, NewDue: civil(2027, 1, 15)}, civil(2027, 1, 15)},
		{"extension to the same day", bot.AgencyClockInput{Action: bot.AgencyClockExtend, NewDue: due}, time.Time{}},
		{"extension earlier", bot.AgencyClockInput{Action: bot.AgencyClockExtend, NewDue: civil(2026, 12, 20)}, time.Time{}},
		{"unknown action", bot.AgencyClockInput{Action: "pause", NewDue: civil(2027, 1, 15)}, time.Time{}},
	} {
		got, err := tt.in.NewDoDDue(due, received, today)
		switch {
		case tt.want.IsZero():
			wantCode(t, tt.name, err, bot.EINVALID)
		case err != nil || !got.Equal(tt.want):
			t.Errorf("%s: NewDoDDue = %s, %v; want %s", tt.name, bot.FormatDate(got), err, bot.FormatDate(tt.want))
		}
	}
}

// openOn opens a referral from agency, received on that day, with the default due
// dates, asking the offices, and runs the Slack work that creates its channel.
func (inst *instance) openOn(agency, received string, codes ...string) *bot.Referral {
	t := inst.w.t
	t.Helper()
	in := bot.ReferralInput{
		Agency: agency, CaseNumber: "Z200001", LicenseType: "BIS-748P", Applicant: "Acme Photonics Inc.",
		Commodity: "Uncooled thermal imaging cameras", Classification: "6A003.b.4", Destination: "DE",
		Value: "1250000", Received: received, Offices: codes,
	}
	if agency == "state" {
		in.CaseNumber, in.LicenseType, in.Classification = "050200001", "DSP-5", "XII(c)"
	}
	r, err := inst.svc.OpenReferral(inst.w.ctx, analystID, in, "open-"+in.CaseNumber)
	if err != nil {
		t.Fatalf("open referral %s: %v", in.CaseNumber, err)
	}
	inst.drain()
	return r
}
