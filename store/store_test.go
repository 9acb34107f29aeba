package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/store"
)

// t0 is the tests' clock: DB.Now always returns it, with nanoseconds to prove
// they survive the round trip.
var t0 = time.Date(2025, 3, 4, 9, 30, 0, 123456789, time.UTC)

// stopped is a clock stopped at t0.
var stopped = clock.Stopped(t0)

// MustOpenDB opens a fresh database file in tb's temporary directory, with its
// clock stopped at t0, and closes it when the test ends.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, _ := mustOpenClocked(tb, filepath.Join(tb.TempDir(), "referralbot.db"))
	return db
}

func mustOpenPath(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, _ := mustOpenClocked(tb, path)
	return db
}

// mustOpenClocked opens the database at path with its own clock, stopped at t0,
// which the test may move.
func mustOpenClocked(tb testing.TB, path string) (*store.DB, *clock.Manual) {
	tb.Helper()
	clk := clock.NewManual(t0)
	db, err := store.Open(context.Background(), path, clk.Now)
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db, clk
}

// mustUpdate runs fn in a write transaction and fails the test on error.
func mustUpdate(tb testing.TB, db *store.DB, fn func(tx bot.Tx) error) {
	tb.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		tb.Fatalf("Update: %v", err)
	}
}

// newReferral returns a referral with every field set, differing by case number.
func newReferral(caseNumber string) *bot.Referral {
	return &bot.Referral{
		Agency:         bot.AgencyCommerce,
		CaseNumber:     caseNumber,
		LicenseType:    "BIS-748P",
		Applicant:      "Acme Optics Inc.",
		Commodity:      "Thermal imaging cameras",
		Classification: "6A003",
		Destination:    "DE",
		EndUser:        "Bundeswehr; consignee Optik GmbH",
		ValueUSD:       1250000,
		ReceivedOn:     date("2025-03-03"),
		DoDDueDate:     date("2025-04-02"),
		OfficeDueDate:  date("2025-03-26"),
		AnalystID:      "U0ANALYST",
		State:          bot.ReferralOpen,
		OpenKey:        "key-" + caseNumber,
	}
}

// mustCreateReferral stores newReferral(caseNumber) and returns it.
func mustCreateReferral(tb testing.TB, db *store.DB, caseNumber string) *bot.Referral {
	tb.Helper()
	r := newReferral(caseNumber)
	mustUpdate(tb, db, func(tx bot.Tx) error { return tx.CreateReferral(context.Background(), r) })
	return r
}

// mustCreateAsk asks office about referralID and returns the ask.
func mustCreateAsk(tb testing.TB, db *store.DB, referralID int64, office string) *bot.Ask {
	tb.Helper()
	a := &bot.Ask{ReferralID: referralID, OfficeCode: office, DueDate: date("2025-03-26")}
	mustUpdate(tb, db, func(tx bot.Tx) error { return tx.CreateAsk(context.Background(), a) })
	return a
}

func date(s string) time.Time {
	t, err := bot.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantCode fails the test unless err is a *bot.Error with the given code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	var e *bot.Error
	if !errors.As(err, &e) || e.Code != code {
		tb.Fatalf("got error %v; want code %q", err, code)
	}
}

// dump renders v for a failure message, following pointers.
func dump(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}
