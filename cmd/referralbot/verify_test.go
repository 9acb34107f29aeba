package main

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/store"
)

// verifyDatabase makes a database with one referral and n events, closed, and
// returns its path.
func verifyDatabase(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "referralbot.db")
	db, err := store.Open(ctx, path, clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx bot.Tx) error {
		r := &bot.Referral{Agency: bot.AgencyCommerce, CaseNumber: "Z123456"}
		if err := tx.CreateReferral(ctx, r); err != nil {
			return err
		}
		for i := range n {
			if err := tx.AppendEvent(ctx, &bot.Event{ReferralID: r.ID, Actor: "U1", Kind: "position.recorded",
				Detail: `{"version":` + string(rune('1'+i)) + `}`}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path
}

// tamper changes the database as someone with the file (and sqlite3) could.
func tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range append([]string{`DROP TRIGGER events_no_update`, `DROP TRIGGER events_no_delete`}, stmts...) {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestVerifyCmd(t *testing.T) {
	env := environ{}
	run := func(args ...string) (string, error) {
		out, _, err := runCmd(clock.Stopped(start), env, append([]string{"verify"}, args...)...)
		return out, err
	}

	env["DATABASE_PATH"] = verifyDatabase(t, 4)
	out, err := run()
	if err != nil || !strings.HasPrefix(out, "4 events, chain intact\n") || !strings.Contains(out, "event #4 is the newest checked; its hash is ") {
		t.Errorf("verify = %q, %v; want 4 events, chain intact", out, err)
	}
	if _, err := run("extra"); !errors.Is(err, errUsage) {
		t.Errorf("verify extra: %v; want a usage error", err)
	}

	tests := []struct {
		name   string
		tamper string
		want   string
	}{
		{"edited", `UPDATE events SET actor = 'U2' WHERE id = 2`,
			"event chain broken at event #2 (referral 1, position.recorded at "},
		{"deleted", `DELETE FROM events WHERE id = 3`,
			"event chain broken at event #4 (referral 1, position.recorded at "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := verifyDatabase(t, 4)
			tamper(t, path, tt.tamper)
			env := environ{"DATABASE_PATH": path}
			run := func() (string, error) {
				out, _, err := runCmd(clock.Stopped(start), env, "verify")
				return out, err
			}
			out, err := run()
			// Not a usage error: main exits with 1.
			if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) || out != "" {
				t.Errorf("verify after the log was %s = %q, %v; want an error starting %q", tt.name, out, err, tt.want)
			}
		})
	}
	t.Run("message", func(t *testing.T) {
		path := verifyDatabase(t, 4)
		tamper(t, path, `DELETE FROM events WHERE id = 3`)
		_, _, err := runCmd(clock.Stopped(start), environ{"DATABASE_PATH": path}, "verify")
		if want := "event #3 before it is missing: it was removed (the 2 events before it are intact)"; err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("verify error = %v; want it to end %q", err, want)
		}
	})
}
