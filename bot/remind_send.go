package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/referralbot/referralbot/bot/deadline"
)

// deliverReminder records one claimed reminder and queues its Slack messages. A
// reminder that no longer applies (answered, extended, on hold, recommended) is
// dropped; one already recorded (another process, or a redelivery) is not sent again.
func (s *Service) deliverReminder(ctx context.Context, it Scheduled) error {
	askID, due, seq, ok := parseReminderID(it.ID)
	if !ok {
		s.log.Warn("dropping malformed reminder id", "reminder", it.ID)
		return nil
	}
	now := s.now()
	n := s.nudge(due, seq)
	var scheduleNext bool
	err := s.store.Update(ctx, func(tx Tx) error {
		a, err := tx.Ask(ctx, askID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		ref, err := tx.Referral(ctx, a.ReferralID)
		if err != nil {
			return err
		}
		if ref.State != ReferralOpen || !ref.HeldSince.IsZero() || a.State != AskAwaiting || !a.DueDate.Equal(due) {
			return nil // stale: SQLite is the truth
		}
		scheduleNext = n.Kind != deadline.NudgeBefore
		rem := &Reminder{
			ID: it.ID, ReferralID: ref.ID, AskID: a.ID, OfficeCode: a.OfficeCode, Seq: seq,
			Kind: string(n.Kind), DaysLeft: n.BusinessDaysLeft, DueAt: n.At, RecordedAt: now.UTC(),
			Late: now.Sub(n.At) > LateAfter, Escalated: n.Escalate,
		}
		if !a.SnoozedUntil.IsZero() && n.At.Before(a.SnoozedUntil) {
			rem.Skipped = "snoozed"
		}
		created, err := tx.RecordReminder(ctx, rem)
		if err != nil || !created {
			return err
		}
		kind := "reminder.recorded"
		if rem.Skipped != "" {
			kind = "reminder.snoozed"
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, ActorBot, kind, map[string]any{
			"reminder": rem.ID, "office": a.OfficeCode, "kind": rem.Kind, "days_left": rem.DaysLeft,
			"late": rem.Late, "escalated": rem.Escalated,
		})); err != nil {
			return err
		}
		if rem.Skipped != "" {
			return nil
		}
		return s.enqueue(ctx, tx, &Job{Kind: JobSendReminders, ReferralID: ref.ID, AskID: a.ID})
	})
	if err != nil {
		return fmt.Errorf("record reminder %s: %w", it.ID, err)
	}
	if scheduleNext {
		// Overdue reminders are scheduled one at a time: the next business morning's.
		next := s.rules.NextOverdue(due, s.policy, max(seq-len(s.rules.Nudges(due, s.policy, 0))+2, 1))
		if err := s.queue.Schedule(ctx, reminderID(askID, due, next.Seq), next.At); err != nil {
			s.log.Warn("schedule next overdue reminder", "ask", askID, "err", err)
			s.needRebuild.Store(true)
		}
	}
	return nil
}

// sendReminders posts an ask's recorded reminders that have not gone out: in the
// referral channel, and for escalations by direct message to the analyst.
func (s *Service) sendReminders(ctx context.Context, j *Job) error {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	a, err := s.store.Ask(ctx, j.AskID)
	if err != nil {
		return err
	}
	if ref.ChannelID == "" || !ref.Provisioned {
		return errNotReady
	}
	if a.State != AskAwaiting || ref.State != ReferralOpen {
		return nil // answered meanwhile: the reminder is cancelled
	}
	rems, err := s.store.AskReminders(ctx, a.ID)
	if err != nil {
		return err
	}
	resuming := j.mayHaveLostWork()
	for _, rem := range rems {
		if rem.Skipped != "" {
			continue
		}
		if !rem.PostedChannel {
			if _, err := s.postOnce(ctx, ref.ChannelID, ReminderMessage(ref, a, rem, s.roster, s.loc), resuming); err != nil {
				return fmt.Errorf("post reminder %s: %w", rem.ID, err)
			}
			if err := s.markPosted(ctx, rem.ID, true, false); err != nil {
				return err
			}
		}
		if rem.Escalated && !rem.PostedDM {
			dm, err := s.slack.OpenDM(ctx, ref.AnalystID)
			if err != nil {
				return fmt.Errorf("open DM with analyst: %w", err)
			}
			if _, err := s.postOnce(ctx, dm, EscalationDM(ref, a, rem, s.roster), resuming); err != nil {
				return fmt.Errorf("DM escalation %s: %w", rem.ID, err)
			}
			if err := s.markPosted(ctx, rem.ID, false, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) markPosted(ctx context.Context, id string, channel, dm bool) error {
	return s.store.Update(ctx, func(tx Tx) error { return tx.MarkReminderPosted(ctx, id, channel, dm) })
}

// Snooze silences an ask's reminders until the next business morning. Only the
// office's roster may snooze it.
func (s *Service) Snooze(ctx context.Context, actor string, askID int64) (time.Time, error) {
	ref, ask, office, err := s.CheckAnswer(ctx, actor, askID)
	if err != nil {
		return time.Time{}, err
	}
	tomorrow := s.rules.AddBusinessDays(s.Today(), 1)
	until := s.rules.At(tomorrow, s.policy.MorningHour, s.policy.MorningMinute)
	err = s.store.Update(ctx, func(tx Tx) error {
		a, err := tx.Ask(ctx, ask.ID)
		if err != nil {
			return err
		}
		a.SnoozedUntil = until
		if err := tx.UpdateAsk(ctx, a); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, s.event(ref.ID, actor, "reminders.snoozed", map[string]any{
			"office": office.Code, "until": until.UTC().Format(time.RFC3339),
		}))
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("snooze ask %d: %w", askID, err)
	}
	return until, nil
}
