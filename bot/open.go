package bot

import (
	"context"
	"fmt"
)

// OpenReferral validates in, records the referral and one ask per chosen office,
// and queues the Slack work (channel, invitations, summary, asks). key identifies
// the submission: a replay with the same key returns the referral already opened
// instead of failing or opening a second one.
func (s *Service) OpenReferral(ctx context.Context, actor string, in ReferralInput, key string) (*Referral, error) {
	if !s.roster.IsAnalyst(actor) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can open referrals. Ask an operator to add you to the roster's analysts.")
	}
	if key != "" {
		if r, err := s.store.ReferralByOpenKey(ctx, key); err == nil {
			// A replay of the same submission is idempotent. Different content under the
			// same form (a corrected resubmission, or someone else's) is never dropped
			// silently: it is refused, and the user opens a new form.
			same := in
			same.Normalize()
			if r.Agency == Agency(same.Agency) && r.CaseNumber == same.CaseNumber && r.AnalystID == actor {
				return r, nil
			}
			return nil, Invalid(map[string]string{FieldCaseNumber: fmt.Sprintf(
				"This form already opened %s case %s. To open another referral, close this form and type /referral new again.",
				r.Agency.Label(), r.CaseNumber)})
		} else if ErrorCode(err) != ENOTFOUND {
			return nil, fmt.Errorf("open referral: %w", err)
		}
	}
	r, err := in.Referral(s.roster, s.rules, s.Today())
	if err != nil {
		return nil, err
	}
	r.AnalystID, r.AnalystName = actor, s.nameOf(actor)
	r.OpenKey = key
	r.ChannelName = ChannelName(r.Agency, r.CaseNumber, 1)

	err = s.store.Update(ctx, func(tx Tx) error {
		earlier, err := tx.ReferralByCase(ctx, r.Agency, r.CaseNumber)
		switch {
		case err == nil && key != "" && earlier.OpenKey == key:
			r = earlier
			return nil
		case err == nil:
			if err := nextRound(r, earlier); err != nil {
				return err
			}
		case ErrorCode(err) != ENOTFOUND:
			return err
		case r.ReReferral != "":
			return noEarlierRound(r)
		}
		if err := tx.CreateReferral(ctx, r); err != nil {
			return err
		}
		if earlier != nil {
			if err := tx.AppendEvent(ctx, s.event(earlier.ID, actor, "referral.referred_again", map[string]any{
				"round": r.Round, "referral": r.ID, "re_referral": r.ReReferral,
			})); err != nil {
				return err
			}
		}
		for _, code := range in.Offices {
			if err := tx.CreateAsk(ctx, &Ask{ReferralID: r.ID, OfficeCode: code, DueDate: r.OfficeDueDate, State: AskAwaiting}); err != nil {
				return err
			}
		}
		opened := map[string]any{
			"agency": r.Agency, "case_number": r.CaseNumber, "offices": in.Offices,
			"dod_due": FormatDate(r.DoDDueDate), "office_due": FormatDate(r.OfficeDueDate), FactsKey: ReferralDigest(r),
		}
		if by := staffedBy(in); len(by) > 0 {
			opened["staffed_by"] = by
		}
		if r.Round > 1 {
			opened["round"], opened["prior"], opened["re_referral"] = r.Round, r.PriorID, r.ReReferral
		}
		if err := tx.AppendEvent(ctx, s.event(r.ID, actor, "referral.opened", opened)); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, &Job{Kind: JobProvision, ReferralID: r.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("open referral %s %s: %w", r.Agency, r.CaseNumber, err)
	}
	s.log.Info("referral opened", "referral", r.ID, "case", r.CaseNumber, "actor", actor)
	if asks, err := s.store.Asks(ctx, r.ID); err == nil {
		s.scheduleAsks(ctx, asks)
	} else {
		s.needRebuild.Store(true)
	}
	s.Kick()
	return r, nil
}
