package bot

import (
	"context"
	"fmt"
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
	// maxOverdueScan bounds the overdue reminders looked at for one very old ask.
	maxOverdueScan = 2000
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

// wantedReminders is what the queue should hold for an awaiting ask at now: every
// future reminder up to the first overdue one, and the latest one missed since the
// due date took effect (to go out at once, late), never one already recorded.
func (s *Service) wantedReminders(a *Ask, now time.Time, recorded map[string]bool) []Scheduled {
	var out []Scheduled
	var missed *Scheduled
	consider := func(n deadline.Nudge) (future bool) {
		id := reminderID(a.ID, a.DueDate, n.Seq)
		switch {
		case recorded[id]:
		case n.At.After(now):
			out = append(out, Scheduled{ID: id, At: n.At})
			return true
		case !n.At.Before(a.DueSetAt):
			missed = &Scheduled{ID: id, At: now}
		}
		return n.At.After(now)
	}
	for _, n := range s.rules.Nudges(a.DueDate, s.policy, 0) {
		consider(n)
	}
	for k := 1; k <= maxOverdueScan; k++ {
		if consider(s.rules.NextOverdue(a.DueDate, s.policy, k)) {
			break
		}
	}
	if missed != nil {
		out = append(out, *missed)
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
	if err := s.queue.ScheduleMany(ctx, items); err != nil {
		s.log.Warn("reminder queue unavailable; will rebuild", "err", err)
		s.needRebuild.Store(true)
	}
}

// cancelAsks removes the asks' reminders (for their current due dates) from the
// queue. Should it fail, delivery still checks SQLite and drops stale reminders.
func (s *Service) cancelAsks(ctx context.Context, asks []*Ask) {
	now := s.now()
	for _, a := range asks {
		seqs := len(s.rules.Nudges(a.DueDate, s.policy, 0))
		for k := 1; k <= maxOverdueScan; k++ {
			seqs++
			if s.rules.NextOverdue(a.DueDate, s.policy, k).At.After(now) {
				break
			}
		}
		for seq := range seqs {
			if err := s.queue.Cancel(ctx, reminderID(a.ID, a.DueDate, seq)); err != nil {
				s.log.Warn("cancel reminder", "ask", a.ID, "err", err)
				return
			}
		}
	}
}

// RebuildReminders rebuilds the queue from SQLite: at start-up, and whenever the
// queue comes back empty (Redis flushed or restarted).
func (s *Service) RebuildReminders(ctx context.Context) error {
	asks, err := s.store.AwaitingAsks(ctx)
	if err != nil {
		return fmt.Errorf("rebuild reminders: %w", err)
	}
	s.needRebuild.Store(false)
	now := s.now()
	var items []Scheduled
	for _, a := range asks {
		recorded, err := s.recordedIDs(ctx, a.ID)
		if err != nil {
			s.needRebuild.Store(true)
			return fmt.Errorf("rebuild reminders: %w", err)
		}
		items = append(items, s.wantedReminders(a, now, recorded)...)
	}
	if err := s.queue.ScheduleMany(ctx, items); err != nil {
		s.needRebuild.Store(true)
		return fmt.Errorf("rebuild reminders: %w", err)
	}
	if err := s.queue.MarkSeeded(ctx); err != nil {
		s.needRebuild.Store(true)
		return fmt.Errorf("rebuild reminders: %w", err)
	}
	s.log.Info("reminder schedule rebuilt", "asks", len(asks), "reminders", len(items))
	return nil
}

// ProcessReminders makes one pass: rebuild the queue if it lost its schedule, then
// claim the reminders due now and record each (queuing its Slack messages). It
// returns how many it claimed.
func (s *Service) ProcessReminders(ctx context.Context) (int, error) {
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
	for _, it := range items {
		if err := s.deliverReminder(ctx, it); err != nil {
			s.log.Error("deliver reminder", "reminder", it.ID, "err", err)
			// Hand it back so the next pass tries again.
			if rerr := s.queue.Release(ctx, it.ID, it.Token); rerr != nil {
				s.log.Warn("release reminder", "reminder", it.ID, "err", rerr)
			}
			continue
		}
		if err := s.queue.Ack(ctx, it.ID, it.Token); err != nil {
			s.log.Warn("ack reminder", "reminder", it.ID, "err", err)
		}
	}
	if len(items) > 0 {
		s.Kick()
	}
	return len(items), nil
}

// RunReminders runs ProcessReminders every tick until ctx ends.
func (s *Service) RunReminders(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := s.ProcessReminders(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
