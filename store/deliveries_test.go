package store_test

import (
	"context"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

func TestRecordDelivery(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	for i, want := range []bool{true, false, false} {
		var got bool
		err := db.Update(ctx, func(tx bot.Tx) (err error) {
			got, err = tx.RecordDelivery(ctx, "Ev0123ABC")
			return err
		})
		if err != nil || got != want {
			t.Errorf("delivery %d: first = %v, %v; want %v", i+1, got, err, want)
		}
	}
	var got bool
	if err := db.Update(ctx, func(tx bot.Tx) (err error) { got, err = tx.RecordDelivery(ctx, "Ev0456DEF"); return err }); err != nil || !got {
		t.Errorf("another event: first = %v, %v; want true", got, err)
	}
}
