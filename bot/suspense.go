package bot

// The offices' suspense dates: extend, hold and resume move when each office's
// position is due. They are DoD's internal deadlines. None of them moves the DoD
// due date, the licensing agency's deadline: only the agency moves that (see
// agencyclock.go).

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ExtendTarget "all" moves every awaiting office's due date; any other value names
// one office. ExtendDoD is refused: it names the DoD due date, which only the
// licensing agency moves (RecordAgencyClock); records from before that rule may
// still carry it as a due.changed target.
const (
	ExtendAll = "all"
	ExtendDoD = "dod"
)

// Extend changes the offices' suspense dates, with a required reason that goes into
// the event log, and reschedules the reminders. Analysts only. The new date may not
// fall after the DoD due date.
func (s *Service) Extend(ctx context.Context, actor string, referralID int64, target string, newDue time.Time, reason string) error {
	if !s.roster.IsAnalyst(actor) {
		return Errorf(EFORBIDDEN, "Only licensing analysts can change due dates.")
	}
	cover, cerr := s.covering(ctx, referralID, actor, "change the due dates of")
	if cerr != nil {
		return cerr
	}
	reason = strings.TrimSpace(reason)
	p := map[string]string{}
	checkText(p, "reason", reason, "the reason", true, MaxLongText, false)
	if msg := SuspenseProblem(newDue, time.Time{}, s.Today()); msg != "" {
		return Errorf(EINVALID, "%s", msg)
	}
	if msg := p["reason"]; msg != "" {
		return Errorf(EINVALID, "%s A due date change needs a reason, e.g. `/referral extend army 2026-12-18 waiting on a technical question`.", msg)
	}
	if target == ExtendDoD {
		return Errorf(EINVALID, "The DoD due date is the licensing agency's deadline: an extend or a hold never moves it. "+
			"When BIS or DDTC stops its clock or grants more time, record that with its reference: %s", AgencyClockUsage)
	}
	var before, after []*Ask
	held := false
	err := s.store.Update(ctx, func(tx Tx) error {
		before, after = nil, nil
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		held = !ref.HeldSince.IsZero()
		if ref.State != ReferralOpen {
			return Errorf(ECLOSED, "The final recommendation on %s is recorded; its due dates are closed.", ref.CaseNumber)
		}
		if msg := SuspenseProblem(newDue, ref.DoDDueDate, s.Today()); msg != "" {
			return Errorf(EINVALID, "%s If BIS or DDTC has stopped its clock or granted more time, record that first: %s", msg, AgencyClockUsage)
		}
		detail := map[string]any{"target": target, "to": FormatDate(newDue), "reason": reason}
		asks, err := tx.Asks(ctx, referralID)
		if err != nil {
			return err
		}
		for _, a := range asks {
			// An office that answered has no due date left to move.
			if a.State == AskAwaiting && (target == ExtendAll || a.OfficeCode == target) {
				old := *a
				before = append(before, &old)
				a.DueDate, a.DueSetAt = newDue, s.now().UTC()
				if err := tx.UpdateAsk(ctx, a); err != nil {
					return err
				}
				after = append(after, a)
				if err := s.enqueue(ctx, tx, &Job{Kind: JobUpdateAsk, ReferralID: ref.ID, AskID: a.ID}); err != nil {
					return err
				}
			}
		}
		if len(after) == 0 {
			return Errorf(EINVALID, "No office %q awaits a position on %s. Use an office code (%s) or `all`.", target, ref.CaseNumber, strings.Join(s.officeCodes(asks), ", "))
		}
		detail["offices"] = len(after)
		detail["from"] = FormatDate(before[0].DueDate)
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "due.changed", detail)); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, &Job{Kind: JobUpdateSummary, ReferralID: ref.ID}, &Job{Kind: JobRefreshHome, ReferralID: ref.ID})
	})
	if err != nil {
		return fmt.Errorf("extend referral %d: %w", referralID, err)
	}
	s.cancelAsks(ctx, before)
	if !held { // a held referral's reminders are scheduled when it resumes
		s.scheduleAsks(ctx, after)
	}
	s.Kick()
	s.tellCovered(ctx, cover, actor, fmt.Sprintf("moved %s's suspense to %s (reason: %s)", target, FormatDate(newDue), reason))
	return nil
}

func (s *Service) officeCodes(asks []*Ask) []string {
	var out []string
	for _, a := range asks {
		out = append(out, a.OfficeCode)
	}
	return out
}

// Hold pauses the offices' suspense clock (for instance while the analyst waits on
// something the offices cannot see): no reminders go out until it resumes. The
// DoD due date runs on. Analysts only. When the clock is already stopped because an
// office's questions are out, the hold keeps it stopped after their answer is
// recorded, until /referral resume.
func (s *Service) Hold(ctx context.Context, actor string, referralID int64, reason string) error {
	if !s.roster.IsAnalyst(actor) {
		return Errorf(EFORBIDDEN, "Only licensing analysts can put a referral on hold.")
	}
	cover, cerr := s.covering(ctx, referralID, actor, "put on hold")
	if cerr != nil {
		return cerr
	}
	// The reason goes into the append-only event log: the same text rules as every other.
	reason = strings.TrimSpace(reason)
	p := map[string]string{}
	checkText(p, "reason", reason, "the reason", false, MaxLongText, false)
	if msg := p["reason"]; msg != "" {
		return Errorf(EINVALID, "%s Nothing was changed.", msg)
	}
	var asks []*Ask
	err := s.store.Update(ctx, func(tx Tx) error {
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		switch {
		case ref.State != ReferralOpen:
			return Errorf(ECLOSED, "The final recommendation on %s is recorded; there is no clock to hold.", ref.CaseNumber)
		case ref.ManualHold:
			return Errorf(ECONFLICT, "%s is already on hold since %s.", ref.CaseNumber, FormatDate(ref.HeldSince))
		}
		detail := map[string]any{"reason": reason, "cause": "analyst"}
		if ref.HeldSince.IsZero() {
			ref.HeldSince = s.now().UTC()
		} else {
			detail["stopped_since"] = ref.HeldSince.Format(time.RFC3339) // by questions out
		}
		ref.ManualHold = true
		if err := tx.UpdateReferral(ctx, ref); err != nil {
			return err
		}
		if asks, err = tx.Asks(ctx, referralID); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "clock.held", detail)); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, &Job{Kind: JobUpdateSummary, ReferralID: ref.ID}, &Job{Kind: JobRefreshHome, ReferralID: ref.ID})
	})
	if err != nil {
		return fmt.Errorf("hold referral %d: %w", referralID, err)
	}
	s.cancelAsks(ctx, asks)
	s.Kick()
	s.tellCovered(ctx, cover, actor, "put the offices' suspense on hold (reason: "+reason+")")
	return nil
}

// Resumed is what Resume did: the business days on hold by which the offices'
// suspense dates moved, and the DoD due date, which did not move. Capped is set when
// a suspense date stopped at the last business day before the DoD due date instead.
// StillHeld is set when the analyst's hold ended but the clock stays stopped,
// because offices' questions are out: it restarts when their answer is recorded.
type Resumed struct {
	BusinessDaysHeld int
	DoDDueDate       time.Time
	Capped           bool
	StillHeld        bool
}

// Resume ends the analyst's hold. Unless offices' questions are still out, the
// suspense clock restarts: every awaiting office's due date moves later by the
// business days spent on hold, but never past the last business day on or before
// the DoD due date, which stays where it is. Analysts only.
func (s *Service) Resume(ctx context.Context, actor string, referralID int64) (Resumed, error) {
	if !s.roster.IsAnalyst(actor) {
		return Resumed{}, Errorf(EFORBIDDEN, "Only licensing analysts can resume a referral.")
	}
	cover, cerr := s.covering(ctx, referralID, actor, "resume")
	if cerr != nil {
		return Resumed{}, cerr
	}
	var moved []*Ask
	var out Resumed
	err := s.store.Update(ctx, func(tx Tx) error {
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		asks, err := tx.Asks(ctx, referralID)
		if err != nil {
			return err
		}
		questions := slices.ContainsFunc(asks, QuestionsOut)
		switch {
		case !ref.ManualHold && questions:
			return Errorf(ECONFLICT, "%s is not on hold by you: its offices' clock is stopped because %s questions are out. "+
				"It restarts when you record the answer (`/referral answer`).", ref.CaseNumber, questionOffices(s.roster, asks))
		case !ref.ManualHold:
			return Errorf(ECONFLICT, "%s is not on hold.", ref.CaseNumber)
		}
		ref.ManualHold = false
		if questions {
			out = Resumed{StillHeld: true, DoDDueDate: ref.DoDDueDate}
			if err := tx.UpdateReferral(ctx, ref); err != nil {
				return err
			}
			if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "clock.hold_released", map[string]any{
				"held_since": ref.HeldSince.Format(time.RFC3339), "still_stopped_by": "questions",
			})); err != nil {
				return err
			}
			return s.enqueue(ctx, tx, &Job{Kind: JobUpdateSummary, ReferralID: ref.ID}, &Job{Kind: JobRefreshHome, ReferralID: ref.ID})
		}
		moved, out, err = s.resumeClock(ctx, tx, actor, ref, "analyst")
		return err
	})
	if err != nil {
		return Resumed{}, fmt.Errorf("resume referral %d: %w", referralID, err)
	}
	s.scheduleAsks(ctx, moved)
	s.Kick()
	s.tellCovered(ctx, cover, actor, "resumed the offices' suspense")
	return out, nil
}
