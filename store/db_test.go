package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

func TestOpen_migratesAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "referralbot.db")
	db := mustOpenPath(t, path)
	r := mustCreateReferral(t, db, "Z123456")
	if got, want := db.Path(), path; got != want {
		t.Errorf("Path() = %q; want %q", got, want)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Re-opening finds the schema current: nothing is re-applied and the data stays.
	db = mustOpenPath(t, path)
	if _, err := db.Referral(context.Background(), r.ID); err != nil {
		t.Fatalf("Referral after reopen: %v", err)
	}
	raw := openRaw(t, path)
	var versions []int64
	if err := rawSelect(raw, &versions, `SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	// Each migration file is applied exactly once.
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	var want []int64
	for _, f := range files {
		var v int64
		if _, err := fmt.Sscanf(filepath.Base(f), "%05d_", &v); err != nil {
			t.Fatalf("migration file %s: %v", f, err)
		}
		want = append(want, v)
	}
	for _, m := range store.GoMigrations() {
		want = append(want, m.Version)
	}
	slices.Sort(want)
	if got := fmt.Sprint(versions); got != fmt.Sprint(want) {
		t.Errorf("applied migrations = %s; want %v", got, want)
	}

	var mode string
	if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q; want wal", mode)
	}
}

func TestOpen_rejectsNonFilePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if db, err := store.Open(context.Background(), path, stopped); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded; want an error", path)
		}
	}
}

func TestUpdate_rollsBackOnError(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	boom := errors.New("boom")
	r := newReferral("Z123456")
	err := db.Update(ctx, func(tx bot.Tx) error {
		if err := tx.CreateReferral(ctx, r); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, &bot.Event{ReferralID: r.ID, Actor: "U1", Kind: "referral.opened"}); err != nil {
			return err
		}
		// The transaction reads its own writes.
		if _, err := tx.Referral(ctx, r.ID); err != nil {
			return fmt.Errorf("read inside tx: %w", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v; want %v", err, boom)
	}
	_, err = db.ReferralByCase(ctx, r.Agency, r.CaseNumber)
	wantCode(t, err, bot.ENOTFOUND)
	if n := countRows(t, db, "events"); n != 0 {
		t.Errorf("events after rollback = %d; want 0", n)
	}
}

func TestUpdate_rollsBackOnPanic(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v; want boom", p)
			}
		}()
		db.Update(ctx, func(tx bot.Tx) error {
			if err := tx.CreateReferral(ctx, newReferral("Z123456")); err != nil {
				t.Fatal(err)
			}
			panic("boom")
		})
	}()
	_, err := db.ReferralByCase(ctx, bot.AgencyCommerce, "Z123456")
	wantCode(t, err, bot.ENOTFOUND)
	// The writer connection was released: another Update goes through.
	mustCreateReferral(t, db, "Z654321")
}

func TestUpdate_concurrent(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Update(ctx, func(tx bot.Tx) error {
				r := newReferral(fmt.Sprintf("Z%06d", i))
				if err := tx.CreateReferral(ctx, r); err != nil {
					return err
				}
				// Read then write, the pattern that deadlocks under deferred transactions.
				if _, err := tx.Referral(ctx, r.ID); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, &bot.Event{ReferralID: r.ID, Actor: "U1", Kind: "referral.opened"})
			})
		}()
		// Readers run beside the writers.
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.PendingJobs(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	}
	if got := countRows(t, db, "referrals"); got != n {
		t.Errorf("referrals = %d; want %d", got, n)
	}
}

// openRaw opens the database file directly, around the store, for checks the
// store's API cannot express.
func openRaw(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", path+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

func rawSelect(raw *sql.DB, dest *[]int64, query string) error {
	rows, err := raw.Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return err
		}
		*dest = append(*dest, v)
	}
	return rows.Err()
}

func countRows(tb testing.TB, db *store.DB, table string) int {
	tb.Helper()
	var n int
	if err := openRaw(tb, db.Path()).QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestFilesAreOwnerOnly: the database, its WAL and shared-memory files and a backup
// hold controlled unclassified information, so only their owner may read them,
// whatever the process's umask.
func TestFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenPath(t, filepath.Join(dir, "referralbot.db"))
	mustCreateReferral(t, db, "Z123456") // a write, so the WAL and shm files exist
	backup := filepath.Join(dir, "copy.db")
	if err := db.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"referralbot.db", "referralbot.db-wal", "referralbot.db-shm", "copy.db"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v; want no access for group or others", name, perm)
		}
	}
}
