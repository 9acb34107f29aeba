package bot

import (
	"context"
	"fmt"
	"strings"
)

// Fields of the amendment modal besides the recommendation's own (FieldOutcome,
// FieldRationale, FieldBasis).
const (
	FieldAmendProvisos = "provisos_amended"
	FieldAmendReason   = "amend_reason"
)

// AmendInput is what the analyst submits to amend the final recommendation.
type AmendInput struct {
	Outcome   Outcome
	Provisos  string // one per line; a line kept as it was keeps its originating office
	Rationale string
	Basis     string // deny on a Commerce referral
	Reason    string // why the recommendation is amended (required)
	Seen      int    // the version shown when the modal opened
}

// CheckAmend tells whether actor may amend the referral's final recommendation now.
func (s *Service) CheckAmend(ctx context.Context, actor string, referralID int64) (*Tally, error) {
	if !s.roster.IsAnalyst(actor) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can amend the final recommendation.")
	}
	if _, err := s.covering(ctx, referralID, actor, "amend the recommendation on"); err != nil {
		return nil, err
	}
	t, err := s.Tally(ctx, referralID)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Pending != nil && t.Recommendation != nil:
		return nil, Errorf(ECLOSED, "An amendment of the recommendation on %s (%s) is awaiting a supervisor's sign-off.",
			t.Referral.CaseNumber, t.Pending.Outcome.LabelFor(t.Referral.Agency))
	case t.Recommendation == nil:
		return nil, Errorf(ECLOSED, "%s has no final recommendation to amend yet: `/referral recommend` records it.", t.Referral.CaseNumber)
	}
	return t, nil
}

// Amend records a new version of the final recommendation, with the reason, and
// announces it; every earlier version is kept. An amendment to an outcome that
// needs a supervisor's second signature waits for it, and the version before
// stays final until then.
func (s *Service) Amend(ctx context.Context, actor string, referralID int64, in AmendInput) (*Recommendation, error) {
	t, err := s.CheckAmend(ctx, actor, referralID)
	if err != nil {
		return nil, err
	}
	cur := t.Recommendation
	if in.Seen != 0 && in.Seen != cur.Version {
		return nil, Errorf(ECONFLICT, "The recommendation on %s was amended meanwhile (now version %d); close this form and run /referral amend again.",
			t.Referral.CaseNumber, cur.Version)
	}
	rec, err := in.recommendation(t.Referral.Agency, cur)
	if err != nil {
		return nil, err
	}
	rec.ReferralID, rec.RecordedBy, rec.RecordedByName, rec.RecordedAt = referralID, actor, s.nameOf(actor), s.now().UTC()
	rec.Version = cur.Version + 1
	rec.Dissent = Dissent(rec.Outcome, t.Asks)
	if s.signOff[rec.Outcome] {
		rec.SignOff = SignOffPending
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateRecommendation(ctx, rec); err != nil {
			if ErrorCode(err) == ECONFLICT {
				return Errorf(ECONFLICT, "The recommendation on %s was amended a moment ago by someone else.", t.Referral.CaseNumber)
			}
			return err
		}
		kind, jobs := "recommendation.amended", s.announceAmendment(referralID)
		if rec.SignOff == SignOffPending {
			kind, jobs = "recommendation.awaiting_sign_off", s.requestSignOff(referralID)
		}
		if err := tx.AppendEvent(ctx, s.event(referralID, actor, kind, map[string]any{
			"version": rec.Version, "outcome": rec.Outcome, "previous_outcome": cur.Outcome,
			"reason": rec.AmendReason, "provisos": len(rec.Provisos), "dissent": rec.Dissent, FactsKey: RecommendationDigest(rec),
		})); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs...)
	})
	if err != nil {
		return nil, fmt.Errorf("amend the recommendation on referral %d: %w", referralID, err)
	}
	s.Kick()
	if t.Referral.AnalystID != actor {
		s.tellCovered(ctx, t.Referral, actor, "amended the final recommendation: "+rec.Outcome.LabelFor(t.Referral.Agency))
	}
	return rec, nil
}

// announceAmendment are the jobs a new final version queues: its announcement, the
// tally, the Home tabs, and the record uploaded again.
func (s *Service) announceAmendment(referralID int64) []*Job {
	jobs := []*Job{{Kind: JobPostFinal, ReferralID: referralID}, {Kind: JobUpdateSummary, ReferralID: referralID},
		{Kind: JobRefreshHome, ReferralID: referralID}}
	if s.recordFile != nil {
		jobs = append(jobs, &Job{Kind: JobUploadRecord, ReferralID: referralID})
	}
	return jobs
}

// recommendation checks the amendment as the recommendation form is checked.
// Provisos kept word for word keep the office that wrote them; new or reworded
// ones are the analyst's own (DTSA).
func (in AmendInput) recommendation(agency Agency, cur *Recommendation) (*Recommendation, error) {
	p := map[string]string{}
	if !in.Outcome.Valid() {
		p[FieldOutcome] = "Choose the recommendation."
	}
	rec := &Recommendation{Outcome: in.Outcome}
	rec.AmendReason = checkText(p, FieldAmendReason, strings.TrimSpace(in.Reason), "why the recommendation is amended", true, MaxLongText, true)
	rec.Rationale = checkText(p, FieldRationale, strings.TrimSpace(in.Rationale), "the rationale", in.Outcome == OutcomeRWA || in.Outcome == OutcomeDeny, MaxLongText, true)
	if in.Outcome == OutcomeDeny {
		rec.Basis = checkBasis(p, FieldBasis, in.Basis, agency)
	}
	provisos := parseProvisos(p, FieldAmendProvisos, in.Provisos, OfficeDTSA, agency, false)
	var treatments []Treatment
	provisos, treatments = carryFates(cur, provisos, rec.AmendReason)
	switch {
	case in.Outcome == OutcomeApproveWithProvisos && len(provisos) == 0:
		p[FieldAmendProvisos] = fmt.Sprintf("%s needs at least one %s.", in.Outcome.LabelFor(agency), agency.Term())
	case in.Outcome == OutcomeApprove && len(provisos) > 0:
		p[FieldAmendProvisos] = fmt.Sprintf("Plain Approve carries no %s: choose %s, or clear them.", agency.Terms(), OutcomeApproveWithProvisos.LabelFor(agency))
	case in.Outcome == OutcomeApproveWithProvisos:
		rec.Provisos, rec.Treatments = provisos, treatments
	}
	if len(p) > 0 {
		return nil, Invalid(p)
	}
	return rec, nil
}

// carryFates carries the fates of the office provisos from the version amended to
// the amendment, so that an amendment never credits an office with words it did
// not write, nor hides a proviso it drops. A carried text kept as it was keeps its
// fate; an office proviso whose carried text is gone is dropped, with the
// amendment's reason; any other line is DTSA's own. A version recorded before fates
// were kept credits unchanged words to their office. A line kept word for word
// keeps its standard proviso's library code too (the amendment modal is plain
// text, and the code must not be lost on the way): an office's kept proviso from
// its treatment, any other from the version amended.
func carryFates(cur *Recommendation, lines []Proviso, reason string) ([]Proviso, []Treatment) {
	code := map[string]string{}
	for _, pv := range cur.Provisos {
		if pv.Code != "" {
			code[pv.Text] = pv.Code
		}
	}
	if len(cur.Treatments) == 0 {
		origin := map[string]string{}
		for _, pv := range cur.Provisos {
			origin[pv.Text] = pv.OfficeCode
		}
		for i := range lines {
			if office, ok := origin[lines[i].Text]; ok {
				lines[i].OfficeCode, lines[i].Code = office, code[lines[i].Text]
			}
		}
		return lines, nil
	}
	present := map[string]bool{}
	for _, l := range lines {
		present[l.Text] = true
	}
	used := map[string]bool{}
	var carried []Proviso
	var treatments []Treatment
	for _, t := range cur.Treatments {
		words := t.OfficeText
		if t.Fate == FateModified {
			words = t.DTSAText
		}
		switch {
		case t.Fate == FateDropped:
		case present[words] && !used[words]:
			used[words] = true
			pv := Proviso{OfficeCode: t.OfficeCode, Text: words}
			if t.Fate == FateKept {
				pv.Code = t.Code // the library's words, as the office chose them
			}
			carried = append(carried, pv)
		default:
			t.Fate, t.DTSAText, t.Reason = FateDropped, "", reason
		}
		treatments = append(treatments, t)
	}
	for _, l := range lines {
		if !used[l.Text] {
			carried = append(carried, Proviso{OfficeCode: OfficeDTSA, Text: l.Text, Code: code[l.Text]})
			used[l.Text] = true
		}
	}
	return carried, treatments
}
