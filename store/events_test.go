package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

func TestEvents_appendAndRead(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	other := mustCreateReferral(t, db, "Z654321")

	want := []*bot.Event{
		{ReferralID: r.ID, Actor: "U0ANALYST", Kind: "referral.opened", Detail: `{"offices":["army","navy"]}`, At: t0.Add(-1)},
		{ReferralID: r.ID, Actor: bot.ActorBot, Kind: "channel.created"}, // At defaults to now, Detail may be empty
		{ReferralID: r.ID, Actor: "U1", Kind: "position.recorded", Detail: `{"office":"army","version":1}`},
	}
	mustUpdate(t, db, func(tx bot.Tx) error {
		for i, e := range want {
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			if i == 1 { // interleave another referral's event
				if err := tx.AppendEvent(ctx, &bot.Event{ReferralID: other.ID, Actor: "U2", Kind: "referral.opened"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if !want[1].At.Equal(t0) {
		t.Errorf("default At = %v; want %v", want[1].At, t0)
	}

	got, err := db.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Events:\ngot  %s\nwant %s", dump(got), dump(want))
	}

	err = db.Update(ctx, func(tx bot.Tx) error {
		return tx.AppendEvent(ctx, &bot.Event{ReferralID: 999, Actor: "U1", Kind: "x"})
	})
	wantCode(t, err, bot.ENOTFOUND)
	err = db.Update(ctx, func(tx bot.Tx) error {
		return tx.AppendEvent(ctx, &bot.Event{ReferralID: r.ID, Actor: "U1", Kind: "x", Detail: "{not json"})
	})
	if err == nil {
		t.Error("AppendEvent with invalid JSON detail succeeded")
	}
}

func TestEvents_appendOnly(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	mustUpdate(t, db, func(tx bot.Tx) error {
		return tx.AppendEvent(ctx, &bot.Event{ReferralID: r.ID, Actor: "U1", Kind: "referral.opened"})
	})

	raw := openRaw(t, db.Path())
	for _, stmt := range []string{
		`UPDATE events SET actor = 'U2'`,
		`DELETE FROM events`,
	} {
		_, err := raw.Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got error %v; want append-only", stmt, err)
		}
	}
	if n := countRows(t, db, "events"); n != 1 {
		t.Errorf("events = %d; want 1", n)
	}
}

// chainHash recomputes an event's hash from the encoding documented on the store's
// link.hash, independently of the store's code: what an auditor would write.
func chainHash(id, referralID int64, actor, kind, detail, at, prev string) string {
	return netstringHash("referralbot-event-v1", strconv.FormatInt(id, 10), strconv.FormatInt(referralID, 10), actor, kind, detail, at, prev)
}

// chainHashV2 is the documented v2 encoding (bot/chain.go), written out again
// here: v1's fields with actor_name after actor, and referral_prev_hash last.
func chainHashV2(id, referralID int64, actor, actorName, kind, detail, at, prev, refPrev string) string {
	return netstringHash("referralbot-event-v2", strconv.FormatInt(id, 10), strconv.FormatInt(referralID, 10), actor, actorName, kind, detail, at, prev, refPrev)
}

func netstringHash(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s,", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mustAppendEvents appends n events, alternating between two referrals, and
// returns the database and the raw connection a tamperer would use.
func mustAppendEvents(t *testing.T, n int) (*store.DB, *sql.DB) {
	t.Helper()
	db := MustOpenDB(t)
	ctx := context.Background()
	refs := []*bot.Referral{mustCreateReferral(t, db, "Z123456"), mustCreateReferral(t, db, "Z654321")}
	mustUpdate(t, db, func(tx bot.Tx) error {
		for i := range n {
			e := &bot.Event{ReferralID: refs[i%2].ID, Actor: "U1", ActorName: "Jane Doe", Kind: "position.recorded",
				Detail: fmt.Sprintf(`{"office":"army","version":%d}`, i+1), At: t0.Add(time.Duration(i) * time.Minute)}
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			if e.ID != int64(i+1) {
				return fmt.Errorf("event %d got id %d", i+1, e.ID)
			}
		}
		return nil
	})
	return db, openRaw(t, db.Path())
}

func TestVerifyEvents_intact(t *testing.T) {
	db, raw := mustAppendEvents(t, 5)
	checked, bad, err := db.VerifyEvents(context.Background())
	if err != nil || bad != nil || checked != 5 {
		t.Fatalf("VerifyEvents = %d, %v, %v; want 5, nil, nil", checked, bad, err)
	}

	// Every hash is the documented encoding over the stored columns, the previous
	// hash and the referral's previous hash (the events alternate between two referrals).
	rows, err := raw.Query(`SELECT id, referral_id, actor, actor_name, kind, detail, at, prev_hash, referral_prev_hash, hash FROM events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	prev, refPrev := "", map[int64]string{}
	for rows.Next() {
		var id, ref int64
		var actor, actorName, kind, detail, at, prevHash, refPrevHash, hash string
		if err := rows.Scan(&id, &ref, &actor, &actorName, &kind, &detail, &at, &prevHash, &refPrevHash, &hash); err != nil {
			t.Fatal(err)
		}
		if prevHash != prev || refPrevHash != refPrev[ref] {
			t.Errorf("event %d prev_hash, referral_prev_hash = %q, %q; want %q, %q", id, prevHash, refPrevHash, prev, refPrev[ref])
		}
		if want := chainHashV2(id, ref, actor, actorName, kind, detail, at, prev, refPrev[ref]); hash != want || actorName != "Jane Doe" {
			t.Errorf("event %d hash = %q (actor name %q); want %q (Jane Doe)", id, hash, actorName, want)
		}
		prev, refPrev[ref] = hash, hash
	}
	if id, head, err := db.LastEventHash(context.Background()); err != nil || id != 5 || head != prev {
		t.Errorf("LastEventHash = %d, %q, %v; want 5, %q", id, head, err, prev)
	}

	// The chain itself is append-only too.
	_, err = raw.Exec(`UPDATE events SET hash = 'x' WHERE id = 2`)
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("rewriting a hash: got error %v; want append-only", err)
	}
}

// TestVerifyEvents_tampered plays a tamperer with access to the file, who drops the
// append-only triggers and changes the log.
func TestVerifyEvents_tampered(t *testing.T) {
	tests := []struct {
		name        string
		tamper      []string
		wantID      int64
		wantProblem string
		wantChecked int
	}{
		{
			name:        "an event edited",
			tamper:      []string{`UPDATE events SET detail = '{"office":"navy","version":3}' WHERE id = 3`},
			wantID:      3,
			wantProblem: "altered after it was written",
			wantChecked: 2,
		},
		{
			name:        "an event's actor edited",
			tamper:      []string{`UPDATE events SET actor = 'U2' WHERE id = 1`},
			wantID:      1,
			wantProblem: "altered after it was written",
			wantChecked: 0,
		},
		{
			name:        "an event deleted",
			tamper:      []string{`DELETE FROM events WHERE id = 3`},
			wantID:      4,
			wantProblem: "event #3 before it is missing",
			wantChecked: 2,
		},
		{
			name:        "two events deleted and the ids closed up",
			tamper:      []string{`DELETE FROM events WHERE id IN (2, 3)`, `UPDATE events SET id = id - 2 WHERE id > 3`},
			wantID:      2,
			wantProblem: "does not match that event: #1 was altered",
			wantChecked: 1,
		},
		{
			name:        "the first event deleted",
			tamper:      []string{`DELETE FROM events WHERE id = 1`},
			wantID:      2,
			wantProblem: "event #1 before it is missing",
			wantChecked: 0,
		},
		{
			name:        "an event slipped in by hand",
			tamper:      []string{`INSERT INTO events (id, referral_id, actor, kind, at) VALUES (6, 1, 'U9', 'position.recorded', '2025-03-04T10:00:00.000000000Z')`},
			wantID:      6,
			wantProblem: "no hash",
			wantChecked: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, raw := mustAppendEvents(t, 5)
			mustExec(t, raw, `DROP TRIGGER events_no_update`)
			mustExec(t, raw, `DROP TRIGGER events_no_delete`)
			for _, stmt := range tt.tamper {
				mustExec(t, raw, stmt)
			}
			checked, bad, err := db.VerifyEvents(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if bad == nil {
				t.Fatalf("VerifyEvents found the chain intact (%d events)", checked)
			}
			if bad.ID != tt.wantID || !strings.Contains(bad.Problem, tt.wantProblem) || checked != tt.wantChecked {
				t.Errorf("VerifyEvents = %d, %s; want %d intact, then event #%d: …%s…", checked, bad, tt.wantChecked, tt.wantID, tt.wantProblem)
			}
		})
	}
}

// TestVerifyEvents_editedAndRehashed: a tamperer who knows the encoding edits an
// event and recomputes its hash; the next event's link gives it away.
func TestVerifyEvents_editedAndRehashed(t *testing.T) {
	db, raw := mustAppendEvents(t, 4)
	mustExec(t, raw, `DROP TRIGGER events_no_update`)
	var ref int64
	var actor, actorName, kind, at, prev, refPrev string
	if err := raw.QueryRow(`SELECT referral_id, actor, actor_name, kind, at, prev_hash, referral_prev_hash FROM events WHERE id = 2`).
		Scan(&ref, &actor, &actorName, &kind, &at, &prev, &refPrev); err != nil {
		t.Fatal(err)
	}
	detail := `{"office":"army","version":9}`
	mustExec(t, raw, `UPDATE events SET detail = ?, hash = ? WHERE id = 2`, detail, chainHashV2(2, ref, actor, actorName, kind, detail, at, prev, refPrev))
	checked, bad, err := db.VerifyEvents(context.Background())
	if err != nil || bad == nil || bad.ID != 3 || !strings.Contains(bad.Problem, "#2 was altered") || checked != 2 {
		t.Errorf("VerifyEvents = %d, %v, %v; want 2 intact, then event #3 naming #2 as altered", checked, bad, err)
	}
}

// TestOpen_sealsPreChainEvents: events written by schema version 3 get their hashes
// when Open migrates, in id order, and new events continue the chain. A row added
// by hand after that is never sealed by a later Open.
func TestOpen_sealsPreChainEvents(t *testing.T) {
	ctx := context.Background()
	path, raw := oldDatabase(t, 3)
	created := oldAt
	for i := range 3 {
		mustExec(t, raw, `INSERT INTO events (referral_id, actor, kind, detail, at) VALUES (1, 'U1', 'x', ?, ?)`,
			fmt.Sprintf(`{"n":%d}`, i), created)
	}
	raw.Close()

	db := mustOpenPath(t, path)
	if checked, bad, err := db.VerifyEvents(ctx); err != nil || bad != nil || checked != 3 {
		t.Fatalf("after migration: VerifyEvents = %d, %v, %v; want 3 intact", checked, bad, err)
	}
	mustUpdate(t, db, func(tx bot.Tx) error {
		return tx.AppendEvent(ctx, &bot.Event{ReferralID: 1, Actor: "U1", Kind: "y"})
	})
	if checked, bad, err := db.VerifyEvents(ctx); err != nil || bad != nil || checked != 4 {
		t.Fatalf("after append: VerifyEvents = %d, %v, %v; want 4 intact", checked, bad, err)
	}
	raw = openRaw(t, path)
	mustExec(t, raw, `INSERT INTO events (referral_id, actor, kind, at) VALUES (1, 'U9', 'z', ?)`, created)
	if _, err := raw.Exec(`UPDATE events SET prev_hash = '', hash = 'x' WHERE id = 5`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("sealing a hand-made row: got error %v; want append-only", err)
	}
	db.Close()

	db = mustOpenPath(t, path)
	if checked, bad, err := db.VerifyEvents(ctx); err != nil || bad == nil || bad.ID != 5 || checked != 4 {
		t.Errorf("after a hand-made row and reopening: VerifyEvents = %d, %v, %v; want 4 intact, then #5 unhashed", checked, bad, err)
	}
}
