package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

// TestBackupWhileWriting copies the database while another goroutine keeps writing,
// and checks the copy opens, is migrated, and holds a consistent prefix of the writes.
func TestBackupWhileWriting(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := &bot.Referral{Agency: bot.AgencyCommerce, CaseNumber: "Z000001", State: bot.ReferralOpen}
	if err := db.Update(ctx, func(tx bot.Tx) error { return tx.CreateReferral(ctx, r) }); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := db.Update(ctx, func(tx bot.Tx) error {
				return tx.AppendEvent(ctx, &bot.Event{ReferralID: r.ID, Actor: "U1", Kind: "test.write", Detail: "{}"})
			})
			if err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
		}
	})
	path := filepath.Join(t.TempDir(), "copy.db")
	err := db.Backup(ctx, path)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	cp, err := store.Open(ctx, path, stopped)
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer cp.Close()
	got, err := cp.ReferralByCase(ctx, bot.AgencyCommerce, "Z000001")
	if err != nil || got.ID != r.ID {
		t.Fatalf("copy lacks the referral: %v", err)
	}
	events, err := cp.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range events {
		if e.Kind != "test.write" || (i > 0 && e.ID != events[i-1].ID+1) {
			t.Fatalf("copy's events are not a consistent prefix at %d: %+v", i, e)
		}
	}
	if err := db.Backup(ctx, path); !errors.Is(err, os.ErrExist) {
		t.Errorf("backup over an existing file: %v; want ErrExist", err)
	}
}
