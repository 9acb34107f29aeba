package bot

// The DoD due date is the licensing agency's deadline, counted in calendar days.
// DoD cannot stop it: it moves only when BIS or DDTC stops its own clock or grants
// more time, and the analyst records that action with the agency's reference.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AgencyClockAction is what the licensing agency did to the DoD due date.
type AgencyClockAction string

// The agency actions that move the DoD due date.
const (
	// AgencyClockStop: the agency stopped its clock for a period (for example while
	// the application went back to the applicant); the DoD due date moves later by
	// the calendar days it was stopped.
	AgencyClockStop AgencyClockAction = "stop"
	// AgencyClockExtend: the agency granted DoD more time, to a new DoD due date.
	AgencyClockExtend AgencyClockAction = "extend"
)

// AgencyClockUsage is how the analyst records an agency action, for messages that
// point to it.
const AgencyClockUsage = "`/referral agency-clock stop <stopped YYYY-MM-DD> <restarted YYYY-MM-DD> <agency reference> <reason>` " +
	"or `/referral agency-clock extend <new DoD due YYYY-MM-DD> <agency reference> <reason>`."

// AgencyClockInput is an agency action as the analyst records it.
type AgencyClockInput struct {
	Action    AgencyClockAction
	Stopped   time.Time // stop: the day the agency stopped its clock
	Restarted time.Time // stop: the day it restarted it
	NewDue    time.Time // extend: the DoD due date the agency granted
	Reference string    // the agency's reference: a DECCS or SNAP-R note, an email's date and sender
	Reason    string
}

// AgencyClockMoved is what RecordAgencyClock did to the DoD due date.
type AgencyClockMoved struct {
	From, To time.Time
	// CalendarDays is how many calendar days the DoD due date moved.
	CalendarDays int
}

// NewDoDDue returns the DoD due date after the agency action on a referral due on
// due and received on received, or an EINVALID error saying what is wrong with it.
// today is the current civil date.
func (in AgencyClockInput) NewDoDDue(due, received, today time.Time) (time.Time, error) {
	switch in.Action {
	case AgencyClockStop:
		switch {
		case in.Stopped.IsZero() || in.Restarted.IsZero():
			return time.Time{}, Errorf(EINVALID, "A clock stop needs the day the agency stopped its clock and the day it restarted it.")
		case !in.Restarted.After(in.Stopped):
			return time.Time{}, Errorf(EINVALID, "The clock restarted (%s) must be after it stopped (%s).", FormatDate(in.Restarted), FormatDate(in.Stopped))
		case in.Stopped.Before(received):
			return time.Time{}, Errorf(EINVALID, "The clock cannot have stopped (%s) before DoD received the referral (%s).", FormatDate(in.Stopped), FormatDate(received))
		case in.Restarted.After(today):
			return time.Time{}, Errorf(EINVALID, "Record a clock stop once the agency has restarted its clock: %s is in the future.", FormatDate(in.Restarted))
		}
		// Calendar days: the agency's clock does not know business days.
		return due.AddDate(0, 0, int(in.Restarted.Sub(in.Stopped).Hours()/24)), nil
	case AgencyClockExtend:
		if !in.NewDue.After(due) {
			return time.Time{}, Errorf(EINVALID, "An extension moves the DoD due date later than %s; %s is not.", FormatDate(due), FormatDate(in.NewDue))
		}
		if !WithinDateBounds(in.NewDue, received) {
			return time.Time{}, Errorf(EINVALID, "A DoD due date must be within %d years of the received date (%s); %s is not.", MaxDateYears, FormatDate(received), FormatDate(in.NewDue))
		}
		return in.NewDue, nil
	}
	return time.Time{}, Errorf(EINVALID, "%q is not an agency action: use `stop` or `extend`. %s", in.Action, AgencyClockUsage)
}

// RecordAgencyClock records a BIS or DDTC action that moves the DoD due date — a
// clock stop or an extension — with its reference and reason, and moves the date.
// The offices' suspense dates stay: the analyst moves them with Extend if needed.
// Analysts only.
func (s *Service) RecordAgencyClock(ctx context.Context, actor string, referralID int64, in AgencyClockInput) (AgencyClockMoved, error) {
	if !s.roster.IsAnalyst(actor) {
		return AgencyClockMoved{}, Errorf(EFORBIDDEN, "Only licensing analysts can record an agency's clock action.")
	}
	cover, cerr := s.covering(ctx, referralID, actor, "record an agency's clock action on")
	if cerr != nil {
		return AgencyClockMoved{}, cerr
	}
	in.Reference, in.Reason = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Reason)
	p := map[string]string{}
	checkText(p, "reference", in.Reference, "the agency's reference", true, MaxShortText, false)
	checkText(p, "reason", in.Reason, "the reason", true, MaxLongText, false)
	for _, field := range []string{"reference", "reason"} {
		if msg := p[field]; msg != "" {
			return AgencyClockMoved{}, Errorf(EINVALID, "%s %s", msg, AgencyClockUsage)
		}
	}
	var moved AgencyClockMoved
	err := s.store.Update(ctx, func(tx Tx) error {
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		if ref.State != ReferralOpen {
			return Errorf(ECLOSED, "The final recommendation on %s is recorded; its DoD due date is closed.", ref.CaseNumber)
		}
		to, err := in.NewDoDDue(ref.DoDDueDate, ref.ReceivedOn, s.Today())
		if err != nil {
			return err
		}
		moved = AgencyClockMoved{From: ref.DoDDueDate, To: to, CalendarDays: int(to.Sub(ref.DoDDueDate).Hours() / 24)}
		ref.DoDDueDate = to
		if err := tx.UpdateReferral(ctx, ref); err != nil {
			return err
		}
		detail := map[string]any{
			"agency": ref.Agency, "action": in.Action, "reference": in.Reference, "reason": in.Reason,
			"from": FormatDate(moved.From), "to": FormatDate(to), "calendar_days": moved.CalendarDays,
		}
		if in.Action == AgencyClockStop {
			detail["stopped"], detail["restarted"] = FormatDate(in.Stopped), FormatDate(in.Restarted)
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "dod_due.moved", detail)); err != nil {
			return err
		}
		return s.refresh(ctx, tx, ref.ID) // the summary and the Home tabs
	})
	if err != nil {
		return AgencyClockMoved{}, fmt.Errorf("record agency clock on referral %d: %w", referralID, err)
	}
	s.Kick()
	s.tellCovered(ctx, cover, actor, fmt.Sprintf("recorded an agency action: the DoD due date moved from %s to %s", FormatDate(moved.From), FormatDate(moved.To)))
	return moved, nil
}
