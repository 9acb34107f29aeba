package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/referralbot/referralbot/bot/deadline"
)

// Reminder delivery tuning.
const (
	// ReminderLease is how long a claimed reminder is held before another process may take it.
	ReminderLease = time.Minute
	// LateAfter marks a reminder late when it goes out this long after it was due.
	LateAfter = 10 * time.Minute
	// reminderBatch is how many due reminders one pass claims.
	reminderBatch = 100
	// rebuildBatch is how many reminders a rebuild queues per ScheduleMany.
	rebuildBatch = 4096
	// ReminderReconcile is how often RunReminders rebuilds the queue from SQLite even
	// though it looks intact: a Redis restored from an old snapshot still says it is
	// seeded, and a process that noticed a lost schedule may have died before the rebuild.
	ReminderReconcile = 10 * time.Minute
	// SkippedSuperseded marks a reminder that fell due while a later one of the same
	// due date was also due (the bot or Redis was down): only the later one is sent.
	SkippedSuperseded = "superseded"
	// SkippedSnoozed marks a reminder that fell due while a roster member had snoozed the ask.
	SkippedSnoozed = "snoozed"
)

// reminderID names a reminder by ask, due date and sequence; it changes when the due
// date does, so an extension makes new reminders instead of moving old ones.
func reminderID(askID int64, due time.Time, seq int) string {
	return fmt.Sprintf("ask:%d:due:%s:n:%d", askID, FormatDate(due), seq)
}

// parseReminderID reverses reminderID.
func parseReminderID(id string) (askID int64, due time.Time, seq int, ok bool) {
	parts := strings.Split(id, ":")
	if len(parts) != 6 || parts[0] != "ask" || parts[2] != "due" || parts[4] != "n" {
		return 0, time.Time{}, 0, false
	}
	askID, err1 := strconv.ParseInt(parts[1], 10, 64)
	due, err2 := ParseDate(parts[3])
	seq, err3 := strconv.Atoi(parts[5])
	return askID, due, seq, err1 == nil && err2 == nil && err3 == nil && seq >= 0
}

// nudge returns the policy's reminder number seq for a due date.
func (s *Service) nudge(due time.Time, seq int) deadline.Nudge {
	regular := s.rules.Nudges(due, s.policy, 0)
	if seq < len(regular) {
		return regular[seq]
	}
	return s.rules.NextOverdue(due, s.policy, seq-len(regular)+1)
}

// overdueBy returns how many overdue reminders of the due date have fallen due by
// now. It estimates from the business days elapsed and then checks, so a long
// overdue ask costs a few calendar walks, not one per reminder.
func (s *Service) overdueBy(due, now time.Time) int {
	every := max(s.policy.OverdueEvery, 1)
	elapsed := s.rules.BusinessDaysBetween(s.rules.BusinessDayOnOrBefore(due), s.rules.Date(now))
	k := max(elapsed/every, 0)
	for k > 0 && s.rules.NextOverdue(due, s.policy, k).At.After(now) {
		k--
	}
	for !s.rules.NextOverdue(due, s.policy, k+1).At.After(now) {
		k++
	}
	return k
}

// latestDue returns the newest reminder of the due date that has fallen due by
// now, if any. It is the one reminder worth sending after an outage: the older
// ones it supersedes would only repeat it with stale numbers.
func (s *Service) latestDue(due, now time.Time) (deadline.Nudge, bool) {
	if k := s.overdueBy(due, now); k > 0 {
		return s.rules.NextOverdue(due, s.policy, k), true
	}
	regular := s.rules.Nudges(due, s.policy, 0)
	for i := len(regular) - 1; i >= 0; i-- {
		if !regular[i].At.After(now) {
			return regular[i], true
		}
	}
	return deadline.Nudge{}, false
}

// duePlan is the policy's reminders for one due date as they stand at one moment:
// the same for every ask due that day, so a rebuild computes it once per date.
type duePlan struct {
	regular     []deadline.Nudge // before and due
	nextOverdue deadline.Nudge   // the first overdue reminder still ahead
	latest      deadline.Nudge   // the newest reminder already due, if any
	hasLatest   bool
}

func (s *Service) plan(due, now time.Time) duePlan {
	p := duePlan{regular: s.rules.Nudges(due, s.policy, 0)}
	p.nextOverdue = s.rules.NextOverdue(due, s.policy, s.overdueBy(due, now)+1)
	p.latest, p.hasLatest = s.latestDue(due, now)
	return p
}

// wantedReminders is what the queue should hold for an awaiting ask at now: its
// next reminder, and the latest one already due if
// it was owed (due after the due date took effect) and not recorded, to go out at
// once, late. Older unrecorded ones are superseded by it, and nothing is wanted
// for the past once the latest due reminder is recorded.
func (s *Service) wantedReminders(a *Ask, now time.Time, recorded map[string]bool) []Scheduled {
	return wantedFrom(s.plan(a.DueDate, now), a, now, recorded)
}

func wantedFrom(p duePlan, a *Ask, now time.Time, recorded map[string]bool) []Scheduled {
	var out []Scheduled
	// Only the next reminder is queued: delivering it queues the one after, so the
	// queue holds one entry per awaiting ask rather than its whole future.
	next := p.nextOverdue
	for _, n := range p.regular {
		if n.At.After(now) {
			next = n
			break
		}
	}
	if id := reminderID(a.ID, a.DueDate, next.Seq); !recorded[id] {
		out = append(out, Scheduled{ID: id, At: next.At})
	}
	if p.hasLatest && !p.latest.At.Before(a.DueSetAt) {
		if id := reminderID(a.ID, a.DueDate, p.latest.Seq); !recorded[id] {
			out = append(out, Scheduled{ID: id, At: now})
		}
	}
	return out
}

// recordedIDs returns the ids of the reminders already recorded for an ask.
func (s *Service) recordedIDs(ctx context.Context, askID int64) (map[string]bool, error) {
	rems, err := s.store.AskReminders(ctx, askID)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(rems))
	for _, r := range rems {
		ids[r.ID] = true
	}
	return ids, nil
}

// scheduleAsks puts the asks' reminders in the queue. A queue failure is not the
// caller's failure: SQLite holds the truth and the next pass rebuilds the queue.
func (s *Service) scheduleAsks(ctx context.Context, asks []*Ask) {
	now := s.now()
	var items []Scheduled
	for _, a := range asks {
		if a.State != AskAwaiting {
			continue
		}
		recorded, err := s.recordedIDs(ctx, a.ID)
		if err != nil {
			s.log.Error("read reminders", "ask", a.ID, "err", err)
			s.needRebuild.Store(true)
			return
		}
		items = append(items, s.wantedReminders(a, now, recorded)...)
	}
	if len(items) == 0 {
		return
	}
	// On the acknowledgement's path: a queue that does not answer in QueueBudget is
	// left to the rebuild from SQLite, which queues the same reminders.
	if err := within(ctx, QueueBudget, func(ctx context.Context) error { return s.queue.ScheduleMany(ctx, items) }); err != nil {
		s.log.Warn("reminder queue unavailable; will rebuild", "err", err)
		s.needRebuild.Store(true)
	}
}

// cancelAsks removes the asks' reminders (for their current due dates) from the
// queue. Should it fail, delivery still checks SQLite and drops stale reminders.
func (s *Service) cancelAsks(ctx context.Context, asks []*Ask) {
	now := s.now()
	var ids []string
	for _, a := range asks {
		// The regular reminders, the latest overdue one (a rebuild may have queued it)
		// and the next: older overdue ones left the queue when the next was queued.
		regular := len(s.rules.Nudges(a.DueDate, s.policy, 0))
		seqs := make([]int, 0, regular+2)
		for seq := range regular {
			seqs = append(seqs, seq)
		}
		k := s.overdueBy(a.DueDate, now)
		if k > 0 {
			seqs = append(seqs, s.rules.NextOverdue(a.DueDate, s.policy, k).Seq)
		}
		seqs = append(seqs, s.rules.NextOverdue(a.DueDate, s.policy, k+1).Seq)
		for _, seq := range seqs {
			ids = append(ids, reminderID(a.ID, a.DueDate, seq))
		}
	}
	// One round trip for them all, within QueueBudget: this runs on the
	// acknowledgement's path.
	if err := within(ctx, QueueBudget, func(ctx context.Context) error { return s.queue.Cancel(ctx, ids...) }); err != nil {
		s.log.Warn("cancel reminders", "asks", len(asks), "err", err)
	}
}

// RebuildReminders rebuilds the queue from SQLite: at start-up, and whenever the
// queue comes back empty (Redis flushed or restarted).
func (s *Service) RebuildReminders(ctx context.Context) error {
	s.needRebuild.Store(false)
	recorded, err := s.store.AwaitingReminderIDs(ctx)
	if err != nil {
		s.needRebuild.Store(true)
		return fmt.Errorf("rebuild reminders: %w", err)
	}
	now := s.now()
	plans := map[time.Time]duePlan{} // asks share a few dozen due dates
	// The asks are streamed and their reminders queued rebuildBatch at a time, so
	// memory stays flat however many referrals are open.
	items := make([]Scheduled, 0, rebuildBatch+2)
	var asks, queued int
	flush := func() error {
		queued += len(items)
		err := s.queue.ScheduleMany(ctx, items)
		items = items[:0]
		return err
	}
	err = s.store.EachAwaitingDue(ctx, func(d AwaitingDue) error {
		asks++
		p, ok := plans[d.DueDate]
		if !ok {
			p = s.plan(d.DueDate, now)
			plans[d.DueDate] = p
		}
		a := Ask{ID: d.AskID, DueDate: d.DueDate, DueSetAt: d.DueSetAt}
		items = append(items, wantedFrom(p, &a, now, recorded[d.AskID])...)
		if len(items) >= rebuildBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		s.needRebuild.Store(true)
		return fmt.Errorf("rebuild reminders: %w", err)
	}
	if err := s.queue.MarkSeeded(ctx); err != nil {
		s.needRebuild.Store(true)
		return fmt.Errorf("rebuild reminders: %w", err)
	}
	s.log.Info("reminder schedule rebuilt", "asks", asks, "reminders", queued)
	return nil
}

// ProcessReminders makes one pass: rebuild the queue if it lost its schedule, then
// claim the reminders due now and record each (queuing its Slack messages). It
// returns how many it claimed.
func (s *Service) ProcessReminders(ctx context.Context) (int, error) {
	if err := s.morningPass(ctx); err != nil {
		s.log.Warn("morning digests", "err", err)
	}
	seeded, err := s.queue.Seeded(ctx)
	if err != nil {
		s.needRebuild.Store(true)
		return 0, fmt.Errorf("reminder queue: %w", err)
	}
	if !seeded || s.needRebuild.Load() {
		if err := s.RebuildReminders(ctx); err != nil {
			return 0, err
		}
	}
	items, err := s.queue.Claim(ctx, s.now(), ReminderLease, reminderBatch)
	if err != nil {
		return 0, fmt.Errorf("claim reminders: %w", err)
	}
	if len(items) == 0 {
		return 0, nil
	}
	failed := map[string]bool{}
	for _, it := range s.deliverReminders(ctx, items) {
		failed[it.ID] = true
		// Hand it back so the next pass tries again.
		if err := s.queue.Release(ctx, it.ID, it.Token); err != nil {
			s.log.Warn("release reminder", "reminder", it.ID, "err", err)
		}
	}
	done := make([]Scheduled, 0, len(items))
	for _, it := range items {
		if !failed[it.ID] {
			done = append(done, it)
		}
	}
	if err := s.queue.AckMany(ctx, done); err != nil {
		s.log.Warn("ack reminders", "reminders", len(done), "err", err)
	}
	s.Kick()
	return len(items), nil
}

// RunReminders rebuilds the queue from SQLite (start-up), then claims due
// reminders every tick until ctx ends: a pass that found a full batch is followed
// at once by another, so a busy morning is not spread over many ticks. Every
// ReminderReconcile it rebuilds again, in case Redis lost part of the schedule
// without looking empty.
func (s *Service) RunReminders(ctx context.Context, tick time.Duration) {
	if err := s.RebuildReminders(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("reminders: rebuild at start-up failed; will retry", "err", err)
		s.needRebuild.Store(true)
	}
	// The start-up rebuild reads every awaiting ask once; hand that memory back to the
	// system now rather than keep it for the process's lifetime.
	debug.FreeOSMemory()
	rebuilt := s.now()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if s.now().Sub(rebuilt) >= ReminderReconcile {
			s.needRebuild.Store(true)
			rebuilt = s.now()
		}
		for ctx.Err() == nil {
			// A pass runs to its end even during shutdown, so that what it claimed is
			// recorded or handed back, never left leased.
			n, err := s.ProcessReminders(context.WithoutCancel(ctx))
			if err != nil && ctx.Err() == nil {
				s.log.Warn("reminders", "err", err)
			}
			if err != nil || n < reminderBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
