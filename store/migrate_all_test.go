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
			path := filepath.Join(t.TempDir(), "referralbot.db")
			raw := openRaw(t, path)
			if _, err := migrations(t, raw).UpTo(ctx, v); err != nil {
				t.Fatalf("migrate up to %d: %v", v, err)
			}
			at := "2025-03-01T12:00:00.000000000Z"
			mustExec(t, raw, `INSERT INTO referrals (id, agency, case_number, state, created_at, updated_at)
				VALUES (1, 'commerce', 'Z123456', 'open', ?, ?)`, at, at)
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
