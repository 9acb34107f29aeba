package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

// waitForWaiting yields until n writes wait for the writer. It polls a counter the
// writer keeps, with no sleep: the writes are goroutines of this test.
func waitForWaiting(t *testing.T, db *store.DB, n int64) {
	t.Helper()
	for i := 0; db.WaitingWrites() < n; i++ {
		if i > 10_000_000 {
			t.Fatalf("%d writes waiting; want %d", db.WaitingWrites(), n)
		}
		runtime.Gosched()
	}
}

// holdWriter starts a write that holds the writer until release is closed, so that
// the writes after it queue up and join its group.
func holdWriter(t *testing.T, db *store.DB) (release chan struct{}, done chan error) {
	t.Helper()
	release, done, started := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		done <- db.Update(context.Background(), func(tx bot.Tx) error {
			close(started)
			<-release
			return tx.CreateReferral(context.Background(), newReferral("Z900000"))
		})
	}()
	<-started
	return release, done
}

// One failing write in a group is rolled back alone: the others commit, in one
// transaction, and only the failing caller hears of the failure.
func TestGroupCommitOneWriteFailsAlone(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	release, held := holdWriter(t, db)

	const n = 8
	bad := 3
	errs := make(chan struct {
		i   int
		err error
	}, n)
	for i := range n {
		go func() {
			err := db.Update(ctx, func(tx bot.Tx) error {
				if err := tx.CreateReferral(ctx, newReferral(fmt.Sprintf("Z90000%d", i+1))); err != nil {
					return err
				}
				if i == bad {
					return bot.Errorf(bot.EINVALID, "write %d refused", i)
				}
				return nil
			})
			errs <- struct {
				i   int
				err error
			}{i, err}
		}()
	}
	waitForWaiting(t, db, n)
	before := db.Commits()
	close(release)
	if err := <-held; err != nil {
		t.Fatalf("held write: %v", err)
	}
	for range n {
		r := <-errs
		switch {
		case r.i == bad && bot.ErrorCode(r.err) != bot.EINVALID:
			t.Errorf("write %d: err = %v; want its own EINVALID", r.i, r.err)
		case r.i != bad && r.err != nil:
			t.Errorf("write %d: err = %v; want nil", r.i, r.err)
		}
	}
	// The eight that queued while the held write ran join its group: one commit.
	if got := db.Commits() - before; got != 1 {
		t.Errorf("commits = %d; want 1 (the held write and the %d that queued behind it)", got, n)
	}
	for i := range n {
		_, err := db.ReferralByCase(ctx, bot.AgencyCommerce, fmt.Sprintf("Z90000%d", i+1))
		switch {
		case i == bad && bot.ErrorCode(err) != bot.ENOTFOUND:
			t.Errorf("referral of the failed write: err = %v; want ENOTFOUND (rolled back)", err)
		case i != bad && err != nil:
			t.Errorf("referral %d: %v; want it committed", i, err)
		}
	}
}

// A write whose caller gives up before it starts never runs; one that has started
// runs to the end and its caller hears the outcome.
func TestGroupCommitCallerGivesUp(t *testing.T) {
	db := MustOpenDB(t)
	release, held := holdWriter(t, db)

	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	gaveUp := make(chan error, 1)
	go func() {
		gaveUp <- db.Update(ctx, func(tx bot.Tx) error {
			ran = true
			return tx.CreateReferral(context.Background(), newReferral("Z900009"))
		})
	}()
	waitForWaiting(t, db, 1)
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("Update after cancel = %v; want context.Canceled", err)
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Error("the abandoned write ran; want it never started")
	}
	if _, err := db.ReferralByCase(context.Background(), bot.AgencyCommerce, "Z900009"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("abandoned write's referral: err = %v; want ENOTFOUND", err)
	}

	// Started, then cancelled mid-way: it still commits, and says so.
	ctx, cancel = context.WithCancel(context.Background())
	err := db.Update(ctx, func(tx bot.Tx) error {
		cancel()
		return tx.CreateReferral(ctx, newReferral("Z900010"))
	})
	if err != nil {
		t.Fatalf("Update cancelled after it started = %v; want nil (it ran to the end)", err)
	}
	if _, err := db.ReferralByCase(context.Background(), bot.AgencyCommerce, "Z900010"); err != nil {
		t.Errorf("started write's referral: %v; want it committed", err)
	}
}

// A panic in one write rolls back that write and goes on panicking in its caller;
// the writer lives on.
func TestGroupCommitPanic(t *testing.T) {
	db := MustOpenDB(t)
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v; want the write's panic", p)
			}
		}()
		db.Update(context.Background(), func(tx bot.Tx) error {
			tx.CreateReferral(context.Background(), newReferral("Z900011"))
			panic("boom")
		})
	}()
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateReferral(context.Background(), newReferral("Z900012")) })
	if _, err := db.ReferralByCase(context.Background(), bot.AgencyCommerce, "Z900011"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("panicked write's referral: err = %v; want ENOTFOUND", err)
	}
}

// After Close, a write is refused instead of waiting forever.
func TestGroupCommitClosed(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "referralbot.db"), stopped)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = db.Update(context.Background(), func(bot.Tx) error { return nil })
	if !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close = %v; want ErrClosed", err)
	}
}

// A group holds at most MaxGroup writes: the rest wait for the next group, and
// every write is run and answered, none dropped at the boundary.
func TestGroupCommitFullGroup(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	release, held := holdWriter(t, db)
	n := store.MaxGroup + 6
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- db.Update(ctx, func(tx bot.Tx) error {
				return tx.CreateReferral(ctx, newReferral(fmt.Sprintf("Z91%04d", i)))
			})
		}()
	}
	waitForWaiting(t, db, int64(n))
	commits, writes := db.GroupCommits()
	close(release)
	if err := <-held; err != nil {
		t.Fatalf("held write: %v", err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("write: %v", err)
		}
	}
	c, w := db.GroupCommits()
	if c-commits != 2 || w-writes != int64(n+1) {
		t.Errorf("%d commits of %d writes; want 2 of %d (a full group of %d, then the rest)", c-commits, w-writes, n+1, store.MaxGroup)
	}
	for i := range n {
		if _, err := db.ReferralByCase(ctx, bot.AgencyCommerce, fmt.Sprintf("Z91%04d", i)); err != nil {
			t.Errorf("referral %d: %v; want it committed", i, err)
		}
	}
}
