package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store/reminders"
)

// A bot that was down when a reminder fell due sends it once after it restarts,
// marked late; after a longer outage it sends only the latest reminder per office.
func TestRemindersRestartWithReminderOverdue(t *testing.T) {
	for _, kind := range []queueKind{onRedis, inMemory} {
		t.Run(string(kind), func(t *testing.T) {
			w := newWorld(t)
			first := w.start(kind)
			r := first.openReferral("Z100005", "army", "navy")
			asks := first.asks(r)
			army, navy := asks["army"], asks["navy"]
			seen, seenDM := map[string]bool{}, map[string]bool{}
			w.clock.Set(nyTime(2026, 12, 7, 17, 0))
			first.tick()
			first.stop()

			// Down over Tuesday's 09:00 reminder; back at 11:00.
			w.clock.Set(nyTime(2026, 12, 8, 11, 0))
			second := w.start(kind)
			if err := second.svc.RebuildReminders(w.ctx); err != nil { // start-up, as RunReminders does
				t.Fatal(err)
			}
			second.tick()
			w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2", false, true}, expectation{navy, 0, "due in 2", false, true})
			for _, a := range []*bot.Ask{army, navy} {
				if rem := second.recorded(r)[reminderID(a, 0)]; rem == nil || !rem.Late || !rem.DueAt.Equal(morning(8)) {
					t.Errorf("reminder after restart = %+v; want recorded late, due %v", rem, morning(8))
				}
			}
			second.tick()
			w.checkSent(r, seen, seenDM)
			second.stop()

			// Down from Tuesday noon to Friday 11:00: Wednesday's, Thursday's and
			// Friday's reminders all fell due. Only Friday's (overdue, escalated) goes out.
			w.clock.Set(nyTime(2026, 12, 11, 11, 0))
			third := w.start(kind)
			if err := third.svc.RebuildReminders(w.ctx); err != nil {
				t.Fatal(err)
			}
			third.tick()
			third.tick()
			w.checkSent(r, seen, seenDM, expectation{army, 3, "1 business day overdue", true, true}, expectation{navy, 3, "1 business day overdue", true, true})
			rec := third.recorded(r)
			for _, a := range []*bot.Ask{army, navy} {
				for seq := 1; seq <= 2; seq++ {
					rem := rec[reminderID(a, seq)]
					if rem != nil && (rem.Skipped != bot.SkippedSuperseded || rem.PostedChannel) {
						t.Errorf("reminder %s = %+v; want it superseded (or never recorded), not posted", reminderID(a, seq), rem)
					}
				}
				if rem := rec[reminderID(a, 3)]; rem == nil || !rem.Late || !rem.Escalated || !rem.PostedChannel {
					t.Errorf("reminder %s = %+v; want late, escalated and posted", reminderID(a, 3), rem)
				}
			}

			// Restarted once more the same day: the reminders it skipped stay skipped.
			third.stop()
			w.clock.Set(nyTime(2026, 12, 11, 12, 0))
			fourth := w.start(kind)
			if err := fourth.svc.RebuildReminders(w.ctx); err != nil {
				t.Fatal(err)
			}
			fourth.tick()
			w.checkSent(r, seen, seenDM)

			// Back on time on Monday.
			w.clock.Set(morning(14))
			fourth.tick()
			w.checkSent(r, seen, seenDM, expectation{army, 4, "2 business days overdue", true, false}, expectation{navy, 4, "2 business days overdue", true, false})
		})
	}
}

// Redis emptied (FLUSHDB, or a restart without persistence) while reminders wait:
// the schedule is rebuilt from SQLite; a reminder that fell due meanwhile goes out
// once, late, and one already sent is not sent again.
func TestRemindersRedisFlushed(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100006", "army", "navy")
	asks := inst.asks(r)
	army, navy := asks["army"], asks["navy"]
	seen, seenDM := map[string]bool{}, map[string]bool{}

	w.flushRedis()
	w.clock.Set(nyTime(2026, 12, 7, 12, 0))
	inst.tick()
	if got := inst.pending(); got != 2 {
		t.Errorf("queue holds %d reminders after the rebuild; want 2 (each office's next)", got)
	}

	// Emptied just as Tuesday's reminders fell due, noticed half an hour later.
	w.clock.Set(morning(8))
	w.flushRedis()
	w.clock.Set(nyTime(2026, 12, 8, 9, 30))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2", false, true}, expectation{navy, 0, "due in 2", false, true})
	if got := inst.pending(); got != 2 {
		t.Errorf("queue holds %d reminders; want 2 (each office's next)", got)
	}

	// Emptied again: what was sent stays sent.
	w.flushRedis()
	inst.tick()
	inst.tick()
	w.checkSent(r, seen, seenDM)
	if got := inst.pending(); got != 2 {
		t.Errorf("queue holds %d reminders after the second rebuild; want 2", got)
	}

	w.clock.Set(morning(9))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 1, "due in 1", false, false}, expectation{navy, 1, "due in 1", false, false})
}

// Redis goes away while reminders are pending and comes back, with its data or
// without (restarted). Referrals opened meanwhile are not forgotten, and the
// reminders that fell due meanwhile go out once, late.
func TestRemindersRedisDown(t *testing.T) {
	for _, emptied := range []bool{false, true} {
		t.Run(map[bool]string{false: "kept", true: "restarted-empty"}[emptied], func(t *testing.T) {
			w := newWorld(t)
			inst := w.start(onRedis)
			before := inst.openReferral("Z100007", "army")
			seen, seenDM := map[string]bool{}, map[string]bool{}
			seenB, seenDMB := map[string]bool{}, map[string]bool{}

			w.clock.Set(nyTime(2026, 12, 7, 16, 0))
			inst.dialer.setDown(true)
			during := inst.openReferral("Z100008", "navy") // its schedule cannot be written
			if _, err := inst.svc.ProcessReminders(w.ctx); err == nil {
				t.Error("ProcessReminders with Redis down: no error")
			}
			w.clock.Set(nyTime(2026, 12, 8, 9, 20))
			if _, err := inst.svc.ProcessReminders(w.ctx); err == nil {
				t.Error("ProcessReminders with Redis down: no error")
			}
			inst.drain()
			w.checkSent(before, seen, seenDM)
			w.checkSent(during, seenB, seenDMB)

			if emptied {
				w.flushRedis()
			}
			inst.dialer.setDown(false)
			w.clock.Set(nyTime(2026, 12, 8, 9, 30))
			inst.tick()
			inst.tick()
			w.checkSent(before, seen, seenDM, expectation{inst.asks(before)["army"], 0, "due in 2", false, true})
			w.checkSent(during, seenB, seenDMB, expectation{inst.asks(during)["navy"], 0, "due in 2", false, true})

			w.clock.Set(morning(9))
			inst.tick()
			w.checkSent(before, seen, seenDM, expectation{inst.asks(before)["army"], 1, "due in 1", false, false})
			w.checkSent(during, seenB, seenDMB, expectation{inst.asks(during)["navy"], 1, "due in 1", false, false})
		})
	}
}

// Two bot processes share one Redis and one database file and race over the same
// due reminders: each goes to Slack exactly once.
func TestRemindersTwoInstances(t *testing.T) {
	w := newWorld(t)
	a, b := w.start(onRedis), w.start(onRedis)
	const referrals = 40 // × 3 offices: more than one claim batch
	var refs []*bot.Referral
	for i := range referrals {
		inst := []*instance{a, b}[i%2]
		refs = append(refs, inst.openReferral(fmt.Sprintf("Z2%05d", i), offices...))
	}
	days := []int{8, 9, 10, 11, 14}
	for _, day := range days {
		w.clock.Set(morning(day))
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for _, inst := range []*instance{a, b, a, b} {
			wg.Go(func() {
				<-start
				for {
					n, err := inst.svc.ProcessReminders(w.ctx)
					if err != nil {
						errs <- err
						return
					}
					if err := inst.svc.DrainJobs(w.ctx); err != nil {
						errs <- err
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		for _, inst := range []*instance{a, b} {
			// A rebuild mid-race puts reminders that are claimed but not yet
			// recorded back in the queue, so both processes may take the same one.
			wg.Go(func() {
				<-start
				if err := inst.svc.RebuildReminders(w.ctx); err != nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("%s: %v", morning(day).Format(time.DateOnly), err)
		}
		// Whatever the race left for later.
		a.tick()
		b.tick()
	}

	posts := w.reminderPosts()
	dm := w.dm(analystID)
	for _, r := range refs {
		got := w.keyed(r.ChannelID, "reminder:")
		escalations := w.keyed(dm, "escalation:")
		for _, ask := range a.asks(r) {
			for seq := range 5 {
				id := reminderID(ask, seq)
				if _, ok := got["reminder:"+id]; !ok {
					t.Errorf("reminder %s not in the channel", id)
				}
				if n := posts["reminder:"+id]; n != 1 {
					t.Errorf("reminder %s: chat.postMessage called %d times; want 1", id, n)
				}
			}
		}
		// One escalation a morning from the first overdue one, whatever the race.
		for _, day := range days {
			if morning(day).After(nyTime(2026, 12, 10, 23, 0)) {
				key := "escalation:" + analystID + ":" + morning(day).In(ny).Format(time.DateOnly)
				if _, ok := escalations[key]; !ok {
					t.Errorf("escalation %s not sent", key)
				}
				if n := posts[key]; n != 1 {
					t.Errorf("escalation %s: chat.postMessage called %d times; want 1", key, n)
				}
			}
		}
		if len(got) != len(offices)*len(days) {
			t.Errorf("referral %s: %d reminders in the channel; want %d", r.CaseNumber, len(got), len(offices)*len(days))
		}
	}
	var total int
	for k, n := range posts {
		if strings.HasPrefix(k, "reminder:") {
			total += n
		}
	}
	if want := referrals * len(offices) * len(days); total != want {
		t.Errorf("%d reminder posts in all; want %d", total, want)
	}
	if got := slices.Collect(func(yield func(string) bool) {
		for k, n := range posts {
			if n > 1 && !yield(k) {
				return
			}
		}
	}); len(got) > 0 {
		t.Errorf("posted more than once: %v", got)
	}
}

// ackSignal is a reminder queue that reports when it has acknowledged want
// reminders: the reminder loop running in the background is then done with them.
type ackSignal struct {
	bot.ReminderQueue
	mu    sync.Mutex
	want  int
	acked int
	done  chan struct{}
}

func (q *ackSignal) Ack(ctx context.Context, id, token string) error {
	err := q.ReminderQueue.Ack(ctx, id, token)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.acked++; q.acked == q.want {
		close(q.done)
	}
	return err
}

func (q *ackSignal) AckMany(ctx context.Context, claimed []bot.Scheduled) error {
	err := q.ReminderQueue.AckMany(ctx, claimed)
	q.mu.Lock()
	defer q.mu.Unlock()
	for range claimed {
		if q.acked++; q.acked == q.want {
			close(q.done)
		}
	}
	return err
}

// expect arms the signal for the next n acknowledgements.
func (q *ackSignal) expect(n int) <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.want, q.acked, q.done = n, 0, make(chan struct{})
	return q.done
}

// RunReminders, as serve runs it, rebuilds the schedule at start-up and every
// ReminderReconcile even when Redis says it is seeded: Redis restored from an old
// snapshot keeps its seeded marker but not the reminders scheduled since.
func TestRunRemindersRebuildsAtStartAndPeriodically(t *testing.T) {
	w := newWorld(t)
	first := w.start(onRedis)
	r := first.openReferral("Z100020", "army", "navy")
	asks := first.asks(r)
	army, navy := asks["army"], asks["navy"]
	first.tick() // seeds the queue
	first.stop()
	seen, seenDM := map[string]bool{}, map[string]bool{}

	// The schedule is lost, the seeded marker is not.
	redisQueue := reminders.NewRedis(w.admin, w.prefix)
	lose := func(seqs ...int) {
		t.Helper()
		for _, a := range []*bot.Ask{army, navy} {
			for _, seq := range seqs {
				if err := redisQueue.Cancel(w.ctx, reminderID(a, seq)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	lose(0, 1, 2, 3)
	var sig *ackSignal
	w.wrapQueue = func(q bot.ReminderQueue) bot.ReminderQueue { sig = &ackSignal{ReminderQueue: q}; return sig }
	w.clock.Set(nyTime(2026, 12, 8, 9, 30))
	second := w.start(onRedis)
	if n := second.tick(); n != 0 {
		t.Fatalf("a pass over the seeded, emptied queue claimed %d; want 0 (this test's premise)", n)
	}

	ctx, cancel := context.WithCancel(w.ctx)
	stopped := make(chan struct{})
	acked := sig.expect(2)
	go func() {
		defer close(stopped)
		second.svc.RunReminders(ctx, time.Millisecond)
	}()
	defer func() { cancel(); <-stopped }()
	select {
	case <-acked:
	case <-time.After(30 * time.Second):
		t.Fatal("RunReminders sent nothing within 30s of starting")
	}
	second.drain()
	w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2", false, true}, expectation{navy, 0, "due in 2", false, true})

	// Lost again while running: the next reconcile brings Wednesday's back.
	lose(1, 2, 3)
	acked = sig.expect(2)
	w.clock.Set(morning(9))
	select {
	case <-acked:
	case <-time.After(30 * time.Second):
		t.Fatal("RunReminders did not reconcile within 30s")
	}
	cancel()
	<-stopped
	second.drain()
	w.checkSent(r, seen, seenDM, expectation{army, 1, "due in 1", false, false}, expectation{navy, 1, "due in 1", false, false})
}
