package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

func TestAwaitingReminderIDs(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	army := mustCreateAsk(t, db, r.ID, "army")
	navy := mustCreateAsk(t, db, r.ID, "navy")
	for i, a := range []*bot.Ask{army, army, navy} {
		mustRecordReminder(t, db, &bot.Reminder{ID: fmt.Sprintf("r%d", i), ReferralID: r.ID, AskID: a.ID, OfficeCode: a.OfficeCode, DueAt: t0})
	}
	// Navy answers: its reminders no longer matter to a rebuild.
	mustUpdate(t, db, func(tx bot.Tx) error {
		navy.State = bot.AskAnswered
		return tx.UpdateAsk(ctx, navy)
	})
	got, err := db.AwaitingReminderIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprint(map[int64]map[string]bool{army.ID: {"r0": true, "r1": true}}); fmt.Sprint(got) != want {
		t.Errorf("AwaitingReminderIDs = %v; want %v", got, want)
	}
}
