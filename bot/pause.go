package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// pauseRetryMax caps the wait between attempts of work paused on refused
// credentials, so that it resumes within a minute of an operator fixing the app,
// with nobody having to redo anything.
const pauseRetryMax = time.Minute

// PausedWork summarises the outbox's work paused on refused credentials: /readyz
// reports it, since nothing reaches Slack until an operator fixes the app.
type PausedWork struct {
	Jobs      int       // how many jobs are paused; 0 when none
	Since     time.Time // when the oldest was first refused
	LastError string    // the newest refusal, as recorded ("slack: invalid_auth")
}

// Problem is the readiness failure the paused work amounts to; nil when none is paused.
func (p PausedWork) Problem() error {
	if p.Jobs == 0 {
		return nil
	}
	return fmt.Errorf("Slack has refused the app's credentials or scopes (%s) since %s: %d piece(s) of Slack work paused, retried every minute; fix the bot token or reinstall the app with the manifest's scopes",
		slackCode(p.LastError), p.Since.UTC().Format(time.RFC3339), p.Jobs)
}

// slackCode is Slack's error string at the end of a job's LastError
// ("slack: create channel …: invalid_auth"), without what the bot was doing.
func slackCode(lastError string) string {
	lastError = strings.TrimPrefix(lastError, slackFailure)
	if i := strings.LastIndex(lastError, ": "); i >= 0 {
		return lastError[i+2:]
	}
	return lastError
}

// owedNotices remembers, per referral, an analyst who could not be told that its
// work was paused (the DM was refused too, as it is when the token is), so that
// they are told once the work goes through. In memory: after a restart the
// analyst may not hear of a pause that has ended, but /referral status shows
// every pause while it lasts.
type owedNotices struct {
	mu   sync.Mutex
	told map[int64]bool      // referral → told of its pause already
	owed map[int64]time.Time // referral → its pause began, analyst not yet told
}

// pause hands back work refused on the app's credentials, to be retried with
// backoff (at most pauseRetryMax apart) for as long as it takes; it is never given up.
func (s *Service) pause(ctx context.Context, j *Job, cause error) error {
	since := j.PausedSince
	first := since.IsZero()
	if first {
		since = s.now().UTC()
	}
	wait := min(retryBase<<min(j.Attempts, 16), pauseRetryMax)
	s.log.Error("Slack refused the app's credentials: work paused until an operator fixes the app", "job", j.ID, "kind", j.Kind,
		"referral", j.ReferralID, "since", since, "retry_in", wait, "err", cause)
	if err := s.store.PauseJob(ctx, j.ID, s.now().Add(wait), since, describe(cause)); err != nil {
		return err
	}
	if !first {
		return nil
	}
	if err := s.store.Update(ctx, func(tx Tx) error {
		return tx.AppendEvent(ctx, s.event(j.ReferralID, ActorBot, "slack.paused", map[string]any{
			"job": j.Kind, "ask": j.AskID, "error": cause.Error(),
		}))
	}); err != nil {
		return err
	}
	s.tellAnalystOfPause(ctx, j, cause, since)
	return nil
}

// tellAnalystOfPause tells the referral's analyst once that its work is paused. A
// refused token refuses the DM too: the analyst is then told when the work goes
// through (tellAnalystOfRecovery). A missing scope usually leaves DMs working.
func (s *Service) tellAnalystOfPause(ctx context.Context, j *Job, cause error, since time.Time) {
	n := &s.owed
	n.mu.Lock()
	if n.told == nil {
		n.told, n.owed = map[int64]bool{}, map[int64]time.Time{}
	}
	if n.told[j.ReferralID] {
		n.mu.Unlock()
		return
	}
	n.told[j.ReferralID] = true
	n.mu.Unlock()
	r, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		s.log.Error("tell the analyst of paused work", "referral", j.ReferralID, "err", err)
		return
	}
	text := fmt.Sprintf(":warning: %s: Slack refused the app's credentials (`%s`) while %s. Nothing is lost: the work waits and goes through by itself once an operator fixes the app's access, and the operator has been told. `/referral status %s` shows where it stands.",
		r.CaseNumber, slackCode(describe(cause)), whatJob(j.Kind), r.CaseNumber)
	if err := s.tellAnalyst(ctx, r.AnalystID, text); err != nil {
		s.log.Warn("could not tell the analyst of paused work; will tell them when it goes through", "referral", j.ReferralID, "err", err)
		n.mu.Lock()
		n.owed[j.ReferralID] = since
		n.mu.Unlock()
	}
}

// tellAnalystOfRecovery tells the analyst, once, that work paused while they could
// not be told has gone through: why their channel or message came late.
func (s *Service) tellAnalystOfRecovery(ctx context.Context, j *Job) {
	n := &s.owed
	n.mu.Lock()
	since, ok := n.owed[j.ReferralID]
	if ok {
		delete(n.owed, j.ReferralID)
	}
	if j.PausedSince.IsZero() && !ok {
		n.mu.Unlock()
		return
	}
	delete(n.told, j.ReferralID) // a later pause is news again
	n.mu.Unlock()
	if !ok {
		return
	}
	r, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		s.log.Error("tell the analyst of resumed work", "referral", j.ReferralID, "err", err)
		return
	}
	text := fmt.Sprintf(":white_check_mark: %s: Slack refused the app's credentials from %s until %s, so %s was held. It has gone through now; nothing was lost.",
		r.CaseNumber, SlackTime(since), SlackTime(s.now()), whatJob(j.Kind))
	if err := s.tellAnalyst(ctx, r.AnalystID, text); err != nil {
		s.log.Error("tell the analyst of resumed work", "referral", j.ReferralID, "err", err)
	}
}

// tellAnalyst sends user a direct message.
func (s *Service) tellAnalyst(ctx context.Context, user, text string) error {
	dm, err := s.slack.OpenDM(ctx, user)
	if err == nil {
		_, err = s.slack.PostMessage(ctx, dm, Message{Text: text})
	}
	return err
}

// whatJob says in the analyst's words what Slack work a job does.
func whatJob(k JobKind) string {
	if what := failureWords[k]; what != "" {
		return what
	}
	return string(k)
}

// StuckWork is a referral's Slack work that waits on an operator or failed: what
// /referral status shows, so that an analyst sees why a channel or message is missing.
type StuckWork struct {
	Kind        JobKind
	ID          int64     // the job, for `referralbot jobs retry ID`
	PausedSince time.Time // set when paused on refused credentials
	Failed      bool      // given up for good
	Code        string    // Slack's error string
}

// StuckWork returns the referral's paused or failed Slack work, oldest first.
func (s *Service) StuckWork(ctx context.Context, referralID int64) ([]StuckWork, error) {
	jobs, err := s.store.ReferralJobs(ctx, referralID)
	if err != nil {
		return nil, fmt.Errorf("stuck work of referral %d: %w", referralID, err)
	}
	var out []StuckWork
	for _, j := range jobs {
		if j.PausedSince.IsZero() && j.State != JobFailed {
			continue
		}
		out = append(out, StuckWork{Kind: j.Kind, ID: j.ID, PausedSince: j.PausedSince, Failed: j.State == JobFailed, Code: slackCode(j.LastError)})
	}
	return out, nil
}
