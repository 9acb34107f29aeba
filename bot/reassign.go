package bot

import (
	"context"
	"fmt"
)

// EventReassigned is the event kind of a referral handed to another analyst; its
// detail names both ({"from": …, "to": …}).
const EventReassigned = "referral.reassigned"

// Reassign hands a referral to another analyst: the log records who handed it to
// whom, the new analyst is added to the channel, and the summary and the Home tabs
// follow. Analysts and supervisors only, and only to an analyst.
func (s *Service) Reassign(ctx context.Context, actor string, referralID int64, to string) (*Referral, error) {
	if err := s.MayReassign(ctx, actor); err != nil {
		return nil, err
	}
	if _, err := s.covering(ctx, referralID, actor, "reassign"); err != nil {
		return nil, err
	}
	if !s.roster.IsAnalyst(to) {
		return nil, Errorf(EINVALID, "<@%s> is not a licensing analyst, so they cannot own a referral. Ask an operator to add them to the roster's analysts.", to)
	}
	return s.reassign(ctx, actor, referralID, "", to)
}

// MayReassign returns nil when actor may hand referrals to other analysts: an
// analyst, or a supervisor (checked against their user group, failing closed).
func (s *Service) MayReassign(ctx context.Context, actor string) error {
	if s.roster.IsAnalyst(actor) {
		return nil
	}
	supervisor, err := s.IsSupervisor(ctx, actor)
	if err != nil {
		return fmt.Errorf("check supervisors: %w", err)
	}
	if !supervisor {
		return Errorf(EFORBIDDEN, "Only licensing analysts and supervisors can reassign a referral.")
	}
	return nil
}

// reassign hands the referral to analyst to; with from set, only while from still
// owns it (the owner the person saw when they chose it).
func (s *Service) reassign(ctx context.Context, actor string, referralID int64, from, to string) (*Referral, error) {
	var ref *Referral
	var before Referral // as it was: whose it was is whom to tell
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if ref, err = tx.Referral(ctx, referralID); err != nil {
			return err
		}
		switch {
		case from != "" && ref.AnalystID != from && ref.AnalystID != to:
			return Errorf(ECONFLICT, "Meanwhile %s was handed to <@%s>; nothing changed.", ref.CaseNumber, ref.AnalystID)
		case ref.State != ReferralOpen:
			return Errorf(ECLOSED, "The final recommendation on %s is recorded; there is nothing left to hand over.", ref.CaseNumber)
		case ref.AnalystID == to:
			return Errorf(ECONFLICT, "<@%s> is already the analyst on %s.", to, ref.CaseNumber)
		}
		from, before = ref.AnalystID, *ref
		ref.AnalystID, ref.AnalystName = to, s.nameOf(to)
		if err := tx.UpdateReferral(ctx, ref); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, EventReassigned, map[string]any{"from": from, "to": to})); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, &Job{Kind: JobInviteAnalyst, ReferralID: ref.ID}); err != nil {
			return err
		}
		return s.refresh(ctx, tx, ref.ID) // the summary and the Home tabs
	})
	if err != nil {
		return nil, fmt.Errorf("reassign referral %d to %s: %w", referralID, to, err)
	}
	s.log.Info("referral reassigned", "referral", ref.ID, "to", to, "actor", actor)
	s.Kick()
	if before.AnalystID != actor {
		s.tellCovered(ctx, &before, actor, fmt.Sprintf("reassigned it to <@%s>", to))
	}
	return ref, nil
}

// inviteAnalyst adds the referral's analyst to its channel. Until the channel is
// provisioned it waits: provisioning invites whoever is the analyst when it
// reaches that step, which may be before a reassignment.
func (s *Service) inviteAnalyst(ctx context.Context, j *Job) error {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if !ref.Provisioned {
		return errNotReady
	}
	if err := s.slack.Invite(ctx, ref.ChannelID, []string{ref.AnalystID}); err != nil {
		return fmt.Errorf("invite analyst %s: %w", ref.AnalystID, err)
	}
	return nil
}
