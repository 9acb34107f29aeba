package bot

// Who may act on whose referral. Analysts cover for each other by default
// (ANALYST_SCOPE=team): any analyst may hold, resume, extend, remind, ask, withdraw,
// reassign, record the agency's clock or recommend on any referral. Under
// ANALYST_SCOPE=own only the referral's analyst and the supervisors may. Either way
// an action by someone other than the referral's analyst is recorded as such and
// the referral's analyst is told, so nobody finds their case changed unawares.

import (
	"context"
	"encoding/json"
	"fmt"
)

// The analyst scopes.
const (
	ScopeTeam = "team" // analysts cover for each other (the default)
	ScopeOwn  = "own"  // only the referral's analyst and supervisors act on it
)

// covering checks that actor may act on the referral (verb says how, for the
// refusal) and returns the referral when actor is covering for its analyst, nil
// when it is actor's own.
func (s *Service) covering(ctx context.Context, referralID int64, actor, verb string) (*Referral, error) {
	ref, err := s.store.Referral(ctx, referralID)
	if err != nil {
		return nil, err
	}
	if ref.AnalystID == actor {
		return nil, nil
	}
	if s.scopeOwn {
		ok, err := s.members.onRoster(ctx, s.roster.Supervisors.roster(), actor)
		if err != nil {
			return nil, fmt.Errorf("check supervisors: %w", err)
		}
		if !ok {
			return nil, Errorf(EFORBIDDEN, "%s is <@%s>'s referral. In this workspace only a referral's own analyst and the supervisors may %s it (ANALYST_SCOPE=own); ask <@%s>, or a supervisor to reassign it. Nothing was changed.",
				ref.CaseNumber, ref.AnalystID, verb, ref.AnalystID)
		}
	}
	return ref, nil
}

// tellCovered records that actor did what on ref for its analyst and tells the
// analyst by direct message (through the outbox). The action itself is already
// recorded; a failure here is logged, not the actor's failure.
func (s *Service) tellCovered(ctx context.Context, ref *Referral, actor, what string) {
	if ref == nil {
		return
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "analyst.covered", map[string]any{
			"analyst": ref.AnalystID, "action": what,
		})); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, &Job{Kind: JobTellCovered, ReferralID: ref.ID})
	})
	if err != nil {
		s.log.Error("record an action on another analyst's referral", "referral", ref.ID, "err", err)
		return
	}
	s.Kick()
}

// CoveredMessage is the direct message that tells a referral's analyst what others
// did on it: the case number and a link, no details.
func CoveredMessage(r *Referral, events []*Event) Message {
	text := fmt.Sprintf(":busts_in_silhouette: On your referral %s (<#%s>):", r.CaseNumber, r.ChannelID)
	for _, e := range events {
		what := coveredDetail(e).Action
		text += fmt.Sprintf("\n• <@%s> %s, %s", e.Actor, what, SlackTime(e.At))
	}
	return Message{Text: text}
}

// tellCoveredJob posts each analyst the actions others took on the referral for
// them since the last time they were told, then records that they were. A crash
// between the two may tell them twice, never not at all.
func (s *Service) tellCoveredJob(ctx context.Context, j *Job) error {
	r, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	events, err := s.store.Events(ctx, r.ID)
	if err != nil {
		return err
	}
	var untold []*Event
	var last int64
	for _, e := range events {
		switch e.Kind {
		case "analyst.covered":
			untold = append(untold, e)
		case "analyst.told_covered":
			untold = nil
		}
		last = e.ID
	}
	if len(untold) == 0 {
		return nil
	}
	// Each action goes to the analyst whose referral it was then (a reassignment
	// tells the one it was taken from).
	byAnalyst := map[string][]*Event{}
	var order []string
	for _, e := range untold {
		a := coveredDetail(e).Analyst
		if _, ok := byAnalyst[a]; !ok {
			order = append(order, a)
		}
		byAnalyst[a] = append(byAnalyst[a], e)
	}
	for _, analyst := range order {
		dm, err := s.slack.OpenDM(ctx, analyst)
		if err != nil {
			return err
		}
		if _, err := s.slack.PostMessage(ctx, dm, CoveredMessage(r, byAnalyst[analyst])); err != nil {
			return err
		}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		return tx.AppendEvent(ctx, s.event(r.ID, ActorBot, "analyst.told_covered", map[string]any{"through": last}))
	})
}

// coveredDetail reads an analyst.covered event's detail (written by tellCovered).
func coveredDetail(e *Event) (d struct {
	Analyst string `json:"analyst"`
	Action  string `json:"action"`
}) {
	_ = json.Unmarshal([]byte(e.Detail), &d) // tellCovered always writes this shape
	return d
}
