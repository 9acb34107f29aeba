package bot_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/store"
)

// The default policy: two and one business days ahead, on the day, then every
// business morning overdue with the analyst told in the channel and by DM.
func TestRemindersDefaultPolicy(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100001", "army", "navy")
	asks := inst.asks(r)
	army, navy := asks["army"], asks["navy"]
	if got := inst.pending(); got != 2 {
		t.Errorf("queue holds %d reminders after opening; want 2 (each office's next)", got)
	}
	seen, seenDM := map[string]bool{}, map[string]bool{}
	both := func(seq int, words string, escalated bool) []expectation {
		return []expectation{{army, seq, words, escalated, false}, {navy, seq, words, escalated, false}}
	}
	steps := []struct {
		at   time.Time
		want []expectation
	}{
		{nyTime(2026, 12, 7, 9, 0), nil},  // Monday: 3 business days ahead
		{nyTime(2026, 12, 8, 8, 59), nil}, // a minute early
		{morning(8), both(0, "due in 2 business days", false)},
		{nyTime(2026, 12, 8, 17, 0), nil}, // nothing more that day
		{morning(9), both(1, "due in 1 business day", false)},
		{morning(10), both(2, "due *today*", false)},
		{morning(11), both(3, "*1 business day overdue*", true)},
		{morning(12), nil}, // Saturday
		{morning(13), nil}, // Sunday
		{morning(14), both(4, "*2 business days overdue*", true)},
		{morning(15), both(5, "*3 business days overdue*", true)},
	}
	for _, s := range steps {
		w.clock.Set(s.at)
		inst.tick()
		inst.tick() // a second pass sends nothing more
		w.checkSent(r, seen, seenDM, s.want...)
	}
	rec := inst.recorded(r)
	if len(rec) != 12 {
		t.Errorf("%d reminders recorded; want 12", len(rec))
	}
	for _, a := range []*bot.Ask{army, navy} {
		for seq, want := range []struct {
			kind      string
			daysLeft  int
			escalated bool
		}{{"before", 2, false}, {"before", 1, false}, {"due", 0, false}, {"overdue", -1, true}, {"overdue", -2, true}, {"overdue", -3, true}} {
			rem := rec[reminderID(a, seq)]
			if rem == nil {
				t.Errorf("reminder %s not recorded", reminderID(a, seq))
				continue
			}
			if rem.Kind != want.kind || rem.DaysLeft != want.daysLeft || rem.Escalated != want.escalated || rem.Late ||
				rem.Skipped != "" || !rem.PostedChannel {
				t.Errorf("reminder %s = %+v; want kind %s, %d days left, escalated %v, on time, posted", rem.ID, *rem, want.kind, want.daysLeft, want.escalated)
			}
		}
	}
	if got := inst.pending(); got != 2 {
		t.Errorf("queue holds %d reminders; want 2 (the next overdue morning per office)", got)
	}
}

// An office that answers hears no more; the final recommendation silences all.
func TestRemindersAnswerAndRecommendationCancel(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100002", "army", "navy")
	asks := inst.asks(r)
	army, navy := asks["army"], asks["navy"]
	seen, seenDM := map[string]bool{}, map[string]bool{}

	w.clock.Set(morning(8))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2", false, false}, expectation{navy, 0, "due in 2", false, false})

	w.clock.Set(nyTime(2026, 12, 8, 10, 0))
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("navy"), navy.ID, bot.PositionInput{Outcome: bot.OutcomeApprove}); err != nil {
		t.Fatalf("navy answers: %v", err)
	}
	inst.drain()
	if got := inst.pending(); got != 1 {
		t.Errorf("queue holds %d reminders after navy answered; want army's next", got)
	}
	// A reminder the cancel missed (say Redis hiccuped) is dropped: SQLite is the truth.
	if err := inst.queue.Schedule(w.ctx, reminderID(navy, 1), morning(9)); err != nil {
		t.Fatal(err)
	}
	for _, day := range []int{9, 10} {
		w.clock.Set(morning(day))
		inst.tick()
	}
	w.checkSent(r, seen, seenDM, expectation{army, 1, "due in 1", false, false}, expectation{army, 2, "due *today*", false, false})

	w.clock.Set(morning(11))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 3, "1 business day overdue", true, false})

	w.clock.Set(nyTime(2026, 12, 11, 10, 0))
	if _, err := inst.svc.Recommend(w.ctx, analystID, r.ID, bot.RecommendationInput{Outcome: bot.OutcomeApprove}); err != nil {
		t.Fatalf("recommend: %v", err)
	}
	inst.drain()
	if got := inst.pending(); got != 0 {
		t.Errorf("queue holds %d reminders after the final recommendation; want 0", got)
	}
	for _, day := range []int{14, 15, 16} {
		w.clock.Set(morning(day))
		inst.tick()
	}
	w.checkSent(r, seen, seenDM)
	if n := len(inst.recorded(r)); n != 5 {
		t.Errorf("%d reminders recorded; want 5 (navy 1, army 4)", n)
	}
}

// A roster member may snooze an office's reminders until the next business morning.
func TestRemindersSnooze(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100003", "army", "navy")
	asks := inst.asks(r)
	army, navy := asks["army"], asks["navy"]
	seen, seenDM := map[string]bool{}, map[string]bool{}

	w.clock.Set(morning(8))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2", false, false}, expectation{navy, 0, "due in 2", false, false})

	w.clock.Set(nyTime(2026, 12, 9, 8, 0))
	var be *bot.Error
	if _, err := inst.svc.Snooze(w.ctx, outsiderID, army.ID); !asBotError(err, &be) || be.Code != bot.EFORBIDDEN {
		t.Errorf("outsider snoozes: %v; want EFORBIDDEN", err)
	}
	if _, err := inst.svc.Snooze(w.ctx, reviewerOf("navy"), army.ID); !asBotError(err, &be) || be.Code != bot.EFORBIDDEN {
		t.Errorf("navy reviewer snoozes army: %v; want EFORBIDDEN", err)
	}
	until, err := inst.svc.Snooze(w.ctx, reviewerOf("army"), army.ID)
	if err != nil {
		t.Fatalf("army reviewer snoozes: %v", err)
	}
	if !until.Equal(morning(10)) {
		t.Errorf("snoozed until %v; want %v", until, morning(10))
	}

	w.clock.Set(morning(9))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{navy, 1, "due in 1", false, false})
	if rem := inst.recorded(r)[reminderID(army, 1)]; rem == nil || rem.Skipped != bot.SkippedSnoozed || rem.PostedChannel {
		t.Errorf("army's snoozed reminder = %+v; want recorded as snoozed, not posted", rem)
	}

	w.clock.Set(morning(10))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{army, 2, "due *today*", false, false}, expectation{navy, 2, "due *today*", false, false})
}

// A reminder delivered twice by the queue (a lease that expired, a redelivery) is
// sent once.
func TestRemindersAtLeastOnceSendsOnce(t *testing.T) {
	w := newWorld(t)
	inst := w.start(onRedis)
	r := inst.openReferral("Z100004", "army")
	army := inst.asks(r)["army"]
	seen, seenDM := map[string]bool{}, map[string]bool{}

	if n := inst.tick(); n != 0 { // the first pass seeds the queue
		t.Errorf("a pass at opening claimed %d; want 0", n)
	}
	// A process claims the reminder and dies before recording it: the lease runs out
	// and another pass takes it over.
	w.clock.Set(morning(8))
	claimed, err := inst.queue.Claim(w.ctx, w.clock.Now(), bot.ReminderLease, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v; want the 2-days-ahead reminder", claimed, err)
	}
	if n := inst.tick(); n != 0 {
		t.Errorf("a pass during the lease claimed %d; want 0", n)
	}
	w.clock.Set(morning(8).Add(bot.ReminderLease + time.Second))
	if n := inst.tick(); n != 1 {
		t.Errorf("a pass after the lease claimed %d; want 1", n)
	}
	w.checkSent(r, seen, seenDM, expectation{army, 0, "due in 2", false, false})

	// The queue hands the same reminder out again (say the Ack was lost): it is
	// recorded already, so nothing more goes to Slack.
	if err := inst.queue.Schedule(w.ctx, reminderID(army, 0), morning(8)); err != nil {
		t.Fatal(err)
	}
	if n := inst.tick(); n != 1 {
		t.Errorf("redelivery pass claimed %d; want 1", n)
	}
	w.checkSent(r, seen, seenDM)
	if n := w.reminderPosts()["reminder:"+reminderID(army, 0)]; n != 1 {
		t.Errorf("chat.postMessage for the reminder called %d times; want 1", n)
	}
}

// failingPost is a Slack client whose PostMessage fails for one message key.
type failingPost struct {
	bot.Slack
	mu   sync.Mutex
	key  string
	hits int
}

func (f *failingPost) PostMessage(ctx context.Context, channelID string, m bot.Message) (string, error) {
	f.mu.Lock()
	fail := m.Key == f.key
	if fail {
		f.hits++
	}
	f.mu.Unlock()
	if fail {
		return "", &bot.SlackError{Kind: bot.ErrSlackTransient, Code: "internal_error"}
	}
	return f.Slack.PostMessage(ctx, channelID, m)
}

func (f *failingPost) failOn(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.key = key
}

// Slack fails one office's reminder after another's went out in the same run of
// the Slack work: the retry sends the one that failed and not the other again.
func TestRemindersSlackFailsMidway(t *testing.T) {
	w := newWorld(t)
	var slackClient *failingPost
	w.wrapSlack = func(c bot.Slack) bot.Slack { slackClient = &failingPost{Slack: c}; return slackClient }
	inst := w.start(onRedis)
	r := inst.openReferral("Z100030", "army", "navy")
	asks := inst.asks(r)
	army, navy := asks["army"], asks["navy"]
	seen, seenDM := map[string]bool{}, map[string]bool{}
	inst.tick()

	w.clock.Set(morning(11)) // overdue: replies in the asks' threads, and the analyst's morning DM
	slackClient.failOn("reminder:" + reminderID(navy, 3))
	if n, err := inst.svc.ProcessReminders(w.ctx); err != nil || n == 0 {
		t.Fatalf("process = %d, %v", n, err)
	}
	inst.drain()
	if slackClient.hits != 1 {
		t.Fatalf("the failing post was tried %d times; want 1", slackClient.hits)
	}
	slackClient.failOn("")
	w.clock.Set(morning(11).Add(time.Minute)) // past the retry backoff
	inst.drain()
	w.checkSent(r, seen, seenDM, expectation{army, 3, "1 business day overdue", true, false}, expectation{navy, 3, "1 business day overdue", true, false})
	for k, n := range w.reminderPosts() {
		if n != 1 {
			t.Errorf("%s posted %d times; want 1", k, n)
		}
	}
}

// faultyStore fails the recording of one reminder.
type faultyStore struct {
	*store.DB
	failID atomic.Value // string
}

func (s *faultyStore) Update(ctx context.Context, fn func(tx bot.Tx) error) error {
	return s.DB.Update(ctx, func(tx bot.Tx) error { return fn(faultyTx{Tx: tx, failID: s.failID.Load().(string)}) })
}

type faultyTx struct {
	bot.Tx
	failID string
}

func (tx faultyTx) RecordReminder(ctx context.Context, r *bot.Reminder) (bool, error) {
	if r.ID == tx.failID {
		return false, errors.New("disk I/O error (injected)")
	}
	return tx.Tx.RecordReminder(ctx, r)
}

// One reminder that cannot be recorded does not hold back the others claimed with
// it, and goes out once it can be.
func TestRemindersOneFailsToRecord(t *testing.T) {
	w := newWorld(t)
	var st *faultyStore
	w.wrapStore = func(db *store.DB) bot.Store { st = &faultyStore{DB: db}; st.failID.Store(""); return st }
	inst := w.start(onRedis)
	r := inst.openReferral("Z100031", offices...)
	asks := inst.asks(r)
	seen, seenDM := map[string]bool{}, map[string]bool{}
	inst.tick()

	w.clock.Set(morning(8))
	st.failID.Store(reminderID(asks["navy"], 0))
	if n := inst.tick(); n != 3 {
		t.Errorf("claimed %d; want 3", n)
	}
	w.checkSent(r, seen, seenDM, expectation{asks["army"], 0, "due in 2", false, false}, expectation{asks["policy"], 0, "due in 2", false, false})
	if got := inst.pending(); got != 3 {
		t.Errorf("queue holds %d reminders; want 3 (navy's handed back, the next of the other two)", got)
	}
	st.failID.Store("")
	w.clock.Set(nyTime(2026, 12, 8, 9, 1))
	inst.tick()
	w.checkSent(r, seen, seenDM, expectation{asks["navy"], 0, "due in 2", false, false})
}
