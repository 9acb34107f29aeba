package bot_test

import (
	"sync"
	"testing"
	"time"
)

// TestRosterReadOncePerBurst: many presses at the moment the roster cache expires
// make one usergroups.users.list call (a Tier 2 method), not one each.
func TestRosterReadOncePerBurst(t *testing.T) {
	f := newFixture(t)
	r := f.open(t, "k1")
	f.drainUntilDone(t)
	asks, _ := f.db.Asks(f.ctx, r.ID)
	f.advance(2 * time.Minute) // the cache from opening has expired
	before := len(f.fake.CallsTo("usergroups.users.list"))
	f.fake.SetLatency("usergroups.users.list", 50*time.Millisecond) // let the burst pile up behind one call
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, _, _, err := f.svc.CheckAnswer(f.ctx, "UARMY1", asks[0].ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := len(f.fake.CallsTo("usergroups.users.list")) - before; got != 1 {
		t.Errorf("usergroups.users.list called %d times for 20 concurrent checks; want 1", got)
	}
}
