package bot

import (
	"context"
	"fmt"
	"strings"
)

// Field names of the recommendation modal. Each office proviso has its own fate
// inputs (FieldFate and the rest, fates.go), so each keeps its origin.
const (
	FieldOutcome     = "outcome"
	FieldRationale   = "rationale"
	FieldAddProvisos = "provisos_dtsa"
)

// RecommendationInput is what the analyst submits as the final recommendation.
type RecommendationInput struct {
	Outcome Outcome
	// Fates are the analyst's choices for the offices' provisos; one left out is kept.
	Fates     map[ProvisoRef]FateInput
	Added     string // provisos the analyst adds, one per line
	Rationale string
	Basis     string // deny on a Commerce referral: the statutory and regulatory basis
	// Seen is each office's position version the form showed (RecommendationMeta):
	// fates chosen against provisos that have changed since are refused.
	Seen      map[string]int
	Questions string // rwa: the questions that go back (kept only with rwa)
}

// CheckRecommend tells whether actor may record the final recommendation now.
func (s *Service) CheckRecommend(ctx context.Context, actor string, referralID int64) (*Tally, error) {
	if !s.roster.IsAnalyst(actor) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can record the final recommendation.")
	}
	if _, err := s.covering(ctx, referralID, actor, "record the final recommendation on"); err != nil {
		return nil, err
	}
	t, err := s.Tally(ctx, referralID)
	if err != nil {
		return nil, err
	}
	if t.Referral.State == ReferralRecommended {
		return nil, Errorf(ECLOSED, "The final recommendation on %s is already recorded (%s).", t.Referral.CaseNumber, t.Recommendation.Outcome.LabelFor(t.Referral.Agency))
	}
	if t.Pending != nil {
		return nil, Errorf(ECLOSED, "The recommendation on %s (%s) is recorded and awaiting a supervisor's sign-off.", t.Referral.CaseNumber, t.Pending.Outcome.LabelFor(t.Referral.Agency))
	}
	if err := RecommendationFits(t, s.roster); err != nil {
		return nil, err
	}
	return t, nil
}

// Recommend records the final DoD recommendation, names the offices it overrides,
// closes every ask and queues the announcement.
func (s *Service) Recommend(ctx context.Context, actor string, referralID int64, in RecommendationInput) (*Recommendation, error) {
	t, err := s.CheckRecommend(ctx, actor, referralID)
	if err != nil {
		return nil, err
	}
	if in.Seen != nil {
		if office, changed := changedSince(in.Seen, t.Asks); changed {
			return nil, s.positionChanged(t.Referral, office)
		}
	}
	rec, err := in.recommendation(t, s.roster)
	if err != nil {
		return nil, err
	}
	validated := PositionVersions(t.Asks)
	rec.ReferralID, rec.RecordedBy, rec.RecordedByName, rec.RecordedAt = referralID, actor, s.nameOf(actor), s.now().UTC()
	var closed []*Ask
	err = s.store.Update(ctx, func(tx Tx) error {
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		if ref.State == ReferralRecommended {
			return Errorf(ECLOSED, "The final recommendation on %s was recorded a moment ago by someone else.", ref.CaseNumber)
		}
		// Dissent is computed from the positions as they stand at commit time.
		asks, err := tx.Asks(ctx, referralID)
		if err != nil {
			return err
		}
		if office, changed := changedSince(validated, asks); changed {
			return s.positionChanged(ref, office)
		}
		rec.Dissent = Dissent(rec.Outcome, asks)
		if s.signOff[rec.Outcome] {
			// Not final yet: recorded, and a supervisor is asked to sign.
			rec.SignOff = SignOffPending
		}
		if err := tx.CreateRecommendation(ctx, rec); err != nil {
			return err
		}
		kind, jobs := "recommendation.awaiting_sign_off", s.requestSignOff(ref.ID)
		if rec.SignOff != SignOffPending {
			kind, jobs, closed, err = s.closeReferral(ctx, tx, ref, asks)
			if err != nil {
				return err
			}
			// The overridden offices hear of it once it is final.
			jobs = append(jobs, tellOverridden(rec, asks)...)
		}
		detail := recordedDetail(rec)
		detail[FactsKey] = RecommendationDigest(rec)
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, kind, detail)); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs...)
	})
	if err != nil {
		return nil, fmt.Errorf("record recommendation on referral %d: %w", referralID, err)
	}
	s.cancelAsks(ctx, closed)
	if t.Referral.AnalystID != actor {
		s.tellCovered(ctx, t.Referral, actor, "recorded the recommendation: "+rec.Outcome.LabelFor(t.Referral.Agency))
	}
	s.Kick()
	return rec, nil
}

func (in RecommendationInput) recommendation(t *Tally, roster *Roster) (*Recommendation, error) {
	if !in.Outcome.Valid() {
		return nil, Invalid(map[string]string{FieldOutcome: "Choose the recommendation."})
	}
	p := map[string]string{}
	agency := t.Referral.Agency
	rec := &Recommendation{Outcome: in.Outcome}
	rec.Rationale = checkText(p, FieldRationale, strings.TrimSpace(in.Rationale), "the rationale", in.Outcome == OutcomeRWA || in.Outcome == OutcomeDeny, MaxLongText, true)
	if in.Outcome == OutcomeDeny {
		rec.Basis = checkBasis(p, FieldBasis, in.Basis, agency)
	}
	if in.Outcome == OutcomeRWA {
		rec.Questions = checkText(p, FieldRecQuestions, strings.TrimSpace(in.Questions), "the questions", false, MaxLongText, true)
	}

	provisos, treatments := in.treatments(p, t, roster)
	added := parseProvisos(p, FieldAddProvisos, in.Added, OfficeDTSA, agency, false)
	provisos = append(provisos, added...)

	switch {
	case in.Outcome == OutcomeApproveWithProvisos && len(provisos) == 0:
		p[FieldAddProvisos] = fmt.Sprintf("%s needs at least one %s: keep or modify an office's, or add DTSA's own.", in.Outcome.LabelFor(agency), agency.Term())
	case in.Outcome == OutcomeApprove && len(added) > 0:
		p[FieldAddProvisos] = fmt.Sprintf("Plain Approve carries no %s: choose %s, or clear them.", agency.Terms(), OutcomeApproveWithProvisos.LabelFor(agency))
	case in.Outcome == OutcomeApproveWithProvisos:
		rec.Provisos = provisos
	}
	if in.Outcome.Approves() {
		rec.Treatments = treatments
	}
	if len(p) > 0 {
		return nil, Invalid(p)
	}
	return rec, nil
}

// stance groups outcomes into what they mean for the export: go, ask, or stop.
func stance(o Outcome) string {
	if o.Approves() {
		return "approve"
	}
	return string(o)
}

// Dissent returns the offices whose current position the outcome overrides: those
// that answered with a different stance (an approval of either kind, RWA, or deny).
// Offices that never answered are not dissent.
func Dissent(o Outcome, asks []*Ask) []string {
	var out []string
	for _, a := range asks {
		if a.Current != nil && stance(a.Current.Outcome) != stance(o) {
			out = append(out, a.OfficeCode)
		}
	}
	return out
}

// positionChanged refuses a recommendation form whose offices' positions changed
// after it opened: its fates were chosen against provisos that may be gone.
func (s *Service) positionChanged(r *Referral, office string) error {
	return Errorf(ECONFLICT, "%s changed its position on %s after this form opened, so its %s may differ from what you saw. Nothing was recorded: run `/referral recommend` again.",
		s.roster.OfficeName(office), r.CaseNumber, r.Agency.Terms())
}
