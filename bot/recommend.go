package bot

import (
	"context"
	"fmt"
	"strings"
)

// Field names of the recommendation modal. Each office's provisos sit in an input
// whose block id is FieldProvisosOf(office), so edits keep their origin.
const (
	FieldOutcome     = "outcome"
	FieldRationale   = "rationale"
	FieldAddProvisos = "provisos_dtsa"
	provisosOfPrefix = "provisos_of_"
)

// FieldProvisosOf is the input name holding an office's provisos in the recommendation modal.
func FieldProvisosOf(office string) string { return provisosOfPrefix + office }

// RecommendationInput is what the analyst submits as the final recommendation.
type RecommendationInput struct {
	Outcome   Outcome
	Provisos  map[string]string // office code → its provisos, one per line, as edited
	Added     string            // provisos the analyst adds, one per line
	Rationale string
	Basis     string // deny on a Commerce referral: the statutory and regulatory basis
	Questions string // rwa: the questions that go back (kept only with rwa)
}

// CheckRecommend tells whether actor may record the final recommendation now.
func (s *Service) CheckRecommend(ctx context.Context, actor string, referralID int64) (*Tally, error) {
	if !s.roster.IsAnalyst(actor) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can record the final recommendation.")
	}
	t, err := s.Tally(ctx, referralID)
	if err != nil {
		return nil, err
	}
	if t.Referral.State == ReferralRecommended {
		return nil, Errorf(ECLOSED, "The final recommendation on %s is already recorded (%s).", t.Referral.CaseNumber, t.Recommendation.Outcome.LabelFor(t.Referral.Agency))
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
	rec, err := in.recommendation(t)
	if err != nil {
		return nil, err
	}
	rec.ReferralID, rec.RecordedBy, rec.RecordedAt = referralID, actor, s.now().UTC()
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
		rec.Dissent = Dissent(rec.Outcome, asks)
		if err := tx.CreateRecommendation(ctx, rec); err != nil {
			return err
		}
		ref.State = ReferralRecommended
		if err := tx.UpdateReferral(ctx, ref); err != nil {
			return err
		}
		jobs := []*Job{{Kind: JobPostFinal, ReferralID: ref.ID}, {Kind: JobUpdateSummary, ReferralID: ref.ID},
			{Kind: JobRefreshHome, ReferralID: ref.ID}}
		jobs = append(jobs, s.afterFinal(ref.ID)...)
		for _, a := range asks {
			if a.State == AskWithdrawn {
				continue
			}
			if a.State == AskAwaiting {
				old := *a
				closed = append(closed, &old)
			}
			a.State = AskClosed
			if err := tx.UpdateAsk(ctx, a); err != nil {
				return err
			}
			jobs = append(jobs, &Job{Kind: JobUpdateAsk, ReferralID: ref.ID, AskID: a.ID})
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "recommendation.recorded", map[string]any{
			"outcome": rec.Outcome, "provisos": len(rec.Provisos), "dissent": rec.Dissent,
		})); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs...)
	})
	if err != nil {
		return nil, fmt.Errorf("record recommendation on referral %d: %w", referralID, err)
	}
	s.cancelAsks(ctx, closed)
	s.Kick()
	return rec, nil
}

func (in RecommendationInput) recommendation(t *Tally) (*Recommendation, error) {
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

	var provisos []Proviso
	firstField := ""
	for _, a := range t.Asks {
		field := FieldProvisosOf(a.OfficeCode)
		if text, ok := in.Provisos[a.OfficeCode]; ok {
			got := parseProvisos(p, field, text, a.OfficeCode, agency, false)
			if len(got) > 0 && firstField == "" {
				firstField = field
			}
			provisos = append(provisos, got...)
		}
	}
	added := parseProvisos(p, FieldAddProvisos, in.Added, OfficeDTSA, agency, false)
	if len(added) > 0 && firstField == "" {
		firstField = FieldAddProvisos
	}
	provisos = append(provisos, added...)

	switch {
	case in.Outcome == OutcomeApproveWithProvisos && len(provisos) == 0:
		p[FieldAddProvisos] = fmt.Sprintf("%s needs at least one %s.", in.Outcome.LabelFor(agency), agency.Term())
	case in.Outcome == OutcomeApprove && len(provisos) > 0:
		p[firstField] = fmt.Sprintf("Plain Approve carries no %s: choose %s, or clear them.", agency.Terms(), OutcomeApproveWithProvisos.LabelFor(agency))
	case in.Outcome == OutcomeApproveWithProvisos:
		rec.Provisos = provisos
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
