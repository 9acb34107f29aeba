package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// ActionSignOff is the button a supervisor presses to give a recommendation its
// second signature; its value is SignOffValue.
const ActionSignOff = "sign_off"

// JobRequestSignOff posts (or, once signed, updates) the request for a supervisor's
// sign-off in the referral's channel, and tells the supervisors by direct message.
const JobRequestSignOff JobKind = "request_sign_off"

// Supervisors may give a recommendation its second signature: the members of a
// Slack user group, plus individually named users, as an office's roster.
type Supervisors struct {
	UserGroup string   `yaml:"usergroup,omitempty"`
	Users     []string `yaml:"users,omitempty"`
}

// Empty reports whether nobody is named a supervisor.
func (s Supervisors) Empty() bool { return s.UserGroup == "" && len(s.Users) == 0 }

// roster is the supervisors as a roster that members resolve like an office's.
func (s Supervisors) roster() Office {
	return Office{Code: "supervisors", Name: "Supervisors", UserGroup: s.UserGroup, Users: s.Users}
}

// SignOffValue is the sign-off button's value: the referral and the recommendation.
func SignOffValue(rec *Recommendation) string {
	return fmt.Sprintf("%d:%d", rec.ReferralID, rec.ID)
}

// ParseSignOffValue reads a sign-off button's value.
func ParseSignOffValue(v string) (referralID, recID int64, err error) {
	a, b, ok := strings.Cut(v, ":")
	referralID, err1 := strconv.ParseInt(a, 10, 64)
	recID, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, Errorf(EINVALID, "This button is damaged; nothing was recorded.")
	}
	return referralID, recID, nil
}

// requestSignOff are the jobs a recommendation waiting for sign-off queues.
func (s *Service) requestSignOff(referralID int64) []*Job {
	return []*Job{{Kind: JobRequestSignOff, ReferralID: referralID}, {Kind: JobUpdateSummary, ReferralID: referralID},
		{Kind: JobRefreshHome, ReferralID: referralID}}
}

// closeReferral makes the recommendation just recorded final: the referral is
// recommended, every ask still open is closed, and the announcement, the record's
// upload and the archiving are queued. It returns the event kind, the jobs, and the
// asks that were still awaiting (whose reminders must stop).
func (s *Service) closeReferral(ctx context.Context, tx Tx, ref *Referral, asks []*Ask) (string, []*Job, []*Ask, error) {
	ref.State = ReferralRecommended
	if err := tx.UpdateReferral(ctx, ref); err != nil {
		return "", nil, nil, err
	}
	jobs := []*Job{{Kind: JobPostFinal, ReferralID: ref.ID}, {Kind: JobUpdateSummary, ReferralID: ref.ID},
		{Kind: JobRefreshHome, ReferralID: ref.ID}}
	jobs = append(jobs, s.afterFinal(ref.ID)...)
	var closed []*Ask
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
			return "", nil, nil, err
		}
		jobs = append(jobs, &Job{Kind: JobUpdateAsk, ReferralID: ref.ID, AskID: a.ID})
	}
	return "recommendation.recorded", jobs, closed, nil
}

// SignOff records a supervisor's second signature on the recommendation waiting
// for it. Only then is it final: posted as final, the asks closed, the record
// uploaded (or, for an amendment, the amended version announced). The analyst who
// recorded it cannot sign it; anyone not a supervisor is refused; nothing changes.
func (s *Service) SignOff(ctx context.Context, actor string, referralID, recID int64) (*Recommendation, error) {
	t, err := s.Tally(ctx, referralID)
	if err != nil {
		return nil, err
	}
	p := t.Pending
	if p == nil || p.ID != recID {
		return nil, s.notWaiting(ctx, t, recID)
	}
	if actor == p.RecordedBy {
		return nil, Errorf(EFORBIDDEN, "The second signature must come from a supervisor other than the analyst who recorded the recommendation. Nothing was recorded.")
	}
	ok, err := s.members.onRoster(ctx, s.roster.Supervisors.roster(), actor)
	if err != nil {
		return nil, fmt.Errorf("check supervisors: %w", err)
	}
	if !ok {
		return nil, Errorf(EFORBIDDEN, "Only supervisors can sign off on a recommendation; you are not on the roster's supervisors. Nothing was recorded.")
	}
	at := s.now().UTC()
	var closed []*Ask
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.SignRecommendation(ctx, p.ID, actor, at); err != nil {
			if ErrorCode(err) == ECONFLICT {
				return Errorf(ECLOSED, "Someone signed this recommendation off a moment ago.")
			}
			return err
		}
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		jobs := s.announceAmendment(ref.ID)
		if ref.State != ReferralRecommended {
			asks, err := tx.Asks(ctx, referralID)
			if err != nil {
				return err
			}
			if _, jobs, closed, err = s.closeReferral(ctx, tx, ref, asks); err != nil {
				return err
			}
			// Final now: the offices it partially overrides hear of it.
			jobs = append(jobs, tellOverridden(p, asks)...)
		}
		jobs = append(jobs, &Job{Kind: JobRequestSignOff, ReferralID: ref.ID})
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "recommendation.signed_off", map[string]any{
			"version": p.Version, "outcome": p.Outcome, "recorded_by": p.RecordedBy,
		})); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs...)
	})
	if err != nil {
		return nil, fmt.Errorf("sign off the recommendation on referral %d: %w", referralID, err)
	}
	s.cancelAsks(ctx, closed)
	s.Kick()
	p.SignOff, p.SignedBy, p.SignedAt = SignOffSigned, actor, at
	return p, nil
}

// notWaiting says why a sign-off button no longer signs anything.
func (s *Service) notWaiting(ctx context.Context, t *Tally, recID int64) error {
	versions, err := s.store.RecommendationVersions(ctx, t.Referral.ID)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.ID == recID && v.SignOff == SignOffSigned {
			return Errorf(ECLOSED, "This recommendation was already signed off by <@%s>. Nothing was recorded.", v.SignedBy)
		}
	}
	return Errorf(ECLOSED, "This recommendation is not waiting for a sign-off. Nothing was recorded.")
}

// postSignOffRequest posts the sign-off request in the referral's channel and
// tells each supervisor by direct message (the case number and the button, no
// details); once signed, it updates the channel's request to say who signed.
func (s *Service) postSignOffRequest(ctx context.Context, j *Job) error {
	t, err := s.Tally(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	r := t.Referral
	if r.ChannelID == "" || !r.Provisioned {
		return errNotReady
	}
	versions, err := s.store.RecommendationVersions(ctx, r.ID)
	if err != nil || len(versions) == 0 {
		return err
	}
	rec := versions[len(versions)-1]
	if rec.SignOff == SignOffNone {
		return nil
	}
	m := SignOffRequestMessage(r, rec, s.roster)
	ts, found, err := s.slack.FindMessage(ctx, r.ChannelID, m.Key)
	switch {
	case err != nil:
		return err
	case found:
		return s.slack.UpdateMessage(ctx, r.ChannelID, ts, m)
	case rec.SignOff != SignOffPending:
		return nil
	}
	if _, err := s.slack.PostMessage(ctx, r.ChannelID, m); err != nil {
		return err
	}
	supervisors, err := s.members.officeMembers(ctx, s.roster.Supervisors.roster())
	if err != nil {
		return err
	}
	dm := SignOffDM(r, rec)
	for _, u := range supervisors {
		if u == rec.RecordedBy {
			continue
		}
		// A direct message is a courtesy: the request stands in the channel, so a
		// failed one is logged rather than retried (a retry would repeat the others).
		channel, err := s.slack.OpenDM(ctx, u)
		if err == nil {
			_, err = s.slack.PostMessage(ctx, channel, dm)
		}
		if err != nil {
			s.log.Warn("tell a supervisor of a sign-off request", "referral", r.ID, "user", u, "err", err)
		}
	}
	return nil
}
