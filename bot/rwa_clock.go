package bot

// The offices' suspense clock and the RWA loop: it is stopped while the analyst
// holds the referral or any office's questions are out, and restarts when neither
// is true (see suspense.go for hold and resume).

import (
	"context"
	"slices"
	"strings"
	"time"
)

// syncQuestionsHold stops or restarts the offices' suspense clock after asks
// changed, by the rule: the clock is stopped while the analyst holds the referral
// (/referral hold) or any office's questions are out, and runs otherwise. It
// returns the awaiting asks whose reminders stop (the clock stopped) or start again
// (it restarted), for the caller to cancel or schedule after the commit. cause
// says, for the record, what would restart it: "answer" (the answer was recorded)
// or "questions" (a position changed, or an ask was withdrawn).
func (s *Service) syncQuestionsHold(ctx context.Context, tx Tx, actor, cause string, ref *Referral, asks []*Ask) (stopped, restarted []*Ask, err error) {
	out, held := slices.ContainsFunc(asks, QuestionsOut), !ref.HeldSince.IsZero()
	switch {
	case !holdChanges(out, held, ref.ManualHold):
		return nil, nil, nil
	case out:
		ref.HeldSince = s.now().UTC()
		if err := tx.UpdateReferral(ctx, ref); err != nil {
			return nil, nil, err
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "clock.held", map[string]any{
			"reason": "questions out with the applicant (RWA)", "cause": "questions",
		})); err != nil {
			return nil, nil, err
		}
		for _, a := range asks {
			if a.State == AskAwaiting {
				stopped = append(stopped, a)
			}
		}
		// The summary and the Home tabs say the clock stopped: the referral's one
		// refresh, which the press that put the questions out has queued too.
		return stopped, nil, s.refresh(ctx, tx, ref.ID)
	default:
		restarted, _, err := s.resumeClock(ctx, tx, actor, ref, cause)
		return nil, restarted, err
	}
}

// holdChanges is the questions hold's rule: the clock stops when questions are out
// and it runs, and restarts when none are out and only questions stopped it (not
// the analyst's own hold).
func holdChanges(questionsOut, held, manualHold bool) bool {
	return (questionsOut && !held) || (!questionsOut && held && !manualHold)
}

// syncAfter runs syncQuestionsHold on the referral as it stands in tx.
func (s *Service) syncAfter(ctx context.Context, tx Tx, actor string, referralID int64) (stopped, restarted []*Ask, err error) {
	ref, err := tx.Referral(ctx, referralID)
	if err != nil {
		return nil, nil, err
	}
	asks, err := tx.Asks(ctx, referralID)
	if err != nil {
		return nil, nil, err
	}
	return s.syncQuestionsHold(ctx, tx, actor, "questions", ref, asks)
}

// questionOffices names the offices whose questions are out: "Army's and Navy's".
func questionOffices(roster *Roster, asks []*Ask) string {
	var names []string
	for _, a := range asks {
		if QuestionsOut(a) {
			names = append(names, roster.OfficeName(a.OfficeCode)+"'s")
		}
	}
	return strings.Join(names, " and ")
}

// resumeClock restarts the stopped suspense clock inside tx (ref as read in it):
// every awaiting office's due date moves later by the business days stopped, never
// past the last business day on or before the DoD due date. A due date set while
// the clock was stopped (an extension, or an office asked again after its
// questions were answered) was set knowing that, and stays. cause says what
// restarted it: the analyst's resume, or the questions' end. It returns the
// awaiting asks, whose reminders start again.
func (s *Service) resumeClock(ctx context.Context, tx Tx, actor string, ref *Referral, cause string) ([]*Ask, Resumed, error) {
	now, held := s.now().UTC(), ref.HeldSince
	out := Resumed{BusinessDaysHeld: s.rules.BusinessDaysBetween(s.rules.Date(held), s.rules.Date(now)), DoDDueDate: ref.DoDDueDate}
	last := s.rules.BusinessDayOnOrBefore(ref.DoDDueDate)
	shift := func(d time.Time) time.Time {
		moved := s.rules.ShiftByBusinessDays(d, held, now)
		if !moved.After(last) {
			return moved
		}
		out.Capped = true
		if d.After(last) { // already past it (set before this rule): left alone
			return d
		}
		return last
	}
	ref.OfficeDueDate = shift(ref.OfficeDueDate)
	ref.HeldSince, ref.ManualHold = time.Time{}, false
	if err := tx.UpdateReferral(ctx, ref); err != nil {
		return nil, out, err
	}
	asks, err := tx.Asks(ctx, ref.ID)
	if err != nil {
		return nil, out, err
	}
	var moved []*Ask
	for _, a := range asks {
		if a.State != AskAwaiting {
			continue
		}
		if !a.DueSetAt.After(held) {
			a.DueDate = shift(a.DueDate)
		}
		a.DueSetAt = now
		if err := tx.UpdateAsk(ctx, a); err != nil {
			return nil, out, err
		}
		moved = append(moved, a)
	}
	if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "clock.resumed", map[string]any{
		"held_since": held.Format(time.RFC3339), "business_days_held": out.BusinessDaysHeld, "dod_due": FormatDate(ref.DoDDueDate),
		"capped": out.Capped, "cause": cause,
	})); err != nil {
		return nil, out, err
	}
	// One refresh redraws the moved asks' messages (their due dates), the summary and
	// the whole referral's Home tabs (ask 0).
	redraw := []int64{0}
	for _, a := range moved {
		redraw = append(redraw, a.ID)
	}
	return moved, out, s.refresh(ctx, tx, ref.ID, redraw...)
}
