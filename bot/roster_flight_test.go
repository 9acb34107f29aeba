package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/store/reminders"
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

// TestRosterSlowUsesLastKnown: when Slack is slow to list an expired user group,
// the last membership it gave answers after bot.RosterWait, and the log says so
// (issue 14 #2: a press waited 6 s on usergroups.users.list). A group never read
// has no last membership: the check fails closed when its caller's time is up.
func TestRosterSlowUsesLastKnown(t *testing.T) {
	f := newFixture(t)
	r := f.open(t, "k1")
	asks, _ := f.db.Asks(f.ctx, r.ID)
	var logged bytes.Buffer
	roster := &bot.Roster{Analysts: []string{"UANALYST"}, Offices: []bot.Office{
		{Code: "army", Name: "Army", UserGroup: "SARMY"}, {Code: "navy", Name: "Navy", UserGroup: "SNAVY"},
	}}
	svc := bot.NewService(f.db, f.slack, f.clk.Now, bot.Config{Roster: roster, Rules: deadline.NewRules(nil, deadline.Defaults{}),
		Queue: reminders.NewMemory(), Log: slog.New(slog.NewTextHandler(&logged, nil))})
	if _, _, _, err := svc.CheckAnswer(f.ctx, "UARMY1", asks[0].ID); err != nil {
		t.Fatal(err)
	}
	f.advance(2 * bot.GroupCacheTTL)
	f.fake.SetLatency("usergroups.users.list", 3*time.Second)

	began := clock.Wall()
	_, _, _, err := svc.CheckAnswer(f.ctx, "UARMY1", asks[0].ID)
	took := clock.Elapsed(began)
	if err != nil {
		t.Errorf("CheckAnswer with the roster slow: %v; want the last known membership", err)
	}
	if took > 2*time.Second { // RosterWait, with room for a loaded machine; not Slack's 3 s
		t.Errorf("CheckAnswer took %v with Slack slow; want about %v", took, bot.RosterWait)
	}
	if !strings.Contains(logged.String(), "using its last known membership") {
		t.Errorf("log = %q; want it to say the last known membership was used", logged.String())
	}

	ctx, cancel := context.WithTimeout(f.ctx, 200*time.Millisecond)
	defer cancel()
	if _, _, _, err := svc.CheckAnswer(ctx, "UNAVY1", asks[1].ID); bot.ErrorCode(err) != bot.EFORBIDDEN {
		t.Errorf("CheckAnswer on a group never read, Slack slow: %v; want refused (fail closed)", err)
	}
}
