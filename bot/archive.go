package bot

import (
	"context"
	"fmt"
	"time"
)

// Archive when done: after the final recommendation the record is uploaded to the
// referral's channel, and the channel is archived some business days later, so that
// reviewers' sidebars do not fill with finished cases. Anything posted later that
// cannot reach the archived channel is told to the analyst (a permanent Slack
// failure is always told to the analyst by direct message).

// RecordFile renders a referral's official record as a file to upload: name, title
// and content. It is injected (cmd wires bot/record's Markdown encoder), so that bot
// does not depend on the record's encoders.
type RecordFile func(ctx context.Context, referralID int64) (name, title string, content []byte, err error)

// afterFinal are the jobs the final recommendation queues besides its announcement:
// the record's upload now, and the channel's archiving later.
func (s *Service) afterFinal(referralID int64) []*Job {
	var jobs []*Job
	if s.recordFile != nil {
		jobs = append(jobs, &Job{Kind: JobUploadRecord, ReferralID: referralID})
	}
	if s.archiveAfter > 0 {
		jobs = append(jobs, &Job{Kind: JobArchive, ReferralID: referralID, RunAt: s.archiveAt(s.now())})
	}
	return jobs
}

// archiveAt is the morning, archiveAfter business days after now, when a channel
// whose final recommendation was recorded at now is archived.
func (s *Service) archiveAt(now time.Time) time.Time {
	day := s.rules.AddBusinessDays(s.rules.Date(now), s.archiveAfter)
	return s.rules.At(day, s.policy.MorningHour, s.policy.MorningMinute).UTC()
}

// uploadRecord uploads the official record into the referral's channel, once.
func (s *Service) uploadRecord(ctx context.Context, j *Job) error {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if ref.ChannelID == "" || !ref.Provisioned {
		return errNotReady
	}
	if !ref.ArchivedAt.IsZero() {
		return nil
	}
	name, title, content, err := s.recordFile(ctx, ref.ID)
	if err != nil {
		return fmt.Errorf("render the record of %s: %w", ref.CaseNumber, err)
	}
	if err := s.slack.UploadFile(ctx, ref.ChannelID, name, title, content); err != nil {
		return fmt.Errorf("upload the record of %s: %w", ref.CaseNumber, err)
	}
	return s.store.Update(ctx, func(tx Tx) error {
		return tx.AppendEvent(ctx, s.event(ref.ID, ActorBot, "record.uploaded", map[string]any{"file": name}))
	})
}

// archive archives the referral's channel, once its time has come.
func (s *Service) archive(ctx context.Context, j *Job) error {
	ref, err := s.store.Referral(ctx, j.ReferralID)
	if err != nil {
		return err
	}
	if !ref.ArchivedAt.IsZero() || ref.ChannelID == "" {
		return nil
	}
	if ref.State != ReferralRecommended {
		return nil // reopened since: nothing to archive
	}
	if err := s.slack.Archive(ctx, ref.ChannelID); err != nil {
		return fmt.Errorf("archive the channel of %s: %w", ref.CaseNumber, err)
	}
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Referral(ctx, ref.ID)
		if err != nil {
			return err
		}
		cur.ArchivedAt = s.now().UTC()
		if err := tx.UpdateReferral(ctx, cur); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, s.event(ref.ID, ActorBot, "referral.archived", map[string]any{"channel": ref.ChannelID}))
	})
}
