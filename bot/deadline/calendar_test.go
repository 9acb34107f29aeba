package deadline

import (
	"sync"
	"testing"
	"time"
)

// Expected dates in these tables were worked out by hand from printed calendars, not from
// this package.

// day parses a YYYY-MM-DD date to midnight UTC, the project's date convention.
func day(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// instant parses an RFC 3339 instant.
func instant(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func fmtDate(t time.Time) string { return t.Format(time.DateOnly) + " " + t.Weekday().String()[:3] }

// federal holidays as observed in 2026 and 2027, with the name the calendar reports.
var observed = map[string]string{
	"2026-01-01": "New Year's Day",
	"2026-01-19": "Martin Luther King Jr. Day",
	"2026-02-16": "Washington's Birthday",
	"2026-05-25": "Memorial Day",
	"2026-06-19": "Juneteenth",
	"2026-07-03": "Independence Day", // July 4 is a Saturday
	"2026-09-07": "Labor Day",
	"2026-10-12": "Columbus Day",
	"2026-11-11": "Veterans Day",
	"2026-11-26": "Thanksgiving Day",
	"2026-12-25": "Christmas Day",
	"2027-01-01": "New Year's Day",
	"2027-01-18": "Martin Luther King Jr. Day",
	"2027-02-15": "Washington's Birthday",
	"2027-05-31": "Memorial Day",
	"2027-06-18": "Juneteenth",       // June 19 is a Saturday
	"2027-07-05": "Independence Day", // July 4 is a Sunday
	"2027-09-06": "Labor Day",
	"2027-10-11": "Columbus Day",
	"2027-11-11": "Veterans Day",
	"2027-11-25": "Thanksgiving Day",
	"2027-12-24": "Christmas Day",  // December 25 is a Saturday
	"2027-12-31": "New Year's Day", // 1 January 2028 is a Saturday
}

func TestHolidayEveryObservedDay(t *testing.T) {
	c := NewCalendar(nil)
	for s, want := range observed {
		got, ok := c.Holiday(day(t, s))
		if !ok || got != want {
			t.Errorf("Holiday(%s) = %q, %v; want %q, true", s, got, ok, want)
		}
		if c.IsBusinessDay(day(t, s)) {
			t.Errorf("IsBusinessDay(%s) = true; want false", s)
		}
	}
}

// TestHolidayNoOthers walks every day of 2026 and 2027: a weekday is a business day unless
// it is in the table, so no extra holiday (Inauguration Day, the day after Thanksgiving,
// Christmas Eve) sneaks in.
func TestHolidayNoOthers(t *testing.T) {
	c := NewCalendar(nil)
	for d := day(t, "2026-01-01"); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
		s := d.Format(time.DateOnly)
		_, isHoliday := observed[s]
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		if got, want := c.IsBusinessDay(d), !weekend && !isHoliday; got != want {
			t.Errorf("IsBusinessDay(%s) = %v; want %v", fmtDate(d), got, want)
		}
		if _, got := c.Holiday(d); got != isHoliday {
			t.Errorf("Holiday(%s) ok = %v; want %v", fmtDate(d), got, isHoliday)
		}
	}
}

func TestIsBusinessDay(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	c := NewCalendar(nil)
	tests := []struct {
		name string
		d    time.Time
		want bool
	}{
		{"Saturday", day(t, "2026-03-07"), false},
		{"Sunday", day(t, "2026-03-08"), false},
		{"Monday", day(t, "2026-03-09"), true},
		{"Friday after Thanksgiving", day(t, "2026-11-27"), true},
		{"Christmas Eve 2026", day(t, "2026-12-24"), true},
		{"July 4 2026 itself (Saturday)", day(t, "2026-07-04"), false},
		{"Inauguration Day 2033 (Thursday)", day(t, "2033-01-20"), true},
		{"Juneteenth before it was a holiday", day(t, "2020-06-19"), true},
		// A date is read from its own fields: midnight UTC is not moved into New York's evening before.
		{"midnight UTC Friday", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), true},
		{"late evening in New York", time.Date(2026, 11, 26, 23, 0, 0, 0, ny), false},
	}
	for _, tt := range tests {
		if got := c.IsBusinessDay(tt.d); got != tt.want {
			t.Errorf("%s: IsBusinessDay(%s) = %v; want %v", tt.name, tt.d, got, tt.want)
		}
	}
}

func TestHolidayActualWeekendDateNotReported(t *testing.T) {
	c := NewCalendar(nil)
	for _, s := range []string{"2026-07-04", "2027-06-19", "2027-07-04", "2027-12-25", "2028-01-01"} {
		if name, ok := c.Holiday(day(t, s)); ok {
			t.Errorf("Holiday(%s) = %q, true; want \"\", false", s, name)
		}
	}
}

func TestDate(t *testing.T) {
	c := NewCalendar(nil)
	tests := []struct {
		in   string
		want string
	}{
		{"2026-11-27T03:00:00Z", "2026-11-26"}, // 22:00 the evening before in New York
		{"2026-11-27T05:00:00Z", "2026-11-27"}, // midnight EST
		{"2026-07-04T03:59:00Z", "2026-07-03"}, // 23:59 EDT
		{"2026-07-04T04:00:00Z", "2026-07-04"},
		{"2027-01-01T04:30:00Z", "2026-12-31"},
	}
	for _, tt := range tests {
		got := c.Date(instant(t, tt.in))
		if want := day(t, tt.want); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Date(%s) = %s; want %s at 00:00 UTC", tt.in, got, tt.want)
		}
	}
	if got, want := NewCalendar(time.UTC).Date(instant(t, "2026-11-27T03:00:00Z")), day(t, "2026-11-27"); !got.Equal(want) {
		t.Errorf("UTC calendar: Date(2026-11-27T03:00Z) = %s; want %s", got, want)
	}
}

func TestAt(t *testing.T) {
	c := NewCalendar(nil)
	tests := []struct {
		d           string
		hour, min   int
		wantInstant string
	}{
		{"2026-03-07", 9, 0, "2026-03-07T14:00:00Z"}, // EST
		{"2026-03-08", 9, 0, "2026-03-08T13:00:00Z"}, // DST began at 02:00 that day
		{"2026-11-01", 9, 0, "2026-11-01T14:00:00Z"}, // DST ended at 02:00 that day
		{"2026-11-02", 9, 0, "2026-11-02T14:00:00Z"},
		{"2026-07-03", 9, 30, "2026-07-03T13:30:00Z"},
	}
	for _, tt := range tests {
		got := c.At(day(t, tt.d), tt.hour, tt.min)
		if want := instant(t, tt.wantInstant); !got.Equal(want) {
			t.Errorf("At(%s, %d, %d) = %s; want %s", tt.d, tt.hour, tt.min, got.UTC(), want)
		}
	}
}

func TestAddBusinessDays(t *testing.T) {
	c := NewCalendar(nil)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-06", 1, "2026-03-09"},  // Friday to Monday
		{"2026-03-09", -1, "2026-03-06"}, // and back
		{"2026-03-07", 1, "2026-03-09"},  // from Saturday
		{"2026-03-07", -1, "2026-03-06"},
		{"2026-03-07", 0, "2026-03-07"}, // zero keeps even a weekend
		{"2026-01-02", 10, "2026-01-16"},
		{"2026-01-02", 11, "2026-01-20"},  // over MLK Day
		{"2026-11-25", 1, "2026-11-27"},   // over Thanksgiving
		{"2026-11-25", 2, "2026-11-30"},   // and the weekend
		{"2026-11-24", 3, "2026-11-30"},   //
		{"2026-11-30", -2, "2026-11-25"},  // back over both
		{"2026-12-24", 1, "2026-12-28"},   // over Christmas 2026
		{"2026-12-24", 5, "2027-01-04"},   // and New Year's Day 2027
		{"2027-01-04", -1, "2026-12-31"},  //
		{"2027-01-04", -5, "2026-12-24"},  //
		{"2027-12-23", 1, "2027-12-27"},   // Christmas 2027 observed Friday the 24th
		{"2027-12-23", 5, "2028-01-03"},   // New Year's 2028 observed Friday 2027-12-31
		{"2026-07-06", -1, "2026-07-02"},  // Independence Day 2026 observed Friday the 3rd
		{"2027-07-02", 1, "2027-07-06"},   // Independence Day 2027 observed Monday the 5th
		{"2027-06-21", -1, "2027-06-17"},  // Juneteenth 2027 observed Friday the 18th
		{"2026-12-31", 249, "2027-12-30"}, // all 249 of 2027; the 31st is New Year 2028 observed
	}
	for _, tt := range tests {
		got := c.AddBusinessDays(day(t, tt.from), tt.n)
		if want := day(t, tt.want); !got.Equal(want) {
			t.Errorf("AddBusinessDays(%s, %d) = %s; want %s", tt.from, tt.n, fmtDate(got), fmtDate(want))
		}
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	c := NewCalendar(nil)
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-11-25", "2026-11-25", 0},
		{"2026-11-25", "2026-11-30", 2}, // Fri 27, Mon 30
		{"2026-11-30", "2026-11-25", -2},
		{"2026-11-28", "2026-11-29", 0}, // a weekend
		{"2026-11-27", "2026-11-28", 0},
		{"2026-12-24", "2027-01-04", 5},
		{"2026-01-01", "2026-12-31", 250}, // 261 weekdays less 11 holidays
		{"2026-12-31", "2027-12-31", 249}, // 261 weekdays less 12 observed holidays
	}
	for _, tt := range tests {
		if got := c.BusinessDaysBetween(day(t, tt.from), day(t, tt.to)); got != tt.want {
			t.Errorf("BusinessDaysBetween(%s, %s) = %d; want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestBusinessDayOnOrBefore(t *testing.T) {
	c := NewCalendar(nil)
	tests := []struct{ d, want string }{
		{"2026-11-25", "2026-11-25"},
		{"2026-11-26", "2026-11-25"}, // Thanksgiving
		{"2026-07-05", "2026-07-02"}, // Sunday, after an observed Friday holiday
		{"2027-01-02", "2026-12-31"},
	}
	for _, tt := range tests {
		got := c.BusinessDayOnOrBefore(day(t, tt.d))
		if want := day(t, tt.want); !got.Equal(want) {
			t.Errorf("BusinessDayOnOrBefore(%s) = %s; want %s", tt.d, fmtDate(got), fmtDate(want))
		}
	}
}

func TestCalendarConcurrentUse(t *testing.T) {
	c := NewCalendar(nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c.AddBusinessDays(day(t, "2026-01-01"), 300+i)
		})
	}
	wg.Wait()
}

func TestNewCalendarDefaultZone(t *testing.T) {
	if got := NewCalendar(nil).Location().String(); got != DefaultZone {
		t.Errorf("NewCalendar(nil).Location() = %s; want %s", got, DefaultZone)
	}
}

// businessDaysBetweenByDay is BusinessDaysBetween as its definition reads: one day
// at a time. The fast count must agree with it everywhere.
func businessDaysBetweenByDay(c *Calendar, from, to time.Time) int {
	a, b, sign := from, to, 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for t := a.AddDate(0, 0, 1); !t.After(b); t = t.AddDate(0, 0, 1) {
		if c.IsBusinessDay(t) {
			n++
		}
	}
	return sign * n
}

func TestBusinessDaysBetweenAgreesWithCountingDays(t *testing.T) {
	c := NewCalendar(time.UTC)
	base := time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)
	// Every pair of dates across two year ends, holidays and weekends included.
	for i := 0; i < 400; i += 3 {
		for j := 0; j < 400; j += 7 {
			from, to := base.AddDate(0, 0, i), base.AddDate(0, 0, j)
			if got, want := c.BusinessDaysBetween(from, to), businessDaysBetweenByDay(c, from, to); got != want {
				t.Fatalf("BusinessDaysBetween(%s, %s) = %d; want %d", from.Format(time.DateOnly), to.Format(time.DateOnly), got, want)
			}
		}
	}
}

// BenchmarkBusinessDaysBetweenFarFuture is the cost a far-future date used to have
// (seconds, one step a day): now a few microseconds a year.
func BenchmarkBusinessDaysBetweenFarFuture(b *testing.B) {
	c := NewCalendar(time.UTC)
	from, to := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), time.Date(2126, 12, 31, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		c.BusinessDaysBetween(from, to)
	}
}

// BenchmarkBusinessDaysBetweenByDayFarFuture is the baseline: the same span counted
// one day at a time, as BusinessDaysBetween used to.
func BenchmarkBusinessDaysBetweenByDayFarFuture(b *testing.B) {
	c := NewCalendar(time.UTC)
	from, to := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), time.Date(2126, 12, 31, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		businessDaysBetweenByDay(c, from, to)
	}
}
