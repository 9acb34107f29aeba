package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxNameTries bounds how many "-N" suffixes are tried after name_taken.
const maxNameTries = 20

// Keys that tag the bot's channel messages, so a resumed opening finds what it posted.
func summaryKey(referralID int64) string { return "summary:" + strconv.FormatInt(referralID, 10) }
func askKey(askID int64) string          { return "ask:" + strconv.FormatInt(askID, 10) }
func finalKey(referralID int64) string   { return "final:" + strconv.FormatInt(referralID, 10) }

// provision gives a referral its channel, members, summary and asks. Each step is
// recorded as soon as it is done; on a later attempt (job.Attempts > 1) the steps
// whose record may have been lost in a crash are first looked for in Slack.
func (s *Service) provision(ctx context.Context, j *Job) error {
	resuming := j.LostWork
	r, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if r.Provisioned {
		return nil
	}
	if err := s.ensureChannel(ctx, r, resuming); err != nil {
		return err
	}
	if err := s.ensureTopic(ctx, r); err != nil {
		return err
	}
	if err := s.ensureMembers(ctx, r); err != nil {
		return err
	}
	t, err := s.Tally(ctx, r.ID)
	if err != nil {
		return err
	}
	if err := s.ensureSummary(ctx, r, t, resuming); err != nil {
		return err
	}
	if err := s.ensureAskMessages(ctx, r, t.Asks, resuming); err != nil {
		return err
	}
	// A position that arrived while the messages were being posted changes the tally;
	// otherwise the summary as posted is current, and updating it would change nothing.
	now, err := s.Tally(ctx, r.ID)
	if err != nil {
		return err
	}
	if err := s.finishProvision(ctx, r, tallyKey(now) != tallyKey(t), changedAsks(t, now)); err != nil {
		return err
	}
	s.tellPrecedents(ctx, r)
	return nil
}

// ensureTopic sets the channel topic once.
func (s *Service) ensureTopic(ctx context.Context, r *Referral) error {
	if r.TopicSet {
		return nil
	}
	if err := s.slack.SetTopic(ctx, r.ChannelID, Topic(r)); err != nil {
		return fmt.Errorf("set topic: %w", err)
	}
	r.TopicSet = true
	return s.saveReferral(ctx, r)
}

// ensureMembers invites the channel's first members once (channelMembers).
func (s *Service) ensureMembers(ctx context.Context, r *Referral) error {
	if r.MembersInvited {
		return nil
	}
	users, err := s.channelMembers(ctx, r)
	if err != nil {
		return err
	}
	if err := s.inviteAll(ctx, r.ChannelID, users); err != nil {
		return err
	}
	r.MembersInvited = true
	return s.saveReferral(ctx, r)
}

// ensureSummary posts the tally message once.
func (s *Service) ensureSummary(ctx context.Context, r *Referral, t *Tally, resuming bool) error {
	if r.SummaryTS != "" {
		return nil
	}
	ts, err := s.postOnce(ctx, r.ChannelID, SummaryMessage(t, s.roster), resuming)
	if err != nil {
		return fmt.Errorf("post summary: %w", err)
	}
	r.SummaryTS = ts
	return s.saveReferral(ctx, r)
}

// ensureAskMessages posts each office's ask that has no message yet where the
// office works, and records where they went in one write: a write per message
// costs an fsync each, and in a burst those, not Slack's limits, set the pace.
// What was posted is recorded even when a later post fails, because a retry after
// Slack's refusal does not look for unrecorded messages unless an earlier attempt
// may have left some (Job.LostWork). A press on a message not yet recorded
// finds no message to redraw; provision redraws the asks that changed meanwhile
// (changedAsks).
func (s *Service) ensureAskMessages(ctx context.Context, r *Referral, asks []*Ask, resuming bool) error {
	var posted []askMessageAt
	var err error
	for _, a := range asks {
		if a.MessageTS != "" || a.State == AskWithdrawn {
			continue
		}
		var at askMessageAt
		if at, err = s.sendAskMessage(ctx, r, a, resuming); err != nil {
			break
		}
		posted = append(posted, at)
	}
	if rerr := s.recordAskMessages(ctx, posted...); rerr != nil {
		// Not an answer from Slack: the retry looks for the unrecorded messages first.
		if err != nil {
			return fmt.Errorf("%w (after %v)", rerr, err)
		}
		return rerr
	}
	return err
}

// askMessageAt is where an ask's message was posted.
type askMessageAt struct {
	askID       int64
	channel, ts string
}

// changedAsks are the asks of now whose state or position differs from then.
func changedAsks(then, now *Tally) []int64 {
	was := map[int64]string{}
	for _, a := range then.Asks {
		was[a.ID] = askState(a)
	}
	var ids []int64
	for _, a := range now.Asks {
		if k, ok := was[a.ID]; ok && k != askState(a) {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// finishProvision marks the referral provisioned, queues what its new channel
// makes possible (and the summary's update, when the tally is stale) and logs that
// the channel is ready.
func (s *Service) finishProvision(ctx context.Context, r *Referral, staleSummary bool, staleAsks []int64) error {
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Referral(ctx, r.ID)
		if err != nil {
			return err
		}
		cur.Provisioned = true
		if err := tx.UpdateReferral(ctx, cur); err != nil {
			return err
		}
		// Home tabs can now link the new channel.
		jobs := []*Job{{Kind: JobRefreshHome, ReferralID: r.ID}}
		if staleSummary {
			jobs = append(jobs, &Job{Kind: JobUpdateSummary, ReferralID: r.ID})
		}
		for _, id := range staleAsks {
			jobs = append(jobs, &Job{Kind: JobUpdateAsk, ReferralID: r.ID, AskID: id})
		}
		if err := s.enqueue(ctx, tx, jobs...); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, s.event(r.ID, ActorBot, "referral.channel_ready", map[string]any{
			"channel": cur.ChannelID, "name": cur.ChannelName,
		}))
	})
}

// ensureChannel creates (or, when resuming, adopts) the referral's private channel.
func (s *Service) ensureChannel(ctx context.Context, r *Referral, resuming bool) error {
	if r.ChannelID != "" {
		return nil
	}
	n := 1
	for r.ChannelName != RoundChannelName(r.Agency, r.CaseNumber, r.Round, n) && n < maxNameTries {
		n++
	}
	for ; n <= maxNameTries; n++ {
		name := RoundChannelName(r.Agency, r.CaseNumber, r.Round, n)
		if r.ChannelName != name {
			// Record the name before creating it, so that a crash right after the create
			// knows which channel to look for.
			r.ChannelName = name
			if err := s.saveReferral(ctx, r); err != nil {
				return err
			}
		}
		if resuming {
			if id, ok, err := s.slack.FindOwnChannel(ctx, name); err != nil {
				return fmt.Errorf("look for channel %s: %w", name, err)
			} else if ok && s.channelIsFree(ctx, id) {
				r.ChannelID = id
				return s.saveReferral(ctx, r)
			}
		}
		id, err := s.slack.CreateChannel(ctx, name)
		if errors.Is(err, ErrNameTaken) {
			continue
		}
		if err != nil {
			return fmt.Errorf("create channel %s: %w", name, err)
		}
		r.ChannelID = id
		return s.saveReferral(ctx, r)
	}
	return Errorf(ECONFLICT, "no free channel name for %s after %d tries", r.CaseNumber, maxNameTries)
}

// channelIsFree reports whether no other referral already owns the channel.
func (s *Service) channelIsFree(ctx context.Context, channelID string) bool {
	_, err := s.store.ReferralByChannel(ctx, channelID)
	return ErrorCode(err) == ENOTFOUND
}

// channelMembers is everyone the referral's channel starts with: the analyst, the
// people the analyst named on the form, and the roster of every asked office that
// has no queue channel. Reviewers of offices with a queue join when they choose to.
func (s *Service) channelMembers(ctx context.Context, r *Referral) ([]string, error) {
	asks, err := s.store.Asks(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	users := append([]string{r.AnalystID}, r.AlsoInvite...)
	for _, a := range asks {
		o, ok := s.roster.Office(a.OfficeCode)
		if !ok || o.HasQueue() || a.State == AskWithdrawn {
			continue
		}
		m, err := s.members.officeMembers(ctx, o)
		if err != nil {
			return nil, err
		}
		users = append(users, m...)
	}
	slices.Sort(users)
	return slices.Compact(users), nil
}

// inviteAll invites users into a channel, at most 1000 a call.
func (s *Service) inviteAll(ctx context.Context, channelID string, users []string) error {
	for chunk := range slices.Chunk(users, 1000) {
		if err := s.slack.Invite(ctx, channelID, chunk); err != nil {
			return fmt.Errorf("invite: %w", err)
		}
	}
	return nil
}

// postAskMessage posts an ask where its office works (its queue, or the referral's
// channel) and records where it went.
func (s *Service) postAskMessage(ctx context.Context, r *Referral, a *Ask, resuming bool) error {
	at, err := s.sendAskMessage(ctx, r, a, resuming)
	if err != nil {
		return err
	}
	return s.recordAskMessages(ctx, at)
}

// sendAskMessage posts an ask where its office works, without recording it.
func (s *Service) sendAskMessage(ctx context.Context, r *Referral, a *Ask, resuming bool) (askMessageAt, error) {
	at := askMessageAt{askID: a.ID, channel: s.askChannel(r, a.OfficeCode)}
	m, err := s.askMessage(ctx, r, a)
	if err != nil {
		return at, err
	}
	if at.ts, err = s.postOnce(ctx, at.channel, m, resuming); err != nil {
		return at, fmt.Errorf("post ask to %s: %w", a.OfficeCode, err)
	}
	return at, nil
}

// recordAskMessages records where asks' messages were posted, in one write.
func (s *Service) recordAskMessages(ctx context.Context, posted ...askMessageAt) error {
	if len(posted) == 0 {
		return nil
	}
	return s.store.Update(ctx, func(tx Tx) error {
		for _, at := range posted {
			cur, err := tx.Ask(ctx, at.askID)
			if err != nil {
				return err
			}
			cur.ChannelID, cur.MessageTS = at.channel, at.ts
			if err := tx.UpdateAsk(ctx, cur); err != nil {
				return err
			}
		}
		return nil
	})
}

// askMessage renders an ask for where it is posted: in an office's queue it carries
// the referral's facts and a Join button; an office with no user group has its
// named users mentioned, so that someone is notified.
func (s *Service) askMessage(ctx context.Context, r *Referral, a *Ask) (Message, error) {
	if a.Prior == nil {
		if err := priorPositions(ctx, s.store, r, []*Ask{a}); err != nil {
			return Message{}, err
		}
	}
	qa, err := s.answerTo(ctx, a)
	if err != nil {
		return Message{}, err
	}
	return WithQuestions(OfficeAskMessage(r, a, s.roster), r, a, qa, s.roster), nil
}

// postOnce posts m, first looking for an earlier copy when a previous attempt may
// have posted it without recording its ts.
func (s *Service) postOnce(ctx context.Context, channelID string, m Message, resuming bool) (string, error) {
	if resuming && m.Key != "" {
		ts, ok, err := s.slack.FindMessage(ctx, channelID, m.Key)
		if err != nil {
			return "", err
		}
		if ok {
			return ts, s.slack.UpdateMessage(ctx, channelID, ts, m)
		}
	}
	return s.slack.PostMessage(ctx, channelID, m)
}

// saveReferral writes r's provisioning progress.
func (s *Service) saveReferral(ctx context.Context, r *Referral) error {
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Referral(ctx, r.ID)
		if err != nil {
			return err
		}
		cur.ChannelName, cur.ChannelID, cur.TopicSet, cur.MembersInvited, cur.SummaryTS =
			r.ChannelName, r.ChannelID, r.TopicSet, r.MembersInvited, r.SummaryTS
		return tx.UpdateReferral(ctx, cur)
	})
}

// tallyKey is what the summary shows of a tally: positions and ask states.
func tallyKey(t *Tally) string {
	var b strings.Builder
	for _, a := range t.Asks {
		b.WriteString(askState(a))
		b.WriteByte(' ')
	}
	return b.String()
}

// askState is what an ask's message shows of it: its state and position.
func askState(a *Ask) string {
	k := fmt.Sprintf("%d:%s", a.ID, a.State)
	if a.Current != nil {
		k += fmt.Sprintf(":%d", a.Current.Version)
	}
	return k
}

// updateSummary re-renders the tally message in place.
func (s *Service) updateSummary(ctx context.Context, referralID int64) error {
	defer messageLocks.lock(fmt.Sprint("summary:", referralID))() // see messageLocks
	t, err := s.Tally(ctx, referralID)
	if err != nil {
		return err
	}
	if t.Referral.SummaryTS == "" {
		return nil // provisioning will post it with the current tally
	}
	return s.slack.UpdateMessage(ctx, t.Referral.ChannelID, t.Referral.SummaryTS, SummaryMessage(t, s.roster))
}

// updateAsk re-renders one office's ask message in place.
func (s *Service) updateAsk(ctx context.Context, referralID, askID int64) error {
	defer messageLocks.lock(fmt.Sprint("ask:", askID))() // see messageLocks
	r, err := s.store.Referral(ctx, referralID)
	if err != nil {
		return err
	}
	a, err := s.store.Ask(ctx, askID)
	if err != nil {
		return err
	}
	if a.MessageTS == "" {
		return nil
	}
	m, err := s.askMessage(ctx, r, a)
	if err != nil {
		return err
	}
	return s.slack.UpdateMessage(ctx, a.Channel(r), a.MessageTS, m)
}

// postFinal announces the final recommendation in the referral's channel.
func (s *Service) postFinal(ctx context.Context, j *Job) error {
	t, err := s.Tally(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if t.Referral.ChannelID == "" || !t.Referral.Provisioned {
		return errNotReady
	}
	_, err = s.postOnce(ctx, t.Referral.ChannelID, FinalMessage(t, s.roster), j.LostWork)
	return err
}
