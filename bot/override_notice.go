package bot

import (
	"context"
	"fmt"
	"slices"
)

// tellOverridden queues, for each office the recommendation partially overrides,
// a notice in its ask's thread. The outbox carries it through crashes and Slack
// errors like any other Slack work.
func tellOverridden(rec *Recommendation, asks []*Ask) []*Job {
	partial := rec.PartialOverrides()
	var jobs []*Job
	for _, a := range asks {
		if slices.Contains(partial, a.OfficeCode) {
			jobs = append(jobs, &Job{Kind: JobTellOverride, ReferralID: a.ReferralID, AskID: a.ID})
		}
	}
	return jobs
}

// recordedDetail is the recommendation.recorded event's detail. The fates go into
// the hash-chained log in full, both texts and the reason, so that the log alone
// shows what became of every office's provisos.
func recordedDetail(rec *Recommendation) map[string]any {
	d := map[string]any{"outcome": rec.Outcome, "provisos": len(rec.Provisos), "dissent": rec.Dissent}
	if len(rec.Treatments) == 0 {
		return d
	}
	var fates []map[string]any
	for _, tr := range rec.Treatments {
		f := map[string]any{"office": tr.OfficeCode, "number": tr.Number, "fate": tr.Fate, "office_text": tr.OfficeText}
		if tr.DTSAText != "" {
			f["dtsa_text"] = tr.DTSAText
		}
		if tr.Reason != "" {
			f["reason"] = tr.Reason
		}
		fates = append(fates, f)
	}
	d["fates"] = fates
	if p := rec.PartialOverrides(); len(p) > 0 {
		d["partial_overrides"] = p
	}
	return d
}

// tellOverride posts the override notice as a reply in the thread of the office's
// ask (in its queue channel or the referral's), then logs that the office was told.
// A crash between the two may post it twice, never lose it.
func (s *Service) tellOverride(ctx context.Context, j *Job) error {
	ref, a, err := s.postedAsk(ctx, j)
	if err != nil {
		return err
	}
	rec, err := s.store.Recommendation(ctx, ref.ID)
	if err != nil {
		return err
	}
	m := OverrideNotice(ref, a, rec, s.roster)
	m.ThreadTS = a.MessageTS
	if _, err := s.slack.PostMessage(ctx, a.Channel(ref), m); err != nil {
		return fmt.Errorf("tell %s of the override: %w", a.OfficeCode, err)
	}
	return s.store.Update(ctx, func(tx Tx) error {
		return tx.AppendEvent(ctx, s.event(ref.ID, ActorBot, "override.told", map[string]any{
			"office": a.OfficeCode, "ask": a.ID, "summary": OverrideSummary(rec, a.OfficeCode, ref.Agency),
		}))
	})
}

// postedAsk reads the referral and ask of a job that replies in the ask's thread;
// errNotReady until the ask is posted, so the job waits for its thread.
func (s *Service) postedAsk(ctx context.Context, j *Job) (*Referral, *Ask, error) {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.store.Ask(ctx, j.AskID)
	if err != nil {
		return nil, nil, err
	}
	if a.MessageTS == "" {
		return nil, nil, errNotReady
	}
	return ref, a, nil
}
