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
// follow. Analysts only, and only to an analyst.
func (s *Service) Reassign(ctx context.Context, actor string, referralID int64, to string) (*Referral, error) {
	if !s.roster.IsAnalyst(actor) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can reassign a referral.")
	}
	cover, cerr := s.covering(ctx, referralID, actor, "reassign")
	if cerr != nil {
		return nil, cerr
	}
	if !s.roster.IsAnalyst(to) {
		return nil, Errorf(EINVALID, "<@%s> is not a licensing analyst, so they cannot own a referral. Ask an operator to add them to the roster's analysts.", to)
	}
	var ref *Referral
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if ref, err = tx.Referral(ctx, referralID); err != nil {
			return err
		}
		switch {
		case ref.State != ReferralOpen:
			return Errorf(ECLOSED, "The final recommendation on %s is recorded; there is nothing left to hand over.", ref.CaseNumber)
		case ref.AnalystID == to:
			return Errorf(ECONFLICT, "<@%s> is already the analyst on %s.", to, ref.CaseNumber)
		}
		from := ref.AnalystID
		ref.AnalystID, ref.AnalystName = to, s.nameOf(to)
		if err := tx.UpdateReferral(ctx, ref); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, EventReassigned, map[string]any{"from": from, "to": to})); err != nil {
			return err
		}
		return s.enqueue(ctx, tx,
			&Job{Kind: JobInviteAnalyst, ReferralID: ref.ID},
			&Job{Kind: JobUpdateSummary, ReferralID: ref.ID},
			&Job{Kind: JobRefreshHome, ReferralID: ref.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("reassign referral %d to %s: %w", referralID, to, err)
	}
	s.log.Info("referral reassigned", "referral", ref.ID, "to", to, "actor", actor)
	s.Kick()
	s.tellCovered(ctx, cover, actor, fmt.Sprintf("reassigned it to <@%s>", to))
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
