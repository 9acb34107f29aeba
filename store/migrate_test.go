package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

// TestOpen_migratesFromVersion1 opens a database that version 1 of the schema wrote,
// with a referral and an awaiting ask in it, and checks that Open brings it to the
// current schema with the old rows reading back unheld, never re-dated, not snoozed.
func TestOpen_migratesFromVersion1(t *testing.T) {
	ctx := context.Background()
	path, raw := oldDatabase(t, 1)
	created := oldAt
	mustExec(t, raw, `INSERT INTO asks (id, referral_id, office_code, due_date, state, created_at)
		VALUES (1, 1, 'army', '2025-03-26', 'awaiting', ?)`, created)
	raw.Close()

	db := mustOpenPath(t, path)
	r, err := db.Referral(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	createdAt := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	wantReferral := &bot.Referral{ID: 1, Agency: bot.AgencyCommerce, CaseNumber: "Z123456",
		State: bot.ReferralOpen, Round: 1, CreatedAt: createdAt, UpdatedAt: createdAt}
	if !reflect.DeepEqual(r, wantReferral) {
		t.Errorf("Referral:\ngot  %+v\nwant %+v", r, wantReferral)
	}
	wantAsks := []*bot.Ask{{ID: 1, ReferralID: 1, OfficeCode: "army", DueDate: date("2025-03-26"),
		State: bot.AskAwaiting, CreatedAt: createdAt}}
	for name, asks := range map[string]func() ([]*bot.Ask, error){
		"Asks":         func() ([]*bot.Ask, error) { return db.Asks(ctx, 1) },
		"AwaitingAsks": func() ([]*bot.Ask, error) { return db.AwaitingAsks(ctx) },
	} {
		got, err := asks()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, wantAsks) {
			t.Errorf("%s:\ngot  %s\nwant %s", name, dump(got), dump(wantAsks))
		}
	}
	if got, err := db.Reminders(ctx, 1); err != nil || len(got) != 0 {
		t.Errorf("Reminders = %v, %v; want none", got, err)
	}
}

// TestMigrations_downAndUp checks that the newest migration rolls back without
// losing the rows it did not add, and applies again.
func TestMigrations_downAndUp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "referralbot.db")
	db := mustOpenPath(t, path)
	r := newReferral("Z123456")
	r.HeldSince = t0
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateReferral(ctx, r) })
	a := mustCreateAsk(t, db, r.ID, "army")
	mustRecordReminder(t, db, &bot.Reminder{ID: "x", ReferralID: r.ID, AskID: a.ID, OfficeCode: "army", DueAt: t0})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw := openRaw(t, path)
	if _, err := migrations(t, raw).DownTo(ctx, 1); err != nil {
		t.Fatalf("migrate down to 1: %v", err)
	}
	raw.Close()

	db = mustOpenPath(t, path)
	got, err := db.Referral(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.HeldSince = time.Time{} // the column went down and came back empty
	if !reflect.DeepEqual(got, r) {
		t.Errorf("after down and up:\ngot  %+v\nwant %+v", got, r)
	}
	if n := countRows(t, db, "reminders"); n != 0 {
		t.Errorf("reminders after down and up = %d; want 0", n)
	}
}

// oldAt is when the rows written into an old-schema database were made.
const oldAt = "2025-03-01T12:00:00.000000000Z"

// oldDatabase makes a database file at schema version v holding referral 1
// (Commerce Z123456, open), and returns the file's path and a raw connection to it.
func oldDatabase(tb testing.TB, v int64) (string, *sql.DB) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "referralbot.db")
	raw := openRaw(tb, path)
	if _, err := migrations(tb, raw).UpTo(context.Background(), v); err != nil {
		tb.Fatalf("migrate up to %d: %v", v, err)
	}
	mustExec(tb, raw, `INSERT INTO referrals (id, agency, case_number, state, created_at, updated_at)
		VALUES (1, 'commerce', 'Z123456', 'open', ?, ?)`, oldAt, oldAt)
	return path, raw
}

// migrations is a goose provider over the store's migration files, for stepping
// a database to a version of the schema other than the newest.
func migrations(tb testing.TB, raw *sql.DB) *goose.Provider {
	tb.Helper()
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"),
		goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(store.GoMigrations()...))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func mustExec(tb testing.TB, raw *sql.DB, query string, args ...any) {
	tb.Helper()
	if _, err := raw.Exec(query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
