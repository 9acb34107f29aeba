package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Office queues: an office that names a queue channel gets its asks there, where its
// reviewers work, instead of every reviewer being pulled into every referral's
// channel. A reviewer joins a referral's channel only by pressing Join the
// discussion, and is removed again on leaving the office (need to know).

// Digest is a morning message taken under a deterministic id: an office queue's
// digest of asks coming due, or an analyst's escalation of overdue offices.
type Digest struct {
	ID         string // digest:OFFICE:DATE or escalation:ANALYST:DATE
	ChannelID  string // the queue channel; "" for a direct message to UserID
	UserID     string
	Text       string // fixed when recorded, so a retry posts the same words
	Attempts   int
	PostedTS   string
	RecordedAt time.Time
}

// QueueReader is what office queues read from the store.
type QueueReader interface {
	// OfficeJoins returns who joined open referrals' channels through the office
	// and is still there.
	OfficeJoins(ctx context.Context, office string) ([]ChannelJoin, error)
	// JoinsToInvite returns the reviewers who joined the referral's channel and are
	// not yet invited.
	JoinsToInvite(ctx context.Context, referralID int64) ([]ChannelJoin, error)
	// JoinsToRemove returns the reviewers who left the office they joined through.
	JoinsToRemove(ctx context.Context, referralID int64) ([]ChannelJoin, error)
	// UnpostedDigests returns the digests recorded but not yet posted, oldest first.
	UnpostedDigests(ctx context.Context) ([]*Digest, error)
}

// QueueTx is what office queues write.
type QueueTx interface {
	// RecordJoin notes a reviewer's join; false when they are already in.
	RecordJoin(ctx context.Context, j *ChannelJoin) (bool, error)
	MarkJoinInvited(ctx context.Context, j *ChannelJoin) error
	MarkJoinLeaving(ctx context.Context, j *ChannelJoin) error
	MarkJoinRemoved(ctx context.Context, j *ChannelJoin) error
	// RecordDigest records a digest by id; false (and nothing changed) when the id
	// was recorded before.
	RecordDigest(ctx context.Context, d *Digest) (bool, error)
	// ClaimDigest takes an unposted digest for posting until leaseUntil; false when
	// it is posted or another process holds it.
	ClaimDigest(ctx context.Context, id string, leaseUntil time.Time) (bool, error)
	MarkDigestPosted(ctx context.Context, id, ts string) error
}

// askChannel is where an ask's message belongs: its office's queue, or the
// referral's channel.
func (s *Service) askChannel(r *Referral, officeCode string) string {
	if o, ok := s.roster.Office(officeCode); ok && o.HasQueue() {
		return o.QueueChannel
	}
	return r.ChannelID
}

// JoinDiscussion invites actor into the referral's channel from the ask's message
// in their office's queue, if they are on that office's roster. It returns the
// referral; the invitation itself is outbox work.
func (s *Service) JoinDiscussion(ctx context.Context, actor string, askID int64) (*Referral, error) {
	ask, err := s.store.Ask(ctx, askID)
	if err != nil {
		return nil, err
	}
	ref, err := s.store.Referral(ctx, ask.ReferralID)
	if err != nil {
		return nil, err
	}
	office, ok := s.roster.Office(ask.OfficeCode)
	if !ok {
		return nil, Errorf(EFORBIDDEN, "The office %q is no longer on the roster. Ask the analyst <@%s>.", ask.OfficeCode, ref.AnalystID)
	}
	if !ref.ArchivedAt.IsZero() {
		return nil, Errorf(ECLOSED, "The discussion of %s is over and its channel is archived. Ask the analyst <@%s> for the record.", ref.CaseNumber, ref.AnalystID)
	}
	if ask.State == AskWithdrawn {
		// The button may still show on a message not yet updated: the office no
		// longer needs to know.
		return nil, Errorf(ECLOSED, "The analyst withdrew the ask to %s on %s, so there is no discussion to join.", office.Name, ref.CaseNumber)
	}
	on, err := s.members.onRoster(ctx, office, actor)
	if err != nil {
		s.log.Error("roster unreadable", "office", office.Code, "err", err)
		return nil, Errorf(EFORBIDDEN, "I could not check the %s roster just now. Please try again in a minute.", office.Name)
	}
	if !on {
		return nil, Errorf(EFORBIDDEN, "Only people on the %s roster can join the discussion of %s from here. Nothing was changed.", office.Name, ref.CaseNumber)
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		added, err := tx.RecordJoin(ctx, &ChannelJoin{ReferralID: ref.ID, UserID: actor, OfficeCode: office.Code})
		if err != nil || !added {
			return err
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "referral.joined", map[string]any{"office": office.Code})); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, &Job{Kind: JobInviteJoiners, ReferralID: ref.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("join %s: %w", ref.CaseNumber, err)
	}
	s.Kick()
	return ref, nil
}

// inviteJoiners invites the reviewers who pressed Join into the referral's channel,
// one call each so that one who is already there never holds the others back.
func (s *Service) inviteJoiners(ctx context.Context, j *Job) error {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if ref.ChannelID == "" || !ref.Provisioned {
		return errNotReady
	}
	joins, err := s.store.JoinsToInvite(ctx, ref.ID)
	if err != nil {
		return err
	}
	for _, jn := range joins {
		if err := s.slack.Invite(ctx, ref.ChannelID, []string{jn.UserID}); err != nil {
			return fmt.Errorf("invite %s: %w", jn.UserID, err)
		}
		if err := s.store.Update(ctx, func(tx Tx) error { return tx.MarkJoinInvited(ctx, &jn) }); err != nil {
			return err
		}
	}
	return nil
}

// removeLeavers removes from the referral's channel the reviewers who left the
// office they joined through, unless they are entitled to stay another way
// (entitledElsewhere).
func (s *Service) removeLeavers(ctx context.Context, j *Job) error {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	joins, err := s.store.JoinsToRemove(ctx, ref.ID)
	if err != nil {
		return err
	}
	for _, jn := range joins {
		stays, err := s.entitledElsewhere(ctx, ref, jn)
		if err != nil {
			return err
		}
		if !stays && ref.ChannelID != "" && ref.ArchivedAt.IsZero() {
			if err := s.slack.Kick(ctx, ref.ChannelID, jn.UserID); err != nil {
				return fmt.Errorf("remove %s: %w", jn.UserID, err)
			}
		}
		err = s.store.Update(ctx, func(tx Tx) error {
			if err := tx.MarkJoinRemoved(ctx, &jn); err != nil {
				return err
			}
			return tx.AppendEvent(ctx, s.event(ref.ID, ActorBot, "referral.member_removed", map[string]any{
				"user": jn.UserID, "office": jn.OfficeCode, "reason": "left the office", "kept": stays,
			}))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// entitledElsewhere reports whether someone who left the office they joined
// through may stay in the referral's channel anyway: the analyst, someone the
// analyst invited, or someone on the roster of another office asked on the
// referral (invited with it, or free to join through it).
func (s *Service) entitledElsewhere(ctx context.Context, ref *Referral, jn ChannelJoin) (bool, error) {
	if jn.UserID == ref.AnalystID || slices.Contains(ref.AlsoInvite, jn.UserID) {
		return true, nil
	}
	asks, err := s.store.Asks(ctx, ref.ID)
	if err != nil {
		return false, err
	}
	for _, a := range asks {
		o, ok := s.roster.Office(a.OfficeCode)
		if !ok || o.Code == jn.OfficeCode || a.State == AskWithdrawn {
			continue
		}
		on, err := s.members.onRoster(ctx, o, jn.UserID)
		if err != nil {
			return false, fmt.Errorf("check the %s roster: %w", o.Code, err)
		}
		if on {
			return true, nil
		}
	}
	return false, nil
}

// GroupMembersLeft handles users leaving a Slack user group (the
// subteam_members_changed event): they lose the right to answer for its offices at
// once, and leave the open referral channels they joined through them.
func (s *Service) GroupMembersLeft(ctx context.Context, groupID string, users []string) error {
	s.members.forget(groupID)
	for _, o := range s.roster.OfficesOfGroup(groupID) {
		if err := s.checkJoins(ctx, o, users); err != nil {
			return err
		}
	}
	return nil
}

// CheckJoins removes, from every open referral channel, the reviewers who joined
// through an office they are no longer on (run at start-up: the roster file may
// have changed while the bot was down).
func (s *Service) CheckJoins(ctx context.Context) error {
	var errs []error
	for _, o := range s.roster.Offices {
		errs = append(errs, s.checkJoins(ctx, o, nil))
	}
	return errors.Join(errs...)
}

// checkJoins marks leaving the office's joiners (only those in users, when given)
// who are no longer on its roster, and queues their removal.
func (s *Service) checkJoins(ctx context.Context, o Office, users []string) error {
	joins, err := s.store.OfficeJoins(ctx, o.Code)
	if err != nil || len(joins) == 0 {
		return err
	}
	var leaving []ChannelJoin
	for _, jn := range joins {
		if users != nil && !slices.Contains(users, jn.UserID) {
			continue
		}
		on, err := s.members.onRoster(ctx, o, jn.UserID)
		if err != nil {
			return fmt.Errorf("check the %s roster: %w", o.Code, err)
		}
		if !on {
			leaving = append(leaving, jn)
		}
	}
	if len(leaving) == 0 {
		return nil
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		for _, jn := range leaving {
			if err := tx.MarkJoinLeaving(ctx, &jn); err != nil {
				return err
			}
			if err := s.enqueue(ctx, tx, &Job{Kind: JobRemoveLeavers, ReferralID: jn.ReferralID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.log.Info("need to know: removing reviewers who left their office", "office", o.Code, "removals", len(leaving))
		s.Kick()
	}
	return err
}

// CheckQueues checks every office's queue channel: the bot must be a member (a bot
// cannot join a private channel by itself: an operator must invite it), and the
// channel must be private, because asks in a queue carry the referral's details
// (controlled unclassified information). An office whose queue fails either check
// falls back to the referral-channel mode until the bot restarts: its asks go in the
// referral's private channel and its roster is invited. It returns one line per
// problem, empty when all is well. Call it at start-up, before serving.
func (s *Service) CheckQueues(ctx context.Context) []string {
	var problems []string
	for _, ch := range s.roster.QueueChannels() {
		var offices []string
		for _, o := range s.roster.Offices {
			if o.QueueChannel == ch {
				offices = append(offices, o.Code)
			}
		}
		member, private, err := s.slack.QueueAccess(ctx, ch)
		problem := ""
		switch {
		case err != nil:
			problem = fmt.Sprintf("could not check it: %v", err)
		case !member:
			problem = "the bot is not a member; invite it (/invite @referralbot in the channel)"
		case !private:
			problem = "it is public; referral details must stay in private channels: make it private"
		}
		if problem == "" {
			continue
		}
		problems = append(problems, fmt.Sprintf("queue channel %s (%s): %s; until then these offices' asks go in each referral's channel",
			ch, strings.Join(offices, ", "), problem))
		for i := range s.roster.Offices {
			if s.roster.Offices[i].QueueChannel == ch {
				s.roster.Offices[i].QueueChannel = ""
			}
		}
	}
	return problems
}
