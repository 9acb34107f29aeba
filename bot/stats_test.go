package bot_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/goldenfile"
	"github.com/referralbot/referralbot/store"
)

// statsDataset stores five Commerce referrals whose asks were timed by hand
// (New York time; EDT until 2026-11-01, EST after). Business days exclude Columbus
// Day (Mon 10-12) and Thanksgiving (Thu 11-26).
//
//	R5 received 09-15, RWA recommended; no asks
//	R1 received 10-01, approve recommended 10-20
//	   army   asked Thu 10-01, answered Fri 10-02        1 day, due 10-09: on time
//	   navy   asked 10-01, never answered, due 10-09, closed 10-20: late
//	   policy asked 10-01, answered Tue 10-13            7 days (holiday 10-12), due 10-09: late
//	R2 received 11-02, approve with provisos recommended Thu 11-05
//	   army   asked Mon 11-02, answered Mon 11-09        5 days, due 11-06: late
//	   navy   asked 11-02, answered Wed 11-04 (v2 11-10) 2 days (first answer counts), due 11-06: on time
//	   policy asked 11-02, never answered, due 11-06, closed 11-05: not settled
//	R3 received 11-16, open
//	   army   asked Mon 11-16, answered Mon 11-30        9 days (Thanksgiving), due 11-30: on time
//	   navy   asked 11-16, never answered, due 12-04, today 12-01: not settled
//	   space_force (no longer on the roster) asked 11-16, answered Tue 11-17: 1 day, due 11-30: on time
//	R4 received 11-20, open
//	   army   asked Fri 11-20, answered Mon 11-23 21:00 (Tue 02:00 UTC)  1 day, due 11-23: on time
//	          (in UTC it would be 2 days, and late)
func statsDataset(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "stats.db"), clock.Stopped(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, ny) }
	date := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	type ask struct {
		office  string
		due     time.Time
		answers []time.Time
	}
	add := func(caseNumber string, received time.Time, rec bot.Outcome, recAt time.Time, asks ...ask) {
		t.Helper()
		err := db.Update(ctx, func(tx bot.Tx) error {
			r := &bot.Referral{Agency: bot.AgencyCommerce, CaseNumber: caseNumber, ReceivedOn: received}
			if err := tx.CreateReferral(ctx, r); err != nil {
				return err
			}
			asked := time.Date(received.Year(), received.Month(), received.Day(), 10, 0, 0, 0, ny)
			for _, a := range asks {
				ak := &bot.Ask{ReferralID: r.ID, OfficeCode: a.office, DueDate: a.due, CreatedAt: asked}
				if err := tx.CreateAsk(ctx, ak); err != nil {
					return err
				}
				for _, when := range a.answers {
					if err := tx.CreatePosition(ctx, &bot.Position{AskID: ak.ID, Outcome: bot.OutcomeApprove, AnsweredBy: "U1", AnsweredAt: when}); err != nil {
						return err
					}
				}
			}
			if rec == "" {
				return nil
			}
			return tx.CreateRecommendation(ctx, &bot.Recommendation{ReferralID: r.ID, Outcome: rec, RecordedBy: "UANALYST", RecordedAt: recAt})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add("Z000005", date(9, 15), bot.OutcomeRWA, at(9, 30, 10, 0))
	add("Z000001", date(10, 1), bot.OutcomeApprove, at(10, 20, 10, 0),
		ask{"army", date(10, 9), []time.Time{at(10, 2, 15, 0)}},
		ask{"navy", date(10, 9), nil},
		ask{"policy", date(10, 9), []time.Time{at(10, 13, 9, 0)}})
	add("Z000002", date(11, 2), bot.OutcomeApproveWithProvisos, at(11, 5, 10, 0),
		ask{"army", date(11, 6), []time.Time{at(11, 9, 16, 0)}},
		ask{"navy", date(11, 6), []time.Time{at(11, 4, 11, 0), at(11, 10, 11, 0)}},
		ask{"policy", date(11, 6), nil})
	add("Z000003", date(11, 16), "", time.Time{},
		ask{"army", date(11, 30), []time.Time{at(11, 30, 17, 0)}},
		ask{"navy", date(12, 4), nil},
		ask{"space_force", date(11, 30), []time.Time{at(11, 17, 8, 0)}})
	add("Z000004", date(11, 20), "", time.Time{},
		ask{"army", date(11, 23), []time.Time{at(11, 23, 21, 0)}})
	return db
}

func TestComputeStats(t *testing.T) {
	db := statsDataset(t)
	cal := deadline.NewCalendar(ny)
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	roster := &bot.Roster{Offices: bot.DefaultOffices()}
	tests := []struct {
		name      string
		since     time.Time
		referrals int
		open      int
		outcomes  map[bot.Outcome]int
		offices   []bot.OfficeStats
		shares    []float64 // on-time share per office; NaN when unsettled
	}{
		{
			name:      "all referrals",
			referrals: 5, open: 2,
			outcomes: map[bot.Outcome]int{bot.OutcomeRWA: 1, bot.OutcomeApprove: 1, bot.OutcomeApproveWithProvisos: 1},
			offices: []bot.OfficeStats{
				// army days 1, 5, 9, 1 → sorted 1 1 5 9: median (1+5)/2, p90 rank ceil(3.6) = 4th
				{Office: "army", Name: "Army", Asks: 4, Answered: 4, MedianDays: 3, P90Days: 9, OnTime: 3, Late: 1},
				{Office: "navy", Name: "Navy", Asks: 3, Answered: 1, MedianDays: 2, P90Days: 2, OnTime: 1, Late: 1},
				{Office: "policy", Name: "Policy", Asks: 2, Answered: 1, MedianDays: 7, P90Days: 7, OnTime: 0, Late: 1},
				{Office: "space_force", Name: "space_force", Asks: 1, Answered: 1, MedianDays: 1, P90Days: 1, OnTime: 1, Late: 0},
			},
			shares: []float64{0.75, 0.5, 0, 1},
		},
		{
			name:      "since 2026-11-01",
			since:     time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			referrals: 3, open: 2,
			outcomes: map[bot.Outcome]int{bot.OutcomeApproveWithProvisos: 1},
			offices: []bot.OfficeStats{
				// army days 5, 9, 1 → sorted 1 5 9: median 5, p90 rank ceil(2.7) = 3rd
				{Office: "army", Name: "Army", Asks: 3, Answered: 3, MedianDays: 5, P90Days: 9, OnTime: 2, Late: 1},
				{Office: "navy", Name: "Navy", Asks: 2, Answered: 1, MedianDays: 2, P90Days: 2, OnTime: 1, Late: 0},
				{Office: "policy", Name: "Policy", Asks: 1, Answered: 0, MedianDays: 0, P90Days: 0, OnTime: 0, Late: 0},
				{Office: "space_force", Name: "space_force", Asks: 1, Answered: 1, MedianDays: 1, P90Days: 1, OnTime: 1, Late: 0},
			},
			shares: []float64{2.0 / 3, 1, math.NaN(), 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := bot.ComputeStats(context.Background(), db, cal, roster, tt.since, today)
			if err != nil {
				t.Fatal(err)
			}
			if st.Referrals != tt.referrals || st.Open != tt.open {
				t.Errorf("referrals, open = %d, %d; want %d, %d", st.Referrals, st.Open, tt.referrals, tt.open)
			}
			for _, o := range bot.Outcomes {
				if st.Outcomes[o] != tt.outcomes[o] {
					t.Errorf("%s recommendations = %d; want %d", o, st.Outcomes[o], tt.outcomes[o])
				}
			}
			if len(st.Offices) != len(tt.offices) {
				t.Fatalf("offices = %+v; want %+v", st.Offices, tt.offices)
			}
			for i, want := range tt.offices {
				if got := st.Offices[i]; got != want {
					t.Errorf("office %d:\ngot  %+v\nwant %+v", i, got, want)
				}
				share, ok := st.Offices[i].OnTimeShare()
				if wantOK := !math.IsNaN(tt.shares[i]); ok != wantOK || (ok && math.Abs(share-tt.shares[i]) > 1e-9) {
					t.Errorf("%s on-time share = %v, %v; want %v", want.Office, share, ok, tt.shares[i])
				}
			}
		})
	}

	st, err := bot.ComputeStats(context.Background(), db, cal, roster, time.Time{}, today)
	if err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, filepath.Join("testdata", "stats_text.golden.txt"), []byte(st.Text()), *update)
}
