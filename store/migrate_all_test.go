package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

// TestOpen_migratesFromEveryVersion writes a database at each earlier schema
// version, with a referral, an answered ask and an event in it, then opens it: the
// schema becomes current, the rows read back, and the event log's chain verifies.
func TestOpen_migratesFromEveryVersion(t *testing.T) {
	ctx := context.Background()
	versions := migrationVersions(t)
	for _, v := range versions[:len(versions)-1] {
		t.Run("from version "+itoa(v), func(t *testing.T) {
			path, raw := oldDatabase(t, v)
			at := oldAt
			mustExec(t, raw, `INSERT INTO asks (id, referral_id, office_code, due_date, state, created_at)
				VALUES (1, 1, 'army', '2025-03-26', 'answered', ?)`, at)
			mustExec(t, raw, `INSERT INTO positions (id, ask_id, referral_id, office_code, version, outcome, answered_by, answered_at)
				VALUES (1, 1, 1, 'army', 1, 'approve', 'UARMY1', ?)`, at)
			wantEvents := 0
			if v < chainVersion {
				// Before the chain, the bot wrote events as plain rows; Open hashes them.
				mustExec(t, raw, `INSERT INTO events (referral_id, actor, kind, detail, at)
					VALUES (1, 'UANALYST', 'referral.opened', '{}', ?)`, at)
				wantEvents = 1
			}
			raw.Close()

			db := mustOpenPath(t, path)
			asks, err := db.Asks(ctx, 1)
			if err != nil || len(asks) != 1 || asks[0].Current == nil || asks[0].Current.AnsweredBy != "UARMY1" {
				t.Fatalf("asks after migrating from %d: %v %v", v, asks, err)
			}
			events, err := db.Events(ctx, 1)
			if err != nil || len(events) != wantEvents {
				t.Fatalf("events after migrating from %d: %v %v", v, events, err)
			}
			// New writes work on the migrated file, and the whole log still verifies.
			mustUpdate(t, db, func(tx bot.Tx) error {
				return tx.AppendEvent(ctx, &bot.Event{ReferralID: 1, Actor: "UANALYST", Kind: "test", Detail: "{}"})
			})
			n, bad, err := db.VerifyEvents(ctx)
			if err != nil || bad != nil || n != wantEvents+1 {
				t.Errorf("VerifyEvents = %d, %v, %v; want %d intact", n, bad, err, wantEvents+1)
			}
		})
	}
}

// chainVersion is the migration that hash-chains the event log.
const chainVersion = 4

// migrationVersions lists the versions of the migration files, in order.
func migrationVersions(t *testing.T) []int64 {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) < 2 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	var out []int64
	for _, f := range files {
		var v int64
		if _, err := fmt.Sscanf(filepath.Base(f), "%05d_", &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	for _, m := range store.GoMigrations() {
		out = append(out, m.Version)
	}
	slices.Sort(out)
	return out
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestMigrationKeepsLostWork: the jobs that earlier code knew may have lost Slack
// work (taken over from a dead attempt, or last failed on something other than
// Slack's answer) still say so after migration 22, and the others do not.
func TestMigrationKeepsLostWork(t *testing.T) {
	ctx := context.Background()
	path, raw := oldDatabase(t, 21)
	at := oldAt
	for _, j := range []struct {
		id              int
		kind, lastError string
		reclaimed       int
	}{
		{1, "provision", "", 1},
		{2, "post_final", "database is locked", 0},
		{3, "update_summary", "slack: ratelimited", 0},
		{4, "refresh_home", "", 0},
	} {
		mustExec(t, raw, `INSERT INTO jobs (id, kind, referral_id, state, attempts, run_at, last_error, created_at, reclaimed)
			VALUES (?, ?, 1, 'pending', 1, ?, ?, ?, ?)`, j.id, j.kind, at, j.lastError, at, j.reclaimed)
	}
	raw.Close()

	db := mustOpenPath(t, path)
	jobs, err := db.ReferralJobs(ctx, 1)
	if err != nil || len(jobs) != 4 {
		t.Fatalf("jobs after migrating = %v, %v", jobs, err)
	}
	for i, want := range []bool{true, true, false, false} {
		if jobs[i].LostWork != want {
			t.Errorf("job %d (%s, %q): LostWork = %v; want %v", jobs[i].ID, jobs[i].Kind, jobs[i].LastError, jobs[i].LostWork, want)
		}
	}
}
