package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// Issue 14 #2: every acknowledgement comes within handlers.AckBudget whatever a
// dependency does. Each test stalls one dependency for longer than the budget and
// times the acknowledgements; the bounds are correctness bounds (Slack gives up
// after 3 s), and the figures are logged for docs/RELIABILITY.md.

// timed runs f, an action Slack waits on, and fails the test when it took longer
// than the acknowledgement budget.
func (h *harness) timed(what string, f func()) time.Duration {
	h.t.Helper()
	began := clock.Wall()
	f()
	took := clock.Elapsed(began)
	h.t.Logf("ack of %s: %v", what, took.Round(time.Millisecond))
	if took > handlers.AckBudget {
		h.t.Errorf("ack of %s took %v; want within %v", what, took, handlers.AckBudget)
	}
	return took
}

// TestAckBudgetRedisFrozen: Redis accepts connections and never answers (as under
// SIGSTOP). Before: 35.3 s for a new-referral submit, 5.06 s for a press (reminder
// scheduling and cancelling waited on Redis). Now the queue gets bot.QueueBudget and
// is left to the SQLite rebuild; the referral and the position are recorded.
func TestAckBudgetRedisFrozen(t *testing.T) {
	bothTransports(t, func(t *testing.T, transport string) {
		h := newHarness(t, transport, sandbox.WithSetting("REDIS_URL", "redis://"+frozenRedis(t)+"/0"))
		h.command(analyst, h.General, "new")
		v := h.lastView(analyst, bot.CallbackOpenReferral)
		var ack slackfake.Ack
		h.timed("new referral submit", func() { ack = h.submit(analyst, v.ID, referralInputs("Z140201")...) })
		if len(ack.Body) > 0 {
			t.Fatalf("submit answered %s; want the modal closed", ack.Body)
		}
		h.drain()
		r, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z140201")
		if err != nil {
			t.Fatalf("referral not recorded: %v", err)
		}
		h.timed("Approve press", func() { h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve") })
		if a := h.ask(r, "army"); a.Current == nil || a.Current.Outcome != bot.OutcomeApprove {
			t.Errorf("army's position = %+v; want Approve recorded", a.Current)
		}
	})
}

// TestAckBudgetEphemeralSlow: chat.postEphemeral answers after 8 s. Before: a
// refused press acked in 8.0 s (the refusal was posted before the ack). Now the
// ack goes first and the refusal follows.
func TestAckBudgetEphemeralSlow(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z140202")
	h.Fake.SetLatency("chat.postEphemeral", 8*time.Second)
	navy := reviewer("navy", 1) // in the channel, not on Army's roster
	h.timed("refused press", func() { h.click(navy, r.ChannelID, h.askMessage(r, "army").TS, "answer_approve") })
	h.drain() // the refusal, still on its way
	told := h.ephemeralsTo(r.ChannelID, navy)
	if len(told) != 1 || !strings.Contains(told[0], "Only people on the Army roster") {
		t.Errorf("told %q; want the refusal, after the ack", told)
	}
	if a := h.ask(r, "army"); a.Current != nil {
		t.Errorf("recorded %+v for someone off the roster", a.Current)
	}
}

// TestAckBudgetRosterSlow: usergroups.users.list answers after 6 s while the
// cached membership has expired. Before: the press acked in 6.0 s. Now the last
// known membership answers after bot.RosterWait (the log says so), and the refresh
// goes on behind it.
func TestAckBudgetRosterSlow(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z140203")
	h.Clock.Advance(2 * bot.GroupCacheTTL) // the membership read at opening has expired
	h.Fake.SetLatency("usergroups.users.list", 6*time.Second)
	h.timed("press with the roster slow", func() {
		h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	})
	if a := h.ask(r, "army"); a.Current == nil || a.Current.AnsweredBy != reviewer("army", 1) {
		t.Errorf("army's position = %+v; want recorded on the last known membership", a.Current)
	}
}

// TestAckBudgetDatabaseLocked: another process holds SQLite's write lock (BEGIN
// IMMEDIATE on the same file) for longer than the budget. Before: 14–18 s, and the
// action was recorded after Slack had shown the person an error. Now the write that
// cannot start in time never runs: the person reads "try again", and nothing of it
// is recorded once the lock goes.
func TestAckBudgetDatabaseLocked(t *testing.T) {
	bothTransports(t, func(t *testing.T, transport string) {
		h := newHarness(t, transport)
		r := h.openReferral("Z140204")
		h.command(analyst, h.General, "new")
		v := h.lastView(analyst, bot.CallbackOpenReferral)

		release := h.lockDatabase()
		first := reviewer("army", 1)
		h.timed("Approve press, database locked", func() { h.click(first, r.ChannelID, h.askMessage(r, "army").TS, "answer_approve") })
		var ack slackfake.Ack
		h.timed("new referral submit, database locked", func() { ack = h.submit(analyst, v.ID, referralInputs("Z140205")...) })
		release()

		if told := h.ephemeralsTo(r.ChannelID, first); len(told) != 1 || !strings.Contains(told[0], "nothing was recorded") {
			t.Errorf("the presser was told %q; want try again, nothing recorded", told)
		}
		if !strings.Contains(string(ack.Body), "nothing was recorded") {
			t.Errorf("submit answered %s; want try again, nothing recorded", ack.Body)
		}
		// Writes go through one writer in order: once a later press is recorded, the
		// earlier ones have had their chance.
		second := reviewer("army", 2)
		h.click(second, r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
		h.drain()
		if n := h.count(`SELECT count(*) FROM positions WHERE ask_id = ?`, h.ask(r, "army").ID); n != 1 {
			t.Errorf("%d positions for army; want 1, the press after the lock", n)
		}
		if a := h.ask(r, "army"); a.Current == nil || a.Current.AnsweredBy != second {
			t.Errorf("army's position = %+v; want %s's, recorded after the lock", a.Current, second)
		}
		if n := h.count(`SELECT count(*) FROM referrals WHERE case_number = 'Z140205'`); n != 0 {
			t.Errorf("the referral refused under the lock was recorded later (%d)", n)
		}
	})
}

// lockDatabase takes SQLite's write lock from a connection of its own, as another
// process would, and returns the function that releases it.
func (h *harness) lockDatabase() (release func()) {
	h.t.Helper()
	db, err := sqlx.Open("sqlite3", h.App.DB.Path()+"?_busy_timeout=5000")
	if err != nil {
		h.t.Fatal(err)
	}
	conn, err := db.Conn(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := conn.ExecContext(h.ctx, "BEGIN IMMEDIATE"); err != nil {
		h.t.Fatalf("take the write lock: %v", err)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		if _, err := conn.ExecContext(context.WithoutCancel(h.ctx), "ROLLBACK"); err != nil {
			h.t.Errorf("release the write lock: %v", err)
		}
		conn.Close()
		db.Close()
	}
	h.t.Cleanup(release)
	return release
}
