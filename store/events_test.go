package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
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
