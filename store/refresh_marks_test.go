package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// A refresh clears the marks it read, but not one counted up since: that change
// was made while it drew, and the next refresh must draw it.
func TestRefreshMarks_clearOnlyWhatWasDrawn(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	mark := func(askID int64) {
		mustUpdate(t, db, func(tx bot.Tx) error { return tx.MarkForRefresh(ctx, r.ID, askID) })
	}
	mark(7)
	mark(0)
	mark(7)
	read, err := db.RefreshMarks(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(read), "[{0 1} {7 2}]"; got != want {
		t.Fatalf("RefreshMarks = %s; want %s", got, want)
	}
	mark(7) // while the refresh draws
	if err := db.ClearRefreshMarks(ctx, r.ID, read); err != nil {
		t.Fatal(err)
	}
	left, err := db.RefreshMarks(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(left), "[{7 3}]"; got != want {
		t.Errorf("RefreshMarks after clearing = %s; want %s", got, want)
	}
	err = db.Update(ctx, func(tx bot.Tx) error { return tx.MarkForRefresh(ctx, 999, 1) })
	wantCode(t, err, bot.ENOTFOUND)
}
