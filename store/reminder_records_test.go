package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

func TestRecordReminder_once(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	a := mustCreateAsk(t, db, r.ID, "army")

	first := &bot.Reminder{ID: "1:2025-03-26:2", ReferralID: r.ID, AskID: a.ID, OfficeCode: "army",
		Seq: 2, Kind: "due", DaysLeft: 0, DueAt: t0.Add(-3 * time.Hour), Late: true, Escalated: true,
		Skipped: "snoozed", PostedChannel: true}
	if !mustRecordReminder(t, db, first) {
		t.Fatal("first RecordReminder = false; want true")
	}
	if !first.RecordedAt.Equal(t0) {
		t.Errorf("default RecordedAt = %v; want %v", first.RecordedAt, t0)
	}

	// The same reminder again, as a second delivery from the queue computes it.
	again := &bot.Reminder{ID: first.ID, ReferralID: r.ID, AskID: a.ID, OfficeCode: "army",
		Seq: 2, Kind: "overdue", DaysLeft: -1, DueAt: t0}
	want := *again
	if mustRecordReminder(t, db, again) {
		t.Error("second RecordReminder = true; want false")
	}
	if !reflect.DeepEqual(*again, want) {
		t.Errorf("second RecordReminder changed its reminder:\ngot  %s\nwant %s", dump(again), dump(want))
	}
	got, err := db.AskReminders(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []*bot.Reminder{first}; !reflect.DeepEqual(got, want) {
		t.Errorf("stored:\ngot  %s\nwant %s", dump(got), dump(want))
	}
}

func TestRecordReminder_missingAsk(t *testing.T) {
	db := MustOpenDB(t)
	r := mustCreateReferral(t, db, "Z123456")
	err := db.Update(context.Background(), func(tx bot.Tx) error {
		_, err := tx.RecordReminder(context.Background(), &bot.Reminder{ID: "x", ReferralID: r.ID, AskID: 999, DueAt: t0})
		return err
	})
	wantCode(t, err, bot.ENOTFOUND)
}

func TestMarkReminderPosted(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	a := mustCreateAsk(t, db, r.ID, "army")
	rem := &bot.Reminder{ID: "x", ReferralID: r.ID, AskID: a.ID, OfficeCode: "army", DueAt: t0}
	mustRecordReminder(t, db, rem)

	// Flags only ever go up.
	tests := []struct {
		channel, dm         bool
		wantChannel, wantDM bool
	}{
		{true, false, true, false},
		{false, false, true, false},
		{false, true, true, true},
		{false, false, true, true},
	}
	for _, tt := range tests {
		mustUpdate(t, db, func(tx bot.Tx) error { return tx.MarkReminderPosted(ctx, rem.ID, tt.channel, tt.dm) })
		got, err := db.AskReminders(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].PostedChannel != tt.wantChannel || got[0].PostedDM != tt.wantDM {
			t.Fatalf("after MarkReminderPosted(%v, %v): got %s; want PostedChannel %v, PostedDM %v",
				tt.channel, tt.dm, dump(got), tt.wantChannel, tt.wantDM)
		}
	}

	err := db.Update(ctx, func(tx bot.Tx) error { return tx.MarkReminderPosted(ctx, "nope", true, true) })
	wantCode(t, err, bot.ENOTFOUND)
}

func TestReminders_order(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	army := mustCreateAsk(t, db, r.ID, "army")
	navy := mustCreateAsk(t, db, r.ID, "navy")
	quiet := mustCreateReferral(t, db, "Z654321")
	quietAsk := mustCreateAsk(t, db, quiet.ID, "army")

	// Recorded out of time order, and with IDs out of insertion order, so that
	// only "recorded_at, then insertion" gives the wanted order.
	newReminder := func(id string, a *bot.Ask, at time.Time) *bot.Reminder {
		return &bot.Reminder{ID: id, ReferralID: r.ID, AskID: a.ID, OfficeCode: a.OfficeCode,
			Kind: "before", DaysLeft: 2, DueAt: at, RecordedAt: at}
	}
	late := newReminder("a", army, t0.Add(time.Hour))
	early := newReminder("c", navy, t0)
	sameInstant := newReminder("b", army, t0)
	for _, rem := range []*bot.Reminder{late, early, sameInstant} {
		mustRecordReminder(t, db, rem)
	}

	tests := []struct {
		name string
		get  func() ([]*bot.Reminder, error)
		want []*bot.Reminder
	}{
		{"Reminders", func() ([]*bot.Reminder, error) { return db.Reminders(ctx, r.ID) }, []*bot.Reminder{early, sameInstant, late}},
		{"AskReminders army", func() ([]*bot.Reminder, error) { return db.AskReminders(ctx, army.ID) }, []*bot.Reminder{sameInstant, late}},
		{"AskReminders navy", func() ([]*bot.Reminder, error) { return db.AskReminders(ctx, navy.ID) }, []*bot.Reminder{early}},
		{"Reminders none yet", func() ([]*bot.Reminder, error) { return db.Reminders(ctx, quiet.ID) }, []*bot.Reminder{}},
		{"AskReminders none yet", func() ([]*bot.Reminder, error) { return db.AskReminders(ctx, quietAsk.ID) }, []*bot.Reminder{}},
	}
	for _, tt := range tests {
		got, err := tt.get()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, dump(got), dump(tt.want))
		}
	}
}

// mustRecordReminder records rem in its own transaction and returns whether it was new.
func mustRecordReminder(tb testing.TB, db *store.DB, rem *bot.Reminder) bool {
	tb.Helper()
	var recorded bool
	mustUpdate(tb, db, func(tx bot.Tx) error {
		var err error
		recorded, err = tx.RecordReminder(context.Background(), rem)
		return err
	})
	return recorded
}
