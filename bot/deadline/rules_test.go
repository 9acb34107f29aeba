package deadline

import (
	"testing"
	"time"
)

func TestNewRulesFillsDefaults(t *testing.T) {
	r := NewRules(nil, Defaults{StateDays: 60})
	want := Defaults{CommerceDays: 30, StateDays: 60, OfficeLeadBusinessDays: 5, ReaskBusinessDays: 5}
	if r.Defaults != want {
		t.Errorf("NewRules(nil, {StateDays: 60}).Defaults = %+v; want %+v", r.Defaults, want)
	}
	if r.Calendar == nil || r.Location().String() != DefaultZone {
		t.Errorf("NewRules(nil, …) calendar = %v; want a %s calendar", r.Calendar, DefaultZone)
	}
}

func TestDoDDueDate(t *testing.T) {
	tests := []struct {
		name     string
		defaults Defaults
		agency   string
		received string
		want     string // "" for the zero time
	}{
		{"commerce +30", Defaults{}, AgencyCommerce, "2026-10-27", "2026-11-26"}, // Thanksgiving, kept
		{"commerce lands on Saturday", Defaults{}, AgencyCommerce, "2026-01-15", "2026-02-14"},
		{"state default +30", Defaults{}, AgencyState, "2026-01-15", "2026-02-14"},
		{"state configured +60", Defaults{StateDays: 60}, AgencyState, "2026-01-15", "2026-03-16"},
		{"over a year end", Defaults{}, AgencyCommerce, "2026-12-15", "2027-01-14"},
		{"unknown agency", Defaults{}, "treasury", "2026-01-15", ""},
	}
	for _, tt := range tests {
		r := NewRules(nil, tt.defaults)
		got := r.DoDDueDate(tt.agency, day(t, tt.received))
		var want time.Time
		if tt.want != "" {
			want = day(t, tt.want)
		}
		if !got.Equal(want) {
			t.Errorf("%s: DoDDueDate(%q, %s) = %s; want %s", tt.name, tt.agency, tt.received, got, want)
		}
	}
}

func TestDoDDueDateIgnoresClockAndZone(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	r := NewRules(nil, Defaults{})
	// A received date written in New York late at night is still that New York date.
	got := r.DoDDueDate(AgencyCommerce, time.Date(2026, 10, 27, 23, 30, 0, 0, ny))
	if want := day(t, "2026-11-26"); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("DoDDueDate(commerce, 2026-10-27 23:30 EDT) = %s; want %s at 00:00 UTC", got, want)
	}
}

func TestOfficeDueDate(t *testing.T) {
	tests := []struct {
		name   string
		lead   int
		dodDue string
		want   string
	}{
		{"plain week", 0, "2026-10-23", "2026-10-16"},
		{"Friday, over nothing", 0, "2026-12-04", "2026-11-27"},
		{"over Thanksgiving", 0, "2026-12-02", "2026-11-24"},
		{"DoD due on Thanksgiving rolls back to Wednesday first", 0, "2026-11-26", "2026-11-18"},
		{"DoD due Saturday is worked as Friday", 0, "2026-02-14", "2026-02-06"},
		{"the Friday itself", 0, "2026-02-13", "2026-02-06"},
		{"over Christmas and New Year", 0, "2027-01-04", "2026-12-24"},
		{"lead 3 over an observed Independence Day", 3, "2026-07-07", "2026-07-01"},
	}
	for _, tt := range tests {
		r := NewRules(nil, Defaults{OfficeLeadBusinessDays: tt.lead})
		got := r.OfficeDueDate(day(t, tt.dodDue))
		if want := day(t, tt.want); !got.Equal(want) {
			t.Errorf("%s: OfficeDueDate(%s) = %s; want %s", tt.name, tt.dodDue, fmtDate(got), fmtDate(want))
		}
	}
}

// TestCommerceEndToEnd follows one Commerce referral received on 2026-10-27.
func TestCommerceEndToEnd(t *testing.T) {
	r := NewRules(nil, Defaults{})
	dod := r.DoDDueDate(AgencyCommerce, day(t, "2026-10-27"))
	office := r.OfficeDueDate(dod)
	if got, want := fmtDate(dod), "2026-11-26 Thu"; got != want {
		t.Errorf("DoD due = %s; want %s", got, want)
	}
	if got, want := fmtDate(office), "2026-11-18 Wed"; got != want {
		t.Errorf("office due = %s; want %s", got, want)
	}
}

func TestShiftByBusinessDays(t *testing.T) {
	c := NewCalendar(nil)
	tests := []struct {
		name              string
		due               string
		heldFrom, resumed string
		want              string
	}{
		{"Wed to Mon over Thanksgiving", "2026-12-02", "2026-11-25T15:00:00Z", "2026-11-30T15:00:00Z", "2026-12-04"},
		{"same day", "2026-12-02", "2026-12-01T14:00:00Z", "2026-12-01T20:00:00Z", "2026-12-02"},
		{"Friday evening to Monday morning", "2026-12-02", "2026-11-27T22:00:00Z", "2026-11-30T13:00:00Z", "2026-12-03"},
		// 03:00Z on the 27th is still Thanksgiving in New York; the hold covers Friday only.
		{"dates taken in New York", "2026-12-02", "2026-11-27T03:00:00Z", "2026-11-27T16:00:00Z", "2026-12-03"},
		{"resumed before held", "2026-12-02", "2026-12-01T14:00:00Z", "2026-11-30T14:00:00Z", "2026-12-02"},
		{"over Christmas and New Year", "2027-01-06", "2026-12-23T15:00:00Z", "2027-01-04T15:00:00Z", "2027-01-14"},
	}
	for _, tt := range tests {
		got := c.ShiftByBusinessDays(day(t, tt.due), instant(t, tt.heldFrom), instant(t, tt.resumed))
		if want := day(t, tt.want); !got.Equal(want) {
			t.Errorf("%s: ShiftByBusinessDays(%s, %s, %s) = %s; want %s",
				tt.name, tt.due, tt.heldFrom, tt.resumed, fmtDate(got), fmtDate(want))
		}
	}
}
