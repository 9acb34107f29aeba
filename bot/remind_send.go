package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/referralbot/referralbot/bot/deadline"
)

// delivery is one claimed reminder on its way into SQLite.
type delivery struct {
	it      Scheduled
	askID   int64
	due     time.Time
	seq     int
	claimed deadline.Nudge  // the reminder the queue handed out
	latest  deadline.Nudge  // the newest one of its due date due by now: the one to send
	next    *deadline.Nudge // the overdue reminder to queue after it, once recorded
	sent    []bool          // for metrics: each reminder recorded to be sent, and whether late
}

// newDelivery reads a claimed reminder's id; false for an id the bot did not make.
func (s *Service) newDelivery(it Scheduled, now time.Time) (*delivery, bool) {
	askID, due, seq, ok := parseReminderID(it.ID)
	if !ok {
		return nil, false
	}
	d := &delivery{it: it, askID: askID, due: due, seq: seq, claimed: s.nudge(due, seq)}
	latest, ok := s.latestDue(due, now)
	if !ok || latest.Seq < seq {
		latest = d.claimed // claimed early by a clock running behind; send what was claimed
	}
	d.latest = latest
	return d, true
}

// deliverReminders records claimed reminders and queues their Slack messages, all
// in one transaction; should that fail, each is tried on its own. It returns the
// reminders that could not be recorded, to be handed back to the queue.
func (s *Service) deliverReminders(ctx context.Context, items []Scheduled) []Scheduled {
	now := s.now()
	var ds []*delivery
	for _, it := range items {
		if d, ok := s.newDelivery(it, now); ok {
			ds = append(ds, d)
		} else {
			s.log.Warn("dropping malformed reminder id", "reminder", it.ID)
		}
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		for _, d := range ds {
			if err := s.record(ctx, tx, d, now); err != nil {
				return fmt.Errorf("record reminder %s: %w", d.it.ID, err)
			}
		}
		return nil
	})
	var failed []Scheduled
	if err != nil {
		// One bad reminder must not hold back the others.
		s.log.Warn("recording reminders together failed; one at a time", "reminders", len(ds), "err", err)
		for _, d := range ds {
			if err := s.store.Update(ctx, func(tx Tx) error { return s.record(ctx, tx, d, now) }); err != nil {
				s.log.Error("deliver reminder", "reminder", d.it.ID, "err", err)
				failed = append(failed, d.it)
				d.next, d.sent = nil, nil
			}
		}
	}
	for _, d := range ds {
		for _, late := range d.sent {
			s.observe.ReminderRecorded(late)
		}
		if d.next == nil {
			continue
		}
		if err := s.queue.Schedule(ctx, reminderID(d.askID, d.due, d.next.Seq), d.next.At); err != nil {
			s.log.Warn("schedule next overdue reminder", "ask", d.askID, "err", err)
			s.needRebuild.Store(true)
		}
	}
	return failed
}

// record writes one claimed reminder in tx and queues its Slack messages. A
// reminder that no longer applies (answered, extended, on hold, recommended) is
// dropped; one already recorded (another process, or a redelivery) is not sent
// again. When a later reminder of the same due date has also fallen due (the bot
// or Redis was down), the claimed one is recorded as superseded and the latest one
// is sent in its place, late: an outage ends in one reminder per office, not a burst.
func (s *Service) record(ctx context.Context, tx Tx, d *delivery, now time.Time) error {
	d.next, d.sent = nil, nil
	a, err := tx.Ask(ctx, d.askID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	ref, err := tx.Referral(ctx, a.ReferralID)
	if err != nil {
		return err
	}
	if ref.State != ReferralOpen || !ref.HeldSince.IsZero() || a.State != AskAwaiting || !a.DueDate.Equal(d.due) ||
		d.latest.At.Before(a.DueSetAt) {
		return nil // stale: SQLite is the truth
	}
	// Reminders are queued one at a time per ask: once one goes out, the next.
	n := s.nudge(d.due, d.latest.Seq+1)
	d.next = &n
	var rems []*Reminder
	if d.latest.Seq != d.seq && !d.claimed.At.Before(a.DueSetAt) {
		rem := s.newReminder(ref, a, d.it.ID, d.claimed, now)
		rem.Skipped = SkippedSuperseded
		rems = append(rems, rem)
	}
	rem := s.newReminder(ref, a, reminderID(a.ID, d.due, d.latest.Seq), d.latest, now)
	if !a.SnoozedUntil.IsZero() && d.latest.At.Before(a.SnoozedUntil) {
		rem.Skipped = SkippedSnoozed
	}
	rems = append(rems, rem)
	send := false
	for _, rem := range rems {
		created, err := tx.RecordReminder(ctx, rem)
		if err != nil {
			return err
		}
		if !created {
			continue
		}
		kind := "reminder.recorded"
		if rem.Skipped != "" {
			kind = "reminder." + rem.Skipped
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, ActorBot, kind, map[string]any{
			"reminder": rem.ID, "office": a.OfficeCode, "kind": rem.Kind, "days_left": rem.DaysLeft,
			"late": rem.Late, "escalated": rem.Escalated,
		})); err != nil {
			return err
		}
		if rem.Skipped == "" {
			send = true
			d.sent = append(d.sent, rem.Late)
		}
	}
	if !send {
		return nil
	}
	// One job per referral: a pending one absorbs the other offices' reminders.
	return s.enqueue(ctx, tx, &Job{Kind: JobSendReminders, ReferralID: ref.ID})
}

// newReminder is the record of nudge n for an ask, taken from the queue at now.
func (s *Service) newReminder(ref *Referral, a *Ask, id string, n deadline.Nudge, now time.Time) *Reminder {
	return &Reminder{
		ID: id, ReferralID: ref.ID, AskID: a.ID, OfficeCode: a.OfficeCode, Seq: n.Seq,
		Kind: string(n.Kind), DaysLeft: n.BusinessDaysLeft, DueAt: n.At, RecordedAt: now.UTC(),
		Late: now.Sub(n.At) > LateAfter, Escalated: n.Escalate,
	}
}

// sendReminders posts the referral's newest recorded reminder of each office that
// has not gone out (of one office when the job names an ask), as a reply in the
// thread of the office's ask. One job serves a
// referral's whole morning, since its offices' reminders fall due together.
//
// Older unposted reminders (Slack was down, or the job waited out retries) are not
// posted after a newer one, nor reminders for a due date the ask no longer has, nor
// anything while the referral is on hold: their numbers would be wrong.
func (s *Service) sendReminders(ctx context.Context, j *Job) error {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if ref.ChannelID == "" || !ref.Provisioned {
		return errNotReady
	}
	if ref.State != ReferralOpen || !ref.HeldSince.IsZero() {
		return nil // recommended or held meanwhile: the reminders are cancelled
	}
	var asks []*Ask
	if j.AskID != 0 {
		a, err := s.store.Ask(ctx, j.AskID)
		if err != nil {
			return err
		}
		asks = []*Ask{a}
	} else if asks, err = s.store.Asks(ctx, ref.ID); err != nil {
		return err
	}
	rems, err := s.store.Reminders(ctx, ref.ID)
	if err != nil {
		return err
	}
	newest := map[int64]*Reminder{} // by ask: the newest reminder of its current due date
	dueOf := map[int64]time.Time{}
	for _, a := range asks {
		dueOf[a.ID] = a.DueDate
	}
	for _, r := range rems {
		if _, due, _, ok := parseReminderID(r.ID); ok && due.Equal(dueOf[r.AskID]) {
			if cur := newest[r.AskID]; cur == nil || r.Seq > cur.Seq {
				newest[r.AskID] = r
			}
		}
	}
	out := &reminderPosts{resuming: j.LostWork}
	for _, a := range asks {
		if rem := newest[a.ID]; rem != nil && a.State == AskAwaiting { // answered meanwhile: cancelled
			if err := s.sendReminder(ctx, ref, a, rem, out); err != nil {
				// Note what did go out, so that a retry after Slack's answer does not repeat it.
				if merr := s.markPosted(ctx, out.posted); merr != nil {
					return fmt.Errorf("%w (after: %v)", merr, err)
				}
				return err
			}
		}
	}
	return s.markPosted(ctx, out.posted)
}

// reminderPosts is what one sendReminders run has posted so far.
type reminderPosts struct {
	resuming bool // an earlier attempt may have posted without noting it
	posted   []postedReminder
}

// postedReminder is a reminder message that went out: in the channel or by DM.
type postedReminder struct {
	id          string
	channel, dm bool
}

// sendReminder posts what of one recorded reminder has not gone out yet.
func (s *Service) sendReminder(ctx context.Context, ref *Referral, a *Ask, rem *Reminder, out *reminderPosts) error {
	// An escalation reaches the analyst in the morning's one direct message about all
	// their overdue offices (digest.go), not one message per reminder.
	if rem.Skipped != "" || rem.PostedChannel {
		return nil
	}
	if late := *rem; !late.Late && s.now().Sub(late.DueAt) > LateAfter {
		late.Late = true // recorded in time but held up on its way to Slack
		rem = &late
	}
	if err := s.postReminder(ctx, ref, a, rem); err != nil {
		return err
	}
	out.posted = append(out.posted, postedReminder{id: rem.ID, channel: true})
	return nil
}

// postReminder posts a reminder as a reply in its ask's thread, so the channel sees
// one top-level post per ask.
func (s *Service) postReminder(ctx context.Context, ref *Referral, a *Ask, rem *Reminder) error {
	if a.MessageTS == "" {
		return errNotReady // the ask is not posted yet: its reminders go in its thread
	}
	m := ReminderMessage(ref, a, rem, s.roster)
	m.ThreadTS = a.MessageTS
	if _, err := s.slack.PostMessage(ctx, a.Channel(ref), m); err != nil {
		return fmt.Errorf("post reminder %s: %w", rem.ID, err)
	}
	return nil
}

// markPosted notes in one transaction the reminder messages that went out.
func (s *Service) markPosted(ctx context.Context, posted []postedReminder) error {
	if len(posted) == 0 {
		return nil
	}
	return s.store.Update(ctx, func(tx Tx) error {
		for _, p := range posted {
			if err := tx.MarkReminderPosted(ctx, p.id, p.channel, p.dm); err != nil {
				return err
			}
		}
		return nil
	})
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
