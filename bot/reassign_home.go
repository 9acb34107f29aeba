package bot

import (
	"context"
	"fmt"
)

// Reassigning from a supervisor's Home tab: the Reassign… button of an analyst's
// row opens a small modal (ReassignModal) to choose one of their referrals and
// the analyst who takes it over; /referral reassign does the same from a channel.

// The Home tab's reassign button, its modal and the modal's fields.
const (
	// ActionReassignFromHome is the Reassign… button of an analyst's row; its value
	// is the analyst's user id.
	ActionReassignFromHome = "reassign_from_home"
	// CallbackReassign identifies the modal (ReassignModal); its private metadata
	// is the user id of the analyst whose referral is handed over.
	CallbackReassign = "reassign"
	// FieldReassignReferral is the modal's choice of referral (its id).
	FieldReassignReferral = "reassign_referral"
	// FieldReassignTo is the modal's choice of the analyst who takes it over.
	FieldReassignTo = "reassign_to"
)

// ReassignChoiceLimit is how many of an analyst's referrals the modal offers, least
// time left first: a static select holds at most 100 options. Any other one is
// reassigned with /referral reassign in its channel or with its case number.
const ReassignChoiceLimit = 100

// ReassignChoices returns the open referrals of analyst from that actor may hand
// over from the modal (at most ReassignChoiceLimit, soonest DoD due date first)
// and how many from owns in all. Analysts and supervisors only.
func (s *Service) ReassignChoices(ctx context.Context, actor, from string) ([]*Referral, int, error) {
	if err := s.MayReassign(ctx, actor); err != nil {
		return nil, 0, err
	}
	refs, total, err := s.store.AnalystReferrals(ctx, from, ReassignChoiceLimit)
	if err != nil {
		return nil, 0, fmt.Errorf("referrals of %s to reassign: %w", from, err)
	}
	if total == 0 {
		return nil, 0, Errorf(ECLOSED, "<@%s> has no open referral to hand over now.", from)
	}
	return refs, total, nil
}

// ReassignFromHome hands referralID, chosen in the modal among from's referrals,
// to analyst to. Problems with the choices come back as field errors, in plain
// words (Slack shows a <@U…> in a field error as typed); a referral handed to
// someone else meanwhile is refused and nothing changes.
func (s *Service) ReassignFromHome(ctx context.Context, actor, from string, referralID int64, to string) (*Referral, error) {
	if err := s.MayReassign(ctx, actor); err != nil {
		return nil, err
	}
	problems := map[string]string{}
	if referralID <= 0 {
		problems[FieldReassignReferral] = "Choose the referral to hand over."
	}
	switch {
	case to == "":
		problems[FieldReassignTo] = "Choose the analyst who takes it over."
	case to == from:
		problems[FieldReassignTo] = "They own it already: choose another analyst."
	case !s.roster.IsAnalyst(to):
		problems[FieldReassignTo] = "They are not a licensing analyst, so they cannot own a referral. Ask an operator to add them to the roster's analysts."
	}
	if len(problems) > 0 {
		return nil, Invalid(problems)
	}
	return s.reassign(ctx, actor, referralID, from, to)
}
