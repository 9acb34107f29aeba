package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// The writer remembers the head of the event chain instead of reading it for every
// event. A write that appended events and then failed is rolled back to its
// savepoint, and the head it moved must move back: the next write in the same
// group continues the chain from the last committed event.
func TestChainHeadAfterFailedWriteInGroup(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ref := mustCreateReferral(t, db, "Z123456")
	event := func(kind string) *bot.Event { return &bot.Event{ReferralID: ref.ID, Actor: "U1", Kind: kind} }
	first := event("referral.opened")
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.AppendEvent(ctx, first) })

	release, held := holdWriter(t, db)
	refused := errors.New("refused after appending")
	badDone, goodDone := make(chan error, 1), make(chan error, 1)
	go func() {
		badDone <- db.Update(ctx, func(tx bot.Tx) error {
			for _, kind := range []string{"position.recorded", "clock.held"} {
				if err := tx.AppendEvent(ctx, event(kind)); err != nil {
					return err
				}
			}
			return refused
		})
	}()
	waitForWaiting(t, db, 1) // the failing write queues first, so it runs first
	good := event("position.recorded")
	go func() { goodDone <- db.Update(ctx, func(tx bot.Tx) error { return tx.AppendEvent(ctx, good) }) }()
	waitForWaiting(t, db, 2)
	before := db.Commits()
	close(release)
	if err := <-held; err != nil {
		t.Fatalf("held write: %v", err)
	}
	if err := <-badDone; !errors.Is(err, refused) {
		t.Errorf("failing write: err = %v; want its own error", err)
	}
	if err := <-goodDone; err != nil {
		t.Fatalf("good write: %v", err)
	}
	if got := db.Commits() - before; got != 1 {
		t.Fatalf("commits = %d; want 1 (the held write and the two that queued behind it, in one group)", got)
	}
	if good.ID != first.ID+1 || good.PrevHash != first.Hash {
		t.Errorf("good write's event = #%d after %q; want #%d after the last committed event's hash %q", good.ID, good.PrevHash, first.ID+1, first.Hash)
	}

	// A later group goes on from there, and the whole chain verifies.
	last := event("position.recorded")
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.AppendEvent(ctx, last) })
	if last.ID != good.ID+1 || last.PrevHash != good.Hash {
		t.Errorf("next event = #%d after %q; want #%d after %q", last.ID, last.PrevHash, good.ID+1, good.Hash)
	}
	checked, bad, err := db.VerifyEvents(ctx)
	if err != nil || bad != nil || checked != 3 {
		t.Errorf("VerifyEvents = %d, %v, %v; want 3 intact", checked, bad, err)
	}
	if id, head, err := db.LastEventHash(ctx); err != nil || id != last.ID || head != last.Hash {
		t.Errorf("LastEventHash = %d, %q, %v; want %d, %q", id, head, err, last.ID, last.Hash)
	}
}

// A failing write alone in its transaction gives its events back as well.
func TestChainHeadAfterFailedWriteAlone(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ref := mustCreateReferral(t, db, "Z123456")
	refused := errors.New("refused")
	for range 2 {
		err := db.Update(ctx, func(tx bot.Tx) error {
			if err := tx.AppendEvent(ctx, &bot.Event{ReferralID: ref.ID, Actor: "U1", Kind: "x"}); err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatalf("Update = %v; want the write's error", err)
		}
	}
	e := &bot.Event{ReferralID: ref.ID, Actor: "U1", Kind: "y"}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.AppendEvent(ctx, e) })
	if e.ID != 1 || e.PrevHash != "" {
		t.Errorf("event after two failed writes = #%d after %q; want #1, the first", e.ID, e.PrevHash)
	}
	if checked, bad, err := db.VerifyEvents(ctx); err != nil || bad != nil || checked != 1 {
		t.Errorf("VerifyEvents = %d, %v, %v; want 1 intact", checked, bad, err)
	}
}

// Something other than this writer appending to the file (a hand, another process)
// makes the remembered head stale; the next event still takes the next id, linked
// to the row that is really last, as it would without the cache.
func TestChainHeadAfterOutsideAppend(t *testing.T) {
	ctx := context.Background()
	db, raw := mustAppendEvents(t, 2)
	mustExec(t, raw, `INSERT INTO events (id, referral_id, actor, kind, at) VALUES (3, 1, 'U9', 'x', '2025-03-04T10:00:00.000000000Z')`)
	e := &bot.Event{ReferralID: 1, Actor: "U1", Kind: "y"}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.AppendEvent(ctx, e) })
	if e.ID != 4 || e.PrevHash != "" {
		t.Errorf("event after a hand-made #3 = #%d after %q; want #4 after #3's (empty) hash", e.ID, e.PrevHash)
	}
	if _, bad, err := db.VerifyEvents(ctx); err != nil || bad == nil || bad.ID != 3 {
		t.Errorf("VerifyEvents = %v, %v; want the hand-made #3 reported", bad, err)
	}
}
