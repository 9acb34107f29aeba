package bot

import (
	"context"
	"fmt"
	"strings"
)

// ReminderManual is the Kind of a reminder the analyst sent by hand (/referral remind).
const ReminderManual = "manual"

// nudgeID names a manual reminder by ask and minute: a command sent twice within
// the same minute (a double submit, a retry) records, and posts, one reminder.
// The scheduled reminders' ids (remind.go) have another shape, so their delivery
// never mistakes one of these for its own.
func nudgeID(askID int64, unixMinute int64) string {
	return fmt.Sprintf("ask:%d:manual:%d", askID, unixMinute)
}

// isNudgeID reports whether a reminder id is a manual reminder's.
func isNudgeID(id string) bool {
	parts := strings.Split(id, ":")
	return len(parts) == 4 && parts[0] == "ask" && parts[2] == ReminderManual
}

// Nudge is the outcome of /referral remind.
type Nudge struct {
	Referral *Referral
	Offices  []string // codes of the offices reminded now
	Repeated []string // codes of those already reminded by hand this minute
}

// Remind sends, now, a reminder to every office still awaiting a position on the
// referral (or only to office): recorded like the scheduled ones, so that the
// record shows it, and posted in the referral's channel by the outbox. Analysts
// only; not while the referral is on hold, nor after the final recommendation.
func (s *Service) Remind(ctx context.Context, actor string, referralID int64, office string) (*Nudge, error) {
	if !s.roster.IsAnalyst(actor) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can remind the offices.")
	}
	cover, cerr := s.covering(ctx, referralID, actor, "remind the offices on")
	if cerr != nil {
		return nil, cerr
	}
	now := s.now().UTC()
	today := s.Today()
	n := &Nudge{}
	err := s.store.Update(ctx, func(tx Tx) error {
		*n = Nudge{}
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		n.Referral = ref
		switch {
		case ref.State != ReferralOpen:
			return Errorf(ECLOSED, "The final recommendation on %s is recorded; no office owes a position any more.", ref.CaseNumber)
		case !ref.HeldSince.IsZero() && !ref.ManualHold:
			return Errorf(ECONFLICT, "Offices' questions on %s are out since %s, so its offices are not being chased. Record the answer first (`/referral answer`).", ref.CaseNumber, FormatDate(ref.HeldSince))
		case !ref.HeldSince.IsZero():
			return Errorf(ECONFLICT, "%s is on hold since %s, so its offices are not being chased. `/referral resume` first.", ref.CaseNumber, FormatDate(ref.HeldSince))
		case !ref.Provisioned:
			return Errorf(ECONFLICT, "The channel of %s is still being set up; try again in a minute (`/referral status %s` says why, if it is held up).", ref.CaseNumber, ref.CaseNumber)
		}
		asks, err := tx.Asks(ctx, referralID)
		if err != nil {
			return err
		}
		var awaiting []*Ask
		for _, a := range asks {
			if a.State == AskAwaiting && (office == "" || a.OfficeCode == office) {
				awaiting = append(awaiting, a)
			}
		}
		if len(awaiting) == 0 {
			return s.nothingToRemind(ref, asks, office)
		}
		sent := false
		for _, a := range awaiting {
			rem := &Reminder{
				ID: nudgeID(a.ID, now.Unix()/60), ReferralID: ref.ID, AskID: a.ID, OfficeCode: a.OfficeCode,
				Kind: ReminderManual, DaysLeft: s.rules.BusinessDaysBetween(today, a.DueDate),
				DueAt: now, RecordedAt: now,
			}
			created, err := tx.RecordReminder(ctx, rem)
			if err != nil {
				return err
			}
			if !created {
				n.Repeated = append(n.Repeated, a.OfficeCode)
				continue
			}
			n.Offices = append(n.Offices, a.OfficeCode)
			sent = true
			if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "reminder.manual", map[string]any{
				"reminder": rem.ID, "office": a.OfficeCode, "days_left": rem.DaysLeft,
			})); err != nil {
				return err
			}
		}
		if !sent {
			return nil
		}
		return s.enqueue(ctx, tx, &Job{Kind: JobSendNudges, ReferralID: ref.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("remind offices on referral %d: %w", referralID, err)
	}
	s.Kick()
	s.tellCovered(ctx, cover, actor, "reminded the offices now")
	return n, nil
}

// nothingToRemind explains why no office was reminded.
func (s *Service) nothingToRemind(ref *Referral, asks []*Ask, office string) error {
	if office == "" {
		return Errorf(ECONFLICT, "Every office has answered on %s: nobody to remind.", ref.CaseNumber)
	}
	var waiting []string
	for _, a := range asks {
		if a.OfficeCode == office {
			return Errorf(ECONFLICT, "%s has already answered on %s.", s.roster.OfficeName(office), ref.CaseNumber)
		}
		if a.State == AskAwaiting {
			waiting = append(waiting, a.OfficeCode)
		}
	}
	if len(waiting) == 0 {
		return Errorf(EINVALID, "%q is not asked on %s, and every office asked has answered.", office, ref.CaseNumber)
	}
	return Errorf(EINVALID, "%q is not an office asked on %s. Offices still awaited: %s.", office, ref.CaseNumber, strings.Join(waiting, ", "))
}

// sendNudges posts the referral's manual reminders that have not gone out. One
// whose office answered meanwhile is not posted: its moment has passed.
func (s *Service) sendNudges(ctx context.Context, j *Job) error {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if ref.State != ReferralOpen {
		return nil
	}
	rems, err := s.store.Reminders(ctx, ref.ID)
	if err != nil {
		return err
	}
	for _, rem := range rems {
		if !isNudgeID(rem.ID) || rem.PostedChannel || rem.Skipped != "" {
			continue
		}
		a, err := s.store.Ask(ctx, rem.AskID)
		if err != nil {
			return err
		}
		if a.State != AskAwaiting {
			continue
		}
		if err := s.postReminder(ctx, ref, a, rem); err != nil {
			return err
		}
		if err := s.store.Update(ctx, func(tx Tx) error { return tx.MarkReminderPosted(ctx, rem.ID, true, false) }); err != nil {
			return err
		}
	}
	return nil
}
