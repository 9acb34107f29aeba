package bot

import (
	"context"
	"fmt"
)

// FieldReReferral is the New referral form's and the import's field saying how a
// case that already has a final recommendation came back.
const FieldReReferral = "re_referral"

// How a case comes back to DoD after its final recommendation: the applicant
// resubmits the application, or the application is amended. Either way it is
// referred again and staffed as a new round.
const (
	ReReferralResubmission = "resubmission"
	ReReferralAmendment    = "amendment"
)

// ReReferralLabel is how a re-referral kind reads on screens and in the record.
func ReReferralLabel(kind string) string {
	switch kind {
	case ReReferralResubmission:
		return "Resubmission"
	case ReReferralAmendment:
		return "Amendment of the application"
	}
	return kind
}

// checkReReferral checks the re-referral kind typed or imported.
func (in ReferralInput) checkReReferral(r *Referral, p map[string]string) {
	switch in.ReReferral {
	case "", ReReferralResubmission, ReReferralAmendment:
		r.ReReferral = in.ReReferral
	default:
		p[FieldReReferral] = fmt.Sprintf("%q is not a re-referral; use %s or %s.", in.ReReferral, ReReferralResubmission, ReReferralAmendment)
	}
}

// nextRound makes r the next round of the case whose latest round is earlier, or
// says why it cannot be: the earlier round is still open (a duplicate), or the
// analyst did not say how the case came back. Slack shows input errors as plain
// text, so channels are named #name, never <#C…>.
func nextRound(r, earlier *Referral) error {
	where := "already open"
	if earlier.ChannelID != "" {
		where = "already open in #" + earlier.ChannelName
	}
	switch {
	case earlier.State != ReferralRecommended && earlier.Round > 1:
		return Invalid(map[string]string{FieldCaseNumber: fmt.Sprintf(
			"%s case %s is %s (round %d). It can come back as a new round only after its final recommendation.",
			r.Agency.Label(), r.CaseNumber, where, earlier.Round)})
	case earlier.State != ReferralRecommended:
		return Invalid(map[string]string{FieldCaseNumber: fmt.Sprintf(
			"%s case %s is %s. It can come back as a new round only after its final recommendation.",
			r.Agency.Label(), r.CaseNumber, where)})
	case r.ReReferral == "":
		return Invalid(map[string]string{FieldReReferral: fmt.Sprintf(
			"%s case %s already has its final recommendation (round %d). If it came back, say whether as a resubmission or an amendment: it opens as round %d.",
			r.Agency.Label(), r.CaseNumber, earlier.Round, earlier.Round+1)})
	}
	r.Round, r.PriorID = earlier.Round+1, earlier.ID
	r.ChannelName = RoundChannelName(r.Agency, r.CaseNumber, r.Round, 1)
	return nil
}

// noEarlierRound refuses a re-referral of a case the bot has never seen.
func noEarlierRound(r *Referral) error {
	return Invalid(map[string]string{FieldReReferral: fmt.Sprintf(
		"%s case %s has no earlier round here: leave this empty to open it as a new referral.", r.Agency.Label(), r.CaseNumber)})
}

// RoundChannelName is ChannelName for a round of a case: Slack channel names are
// unique (archived channels keep theirs), so round 2 of Z123456 is
// ref-commerce-z123456-r2, and its n-th attempt after name_taken ref-…-r2-2.
func RoundChannelName(agency Agency, caseNumber string, round, n int) string {
	if round <= 1 {
		return ChannelName(agency, caseNumber, n)
	}
	return ChannelName(agency, fmt.Sprintf("%s-r%d", caseNumber, round), n)
}

// priorPositions fills in each ask's Prior: the same office's current position in
// the case's earlier round, shown as stale while the office is asked again.
func priorPositions(ctx context.Context, r ReferralReader, ref *Referral, asks []*Ask) error {
	if ref.PriorID == 0 {
		return nil
	}
	earlier, err := r.Asks(ctx, ref.PriorID)
	if err != nil {
		return fmt.Errorf("earlier round of referral %d: %w", ref.ID, err)
	}
	for _, a := range asks {
		for _, e := range earlier {
			if e.OfficeCode == a.OfficeCode && e.Current != nil {
				a.Prior = e.Current
			}
		}
	}
	return nil
}

// loadRounds fills in what the tally shows of the case's other rounds and
// versions: the earlier round and its final recommendation, each office's position
// in it (Ask.Prior), and a recommendation waiting for a supervisor's sign-off.
func (t *Tally) loadRounds(ctx context.Context, r ReferralReader) error {
	ref := t.Referral
	if ref.PriorID != 0 {
		earlier, err := r.Referral(ctx, ref.PriorID)
		if err != nil {
			return fmt.Errorf("earlier round of referral %d: %w", ref.ID, err)
		}
		t.Earlier = earlier
		if t.EarlierFinal, err = r.Recommendation(ctx, earlier.ID); err != nil && ErrorCode(err) != ENOTFOUND {
			return fmt.Errorf("earlier round of referral %d: %w", ref.ID, err)
		}
		if err := priorPositions(ctx, r, ref, t.Asks); err != nil {
			return err
		}
	}
	versions, err := r.RecommendationVersions(ctx, ref.ID)
	if err != nil {
		return err
	}
	if n := len(versions); n > 0 && versions[n-1].SignOff == SignOffPending {
		t.Pending = versions[n-1]
	}
	return nil
}
