package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Outbox tuning: how long a claimed job is leased, and the backoff between retries.
const (
	JobLease      = 2 * time.Minute // the default; Config.JobLease overrides it
	retryBase     = time.Second
	retryMax      = 5 * time.Minute
	maxJobRetries = 12
	idlePoll      = time.Second // fallback wake-up when nothing kicks the worker
)

// errNotReady means a job depends on another that has not finished yet.
var errNotReady = errors.New("not ready yet")

// slackFailure prefixes the LastError of a job whose attempt ended in an answer from
// Slack: such an attempt recorded everything it did before the failing call.
const slackFailure = "slack: "

// answered reports whether an attempt ended in an answer from Slack (or found its
// job not ready), and so recorded everything it did before. An attempt that did
// not, such as one that failed on the database right after a successful post, may
// have lost work (Job.LostWork). The mark, once set, stays until the job is done:
// an attempt that looked for the lost work and then met a Slack refusal may not
// have found all of it.
func answered(err error) bool {
	var se *SlackError
	return (errors.As(err, &se) && se.Refused()) || errors.Is(err, errNotReady)
}

// describe renders err for a job's LastError, marking answers from Slack.
func describe(err error) string {
	if answered(err) {
		return slackFailure + err.Error()
	}
	return err.Error()
}

// RunJob does one outbox job. It is idempotent: a job run twice, or run after a crash
// half-way, leaves Slack as one clean run would.
func (s *Service) RunJob(ctx context.Context, j *Job) error {
	switch j.Kind {
	case JobProvision:
		return s.provision(ctx, j)
	case JobUpdateSummary:
		return s.updateSummary(ctx, j.ReferralID)
	case JobUpdateAsk:
		return s.updateAsk(ctx, j.ReferralID, j.AskID)
	case JobPostFinal:
		return s.postFinal(ctx, j)
	case JobSendReminders:
		return s.sendReminders(ctx, j)
	case JobRefreshHome:
		return s.refreshHomes(ctx, j)
	case JobSendNudges:
		return s.sendNudges(ctx, j)
	case JobInviteAnalyst:
		return s.inviteAnalyst(ctx, j)
	case JobInviteJoiners:
		return s.inviteJoiners(ctx, j)
	case JobRemoveLeavers:
		return s.removeLeavers(ctx, j)
	case JobPostAsk:
		return s.postAsk(ctx, j)
	case JobUploadRecord:
		return s.uploadRecord(ctx, j)
	case JobArchive:
		return s.archive(ctx, j)
	case JobTellOverride:
		return s.tellOverride(ctx, j)
	case JobRequestSignOff:
		return s.postSignOffRequest(ctx, j)
	case JobPostAnswer:
		return s.postAnswer(ctx, j)
	case JobTellCovered:
		return s.tellCoveredJob(ctx, j)
	case JobRefreshReferral:
		return s.runRefresh(ctx, j)
	}
	return fmt.Errorf("unknown job kind %q", j.Kind)
}

// settle records how a job that failed ended: retried later, paused, or failed for
// good. The jobs that succeeded are finished together, through finish.
func (s *Service) settle(ctx context.Context, j *Job, err error) error {
	lost := !answered(err)
	var se *SlackError
	switch {
	case Paused(err):
		return s.pause(ctx, j, err)
	case errors.As(err, &se) && se.Kind == ErrSlackRateLimited:
		return s.store.RetryJob(ctx, j.ID, s.now().Add(se.RetryAfter), describe(err), lost)
	case Permanent(err) || j.Attempts >= maxJobRetries:
		s.log.Error("slack work failed for good", "job", j.ID, "kind", j.Kind, "referral", j.ReferralID, "err", err)
		if ferr := s.store.FailJob(ctx, j.ID, describe(err), lost); ferr != nil {
			return ferr
		}
		if eerr := s.store.Update(ctx, func(tx Tx) error {
			return tx.AppendEvent(ctx, s.event(j.ReferralID, ActorBot, "slack.failed", map[string]any{
				"job": j.Kind, "ask": j.AskID, "error": err.Error(),
			}))
		}); eerr != nil {
			return eerr
		}
		s.tellAnalystOfFailure(ctx, j, err)
		return nil
	default:
		backoff := retryBase << min(j.Attempts, 16)
		s.log.Warn("slack work will be retried", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "in", min(backoff, retryMax), "err", err)
		return s.store.RetryJob(ctx, j.ID, s.now().Add(min(backoff, retryMax)), describe(err), lost)
	}
}

// finish removes jobs that are done, in one write, then tells the analysts whose
// paused work went through. A job already gone (its lease expired and another
// worker finished it) does not keep the others.
func (s *Service) finish(ctx context.Context, jobs ...*Job) error {
	if len(jobs) == 0 {
		return nil
	}
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	err := s.store.FinishJobs(ctx, ids...)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err // nothing was removed
	}
	for _, j := range jobs {
		s.tellAnalystOfRecovery(ctx, j)
	}
	return err
}

// drainBatch is how many jobs DrainJobs claims at once.
const drainBatch = 16

// DrainJobs runs every job that is due now, one at a time, until none is left.
// Tests and the demo call it to reach a settled state without waiting on a clock.
// The jobs of one claim that succeed are finished together.
func (s *Service) DrainJobs(ctx context.Context) error {
	for {
		jobs, err := s.store.ClaimJobs(ctx, s.now(), s.lease, drainBatch)
		if err != nil {
			return fmt.Errorf("claim jobs: %w", err)
		}
		if len(jobs) == 0 {
			return nil
		}
		var done []*Job
		for _, j := range jobs {
			if jerr := s.RunJob(ctx, j); jerr == nil {
				done = append(done, j)
			} else if err := s.settle(ctx, j, jerr); err != nil {
				return errors.Join(fmt.Errorf("settle job %d: %w", j.ID, err), s.finish(ctx, done...))
			}
		}
		if err := s.finish(ctx, done...); err != nil {
			return fmt.Errorf("finish jobs: %w", err)
		}
	}
}

// idleWait is how long an idle worker may sleep: until the soonest pending job is
// due (a retry after a rate limit, say), and never longer than idlePoll, because
// another process may enqueue work without kicking this one.
func (s *Service) idleWait(ctx context.Context) time.Duration {
	at, ok, err := s.store.NextJobAt(ctx)
	if err != nil || !ok {
		return idlePoll
	}
	return min(max(at.Sub(s.now()), time.Millisecond), idlePoll)
}

// RunWorkers runs the outbox until ctx ends, at most n jobs at a time. One loop
// claims, in one claim, as many due jobs as there are idle runners, and each job
// runs on a runner of its own, so a job waiting out a rate limit (Slack's, or the
// pacer's) never holds back the others. The jobs that succeed go to one finisher,
// which removes together whatever finished while it was removing the last lot.
// A job finishes even during shutdown, so that its Slack call and its record agree.
func (s *Service) RunWorkers(ctx context.Context, n int) {
	n = max(n, 1)
	work := context.WithoutCancel(ctx)
	// Each claimed job sends exactly one token on idle once settled and one job on
	// done at most: buffers of n never block.
	idle := make(chan struct{}, n)
	done := make(chan *Job, n)
	var finisher sync.WaitGroup
	finisher.Go(func() {
		for j := range done {
			batch := []*Job{j}
		more:
			for {
				select {
				case j, ok := <-done:
					if !ok {
						break more
					}
					batch = append(batch, j)
				default:
					break more
				}
			}
			if err := s.finish(work, batch...); err != nil {
				s.log.Error("finish jobs", "jobs", len(batch), "err", err)
			}
			for range batch {
				idle <- struct{}{}
			}
		}
	})
	var runners sync.WaitGroup
	free := n
	for ctx.Err() == nil {
		for drained := false; !drained; {
			select {
			case <-idle:
				free++
			default:
				drained = true
			}
		}
		if free == 0 {
			select {
			case <-ctx.Done():
			case <-idle:
				free++
			}
			continue
		}
		jobs, err := s.store.ClaimJobs(ctx, s.now(), s.lease, free)
		if err != nil && ctx.Err() == nil {
			s.log.Error("claim jobs", "err", err)
		}
		for _, j := range jobs {
			free--
			runners.Go(func() {
				jerr := s.RunJob(work, j)
				if jerr == nil {
					done <- j // the finisher frees the runner
					return
				}
				if err := s.settle(work, j, jerr); err != nil {
					s.log.Error("settle job", "job", j.ID, "err", err)
				}
				idle <- struct{}{}
			})
		}
		if free == 0 {
			continue
		}
		// Fewer due than idle runners: wait for new work, the next due job, or a
		// settled job (whose key may have held another back).
		select {
		case <-ctx.Done():
		case <-s.kick:
		case <-idle:
			free++
		case <-time.After(s.idleWait(ctx)):
		}
	}
	runners.Wait()
	close(done)
	finisher.Wait()
}

// failureWords says in the analyst's words what Slack work was given up on.
var failureWords = map[JobKind]string{
	JobProvision:       "setting up the referral's channel",
	JobUpdateSummary:   "updating the summary message",
	JobUpdateAsk:       "updating an office's ask message",
	JobPostFinal:       "posting the final recommendation",
	JobSendReminders:   "posting reminders",
	JobSendNudges:      "posting reminders",
	JobInviteAnalyst:   "adding the analyst to the referral's channel",
	JobInviteJoiners:   "adding reviewers who pressed Join to the referral's channel",
	JobRemoveLeavers:   "removing people who left their office from the referral's channel",
	JobPostAsk:         "posting an office's ask",
	JobUploadRecord:    "uploading the official record to the channel",
	JobArchive:         "archiving the referral's channel",
	JobTellOverride:    "telling an office, in its ask's thread, that the final recommendation changed or dropped its provisos",
	JobPostAnswer:      "posting the answer to an office's questions",
	JobTellCovered:     "telling you what another analyst did on your referral",
	JobRefreshReferral: "updating the referral's messages and Home tabs",
}

// tellAnalystOfFailure tells the referral's analyst, by direct message, that Slack
// refused some work for good. The message carries only the case number and Slack's
// error: the referral's details stay in its channel.
func (s *Service) tellAnalystOfFailure(ctx context.Context, j *Job, cause error) {
	r, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		s.log.Error("tell the analyst of a failure", "referral", j.ReferralID, "err", err)
		return
	}
	code := cause.Error()
	var se *SlackError
	if errors.As(cause, &se) && se.Code != "" {
		code = se.Code
	}
	what := failureWords[j.Kind]
	if what == "" {
		what = string(j.Kind)
	}
	text := fmt.Sprintf(":warning: %s: Slack refused %s (`%s`), and retrying will not help. Everything recorded is safe; an operator should check the bot's access to Slack, then the work can be redone.", r.CaseNumber, what, code)
	if code == "is_archived" {
		// Nothing is lost: the change is recorded; only the archived channel can't show it.
		text = fmt.Sprintf(":file_cabinet: %s: its channel is archived, so I couldn't finish %s there. The change is recorded: `/referral status %s` and `/referral export %s` show it.", r.CaseNumber, what, r.CaseNumber, r.CaseNumber)
	}
	dm, err := s.slack.OpenDM(ctx, r.AnalystID)
	if err == nil {
		_, err = s.slack.PostMessage(ctx, dm, Message{Text: text})
	}
	if err != nil {
		s.log.Error("tell the analyst of a failure", "referral", j.ReferralID, "err", err)
	}
}
