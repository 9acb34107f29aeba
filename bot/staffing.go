package bot

import (
	"context"
	"fmt"
	"strings"
)

// Staffing after opening: the analyst asks another office, or withdraws an ask.

// AskOffice asks another office for its position on an open referral, due on the
// referral's office due date (or today, if that has passed).
func (s *Service) AskOffice(ctx context.Context, actor string, referralID int64, officeCode string) (*Ask, error) {
	if !s.roster.IsAnalyst(actor) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can ask offices.")
	}
	cover, cerr := s.covering(ctx, referralID, actor, "ask an office on")
	if cerr != nil {
		return nil, cerr
	}
	office, ok := s.roster.Office(strings.ToLower(officeCode))
	if !ok {
		return nil, Errorf(EINVALID, "%q is not an office on the roster. Offices: %s.", officeCode, s.rosterOfficeCodes())
	}
	var ask *Ask
	var stopped, restarted []*Ask
	err := s.store.Update(ctx, func(tx Tx) error {
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		if ref.State != ReferralOpen {
			return Errorf(ECLOSED, "The final recommendation on %s is recorded; no office can be asked now.", ref.CaseNumber)
		}
		asks, err := tx.Asks(ctx, referralID)
		if err != nil {
			return err
		}
		due := ref.OfficeDueDate
		if today := s.Today(); due.Before(today) {
			due = today
		}
		for _, a := range asks {
			if a.OfficeCode != office.Code {
				continue
			}
			if a.State != AskWithdrawn {
				return Errorf(ECONFLICT, "%s is already asked on %s.", office.Name, ref.CaseNumber)
			}
			// Asked again after a withdrawal: the same ask, reopened.
			a.State, a.WithdrawnReason, a.DueDate, a.DueSetAt = AskAwaiting, "", due, s.now().UTC()
			if a.Current != nil {
				a.State = AskAnswered
			}
			if err := tx.UpdateAsk(ctx, a); err != nil {
				return err
			}
			ask = a
		}
		if ask == nil {
			ask = &Ask{ReferralID: ref.ID, OfficeCode: office.Code, DueDate: due, State: AskAwaiting}
			if err := tx.CreateAsk(ctx, ask); err != nil {
				return err
			}
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "ask.added", map[string]any{
			"office": office.Code, "due": FormatDate(due),
		})); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, &Job{Kind: JobPostAsk, ReferralID: ref.ID, AskID: ask.ID}); err != nil {
			return err
		}
		// The summary and the referral's Home tabs, in the refresh the clock's sync
		// below may mark too.
		if err := s.refresh(ctx, tx, ref.ID); err != nil {
			return err
		}
		// Asked again after a withdrawal, an office's questions may be out once more.
		stopped, restarted, err = s.syncAfter(ctx, tx, actor, ref.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ask %s on referral %d: %w", office.Code, referralID, err)
	}
	s.cancelAsks(ctx, stopped)
	if len(stopped) == 0 { // else the clock just stopped: no reminders for now
		s.scheduleAsks(ctx, append(restarted, ask))
	}
	s.Kick()
	s.tellCovered(ctx, cover, actor, "asked "+office.Name)
	return ask, nil
}

// WithdrawAsk withdraws an office's ask, with a reason that is recorded and shown
// on the ask: the office is no longer expected to answer, and is not reminded.
func (s *Service) WithdrawAsk(ctx context.Context, actor string, referralID int64, officeCode, reason string) (*Ask, error) {
	if !s.roster.IsAnalyst(actor) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can withdraw an ask.")
	}
	cover, cerr := s.covering(ctx, referralID, actor, "withdraw an ask on")
	if cerr != nil {
		return nil, cerr
	}
	p := map[string]string{}
	reason = checkText(p, "reason", reason, "the reason", true, MaxShortText, false)
	if len(p) > 0 {
		return nil, Errorf(EINVALID, "A withdrawal needs a reason: `/referral withdraw OFFICE <reason>`. %s", p["reason"])
	}
	var ask *Ask
	var was Ask
	var restarted []*Ask
	err := s.store.Update(ctx, func(tx Tx) error {
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		if ref.State != ReferralOpen {
			return Errorf(ECLOSED, "The final recommendation on %s is recorded; its asks are closed.", ref.CaseNumber)
		}
		asks, err := tx.Asks(ctx, referralID)
		if err != nil {
			return err
		}
		for _, a := range asks {
			if a.OfficeCode == strings.ToLower(officeCode) && a.State != AskWithdrawn {
				ask = a
			}
		}
		if ask == nil {
			return Errorf(ENOTFOUND, "%s has no open ask on %s.", s.roster.OfficeName(strings.ToLower(officeCode)), ref.CaseNumber)
		}
		was = *ask
		ask.State, ask.WithdrawnReason = AskWithdrawn, reason
		if err := tx.UpdateAsk(ctx, ask); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "ask.withdrawn", map[string]any{
			"office": ask.OfficeCode, "reason": reason,
		})); err != nil {
			return err
		}
		// Need to know: who joined the discussion through the withdrawn office leaves it
		// (unless entitled another way; removeLeavers checks).
		joins, err := tx.OfficeJoins(ctx, ask.OfficeCode)
		if err != nil {
			return err
		}
		// The ask's message, the summary and the referral's Home tabs (ask 0), in the
		// refresh the clock's sync below may mark too.
		if err := s.refresh(ctx, tx, ref.ID, 0, ask.ID); err != nil {
			return err
		}
		var jobs []*Job
		for _, jn := range joins {
			if jn.ReferralID != ref.ID {
				continue
			}
			if err := tx.MarkJoinLeaving(ctx, &jn); err != nil {
				return err
			}
			jobs = append(jobs, &Job{Kind: JobRemoveLeavers, ReferralID: ref.ID})
		}
		if err := s.enqueue(ctx, tx, jobs...); err != nil {
			return err
		}
		// A withdrawn office's questions are no longer out: the clock may restart.
		_, restarted, err = s.syncAfter(ctx, tx, actor, ref.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("withdraw %s on referral %d: %w", officeCode, referralID, err)
	}
	if was.State == AskAwaiting {
		s.cancelAsks(ctx, []*Ask{&was})
	}
	s.scheduleAsks(ctx, restarted)
	s.Kick()
	s.tellCovered(ctx, cover, actor, fmt.Sprintf("withdrew the ask of %s (reason: %s)", s.roster.OfficeName(officeCode), reason))
	return ask, nil
}

// postAsk posts an ask added after opening where its office works, inviting the
// office's roster into the referral's channel when it has no queue.
func (s *Service) postAsk(ctx context.Context, j *Job) error {
	r, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if !r.Provisioned {
		return nil // provisioning posts every ask, this one included
	}
	a, err := s.store.Ask(ctx, j.AskID)
	if err != nil {
		return err
	}
	if a.MessageTS != "" {
		return s.updateAsk(ctx, r.ID, a.ID)
	}
	if o, ok := s.roster.Office(a.OfficeCode); ok && !o.HasQueue() {
		users, err := s.members.officeMembers(ctx, o)
		if err != nil {
			return err
		}
		if err := s.inviteAll(ctx, r.ChannelID, users); err != nil {
			return err
		}
	}
	return s.postAskMessage(ctx, r, a, j.LostWork)
}

// officeCodes lists the roster's office codes, for messages.
func (s *Service) rosterOfficeCodes() string {
	codes := make([]string, len(s.roster.Offices))
	for i, o := range s.roster.Offices {
		codes[i] = "`" + o.Code + "`"
	}
	return strings.Join(codes, ", ")
}
