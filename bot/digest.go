package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Morning digests. On each business morning, at the reminder time:
//   - each office queue gets one message listing its asks due within DigestWindow
//     business days or overdue, each linking to its ask;
//   - each analyst with an overdue office, or a DoD due date coming or just passed,
//     gets one direct message listing them across their referrals (dodmorning.go).
//
// Each is recorded in SQLite under a deterministic id (the office or analyst and
// the date) before it is posted, so that a restart, a Redis outage (Redis is not
// involved) or a second instance never sends one twice. One recorded but not
// posted (a crash, Slack down) is posted by a later pass, which first looks for
// it by its id. A day the bot missed entirely is not made up the next morning: that
// morning's digest is the current one.

// Digest tuning.
const (
	// DigestWindow is how many business days ahead an office's digest looks.
	DigestWindow = 2
	// digestLines bounds a digest's lines; the rest are counted.
	digestLines = 40
	// digestRetry is how long a pass waits after a failed post before trying again.
	digestRetry = 30 * time.Second
	// maxOverdueScan bounds the overdue referrals read for the escalations.
	maxOverdueScan = 10000
)

// DigestExpired is the posted_ts of a digest whose day passed before it could be
// posted: it is never posted.
const DigestExpired = "expired"

// digestID names a morning message: digest:OFFICE:DATE or escalation:ANALYST:DATE.
func digestID(kind, who string, day time.Time) string {
	return kind + ":" + who + ":" + FormatDate(day)
}

// morningPass records this morning's digests once it is time, then posts any that
// are recorded but not yet in Slack.
func (s *Service) morningPass(ctx context.Context) error {
	now := s.now()
	today := s.rules.Date(now)
	if s.rules.IsBusinessDay(today) && !now.Before(s.rules.At(today, s.policy.MorningHour, s.policy.MorningMinute)) &&
		s.digestDay.Load() != FormatDate(today) {
		if err := s.recordDigests(ctx, today); err != nil {
			return err
		}
		s.digestDay.Store(FormatDate(today))
		s.digestsDue.Store(true)
	}
	if !s.digestsDue.Load() || now.Before(s.digestRetryAt()) {
		return nil
	}
	return s.postDigests(ctx)
}

// recordDigests records the day's office digests and analyst escalations.
func (s *Service) recordDigests(ctx context.Context, today time.Time) error {
	var ds []*Digest
	for _, o := range s.roster.Offices {
		if !o.HasQueue() {
			continue
		}
		d, err := s.officeDigest(ctx, o, today)
		if err != nil {
			return err
		}
		if d != nil {
			ds = append(ds, d)
		}
	}
	analysts, lapses, err := s.analystMornings(ctx, today)
	if err != nil {
		return err
	}
	ds = append(ds, analysts...)
	// The morning itself is recorded too, in the same transaction: a restart or a
	// second instance later that day finds it and records nothing, so an office that
	// had nothing due at the reminder time gets no "good morning" in the afternoon.
	morning := &Digest{ID: digestID("morning", "all", today), Text: "the morning's digests are recorded"}
	defer s.Kick() // the passings recorded update summaries and Home tabs
	return s.store.Update(ctx, func(tx Tx) error {
		first, err := tx.RecordDigest(ctx, morning)
		if err != nil || !first {
			return err
		}
		if err := tx.MarkDigestPosted(ctx, morning.ID, digestMarker); err != nil {
			return err
		}
		for _, d := range ds {
			if _, err := tx.RecordDigest(ctx, d); err != nil {
				return err
			}
		}
		for _, l := range lapses {
			if err := s.recordLapse(ctx, tx, l); err != nil {
				return err
			}
		}
		return nil
	})
}

// digestMarker is the posted_ts of the row that records a morning as done: it is
// never a message.
const digestMarker = "marker"

// officeDigest is an office's digest for today, nil when nothing is coming due.
func (s *Service) officeDigest(ctx context.Context, o Office, today time.Time) (*Digest, error) {
	cutoff := s.rules.AddBusinessDays(today, DigestWindow)
	asks, total, err := s.store.OfficeQueue(ctx, []string{o.Code}, cutoff.AddDate(0, 0, 1), digestLines)
	if err != nil {
		return nil, fmt.Errorf("digest of %s: %w", o.Code, err)
	}
	var lines []DigestLine
	for _, p := range asks {
		if p.Ask.MessageTS == "" {
			total-- // not posted yet: nothing to link to
			continue
		}
		link, err := s.slack.Permalink(ctx, p.Ask.Channel(p.Referral), p.Ask.MessageTS)
		if err != nil {
			return nil, fmt.Errorf("digest of %s: %w", o.Code, err)
		}
		lines = append(lines, DigestLine{CaseNumber: p.Referral.CaseNumber, Link: link,
			DueWords: stripStars(dueWords(s.businessDaysLeft(today, p.Ask.DueDate)))})
	}
	if len(lines) == 0 {
		return nil, nil
	}
	return &Digest{ID: digestID("digest", o.Code, today), ChannelID: o.QueueChannel,
		Text: DigestText(o, lines, total-len(lines))}, nil
}

// overdueOffices returns, by analyst, today's lines about their overdue offices
// for their morning message (dodmorning.go), from the first overdue morning the
// policy escalates on (0 turns them off).
func (s *Service) overdueOffices(ctx context.Context, today time.Time) (map[string][]EscalationLine, error) {
	if s.policy.EscalateFromOverdue <= 0 {
		return nil, nil
	}
	refs, _, err := s.store.OverdueReferrals(ctx, today, maxOverdueScan)
	if err != nil {
		return nil, fmt.Errorf("escalations: %w", err)
	}
	byAnalyst := map[string][]EscalationLine{}
	for _, r := range refs {
		asks, err := s.store.Asks(ctx, r.ID)
		if err != nil {
			return nil, fmt.Errorf("escalations: %w", err)
		}
		var offices []string
		for _, a := range asks {
			if a.State == AskAwaiting && -s.businessDaysLeft(today, a.DueDate) >= s.policy.EscalateFromOverdue {
				offices = append(offices, s.roster.OfficeName(a.OfficeCode))
			}
		}
		if len(offices) > 0 {
			byAnalyst[r.AnalystID] = append(byAnalyst[r.AnalystID], EscalationLine{CaseNumber: r.CaseNumber, ChannelID: r.ChannelID, Offices: offices})
		}
	}
	return byAnalyst, nil
}

// businessDaysLeft counts business days from today to due: 0 on the day, negative
// when overdue.
func (s *Service) businessDaysLeft(today, due time.Time) int {
	if due.Before(today) {
		return -s.rules.BusinessDaysBetween(due, today)
	}
	return s.rules.BusinessDaysBetween(today, due)
}

// postDigests posts the digests recorded but not yet in Slack.
func (s *Service) postDigests(ctx context.Context) error {
	ds, err := s.store.UnpostedDigests(ctx)
	if err != nil {
		return err
	}
	held := false
	today := s.rules.Date(s.now())
	for _, d := range ds {
		if d.Attempts >= maxJobRetries {
			continue // logged when it failed for good; the rest go on
		}
		if s.rules.Date(d.RecordedAt).Before(today) {
			// Its morning has passed: today's digest is the current one. Posting
			// yesterday's beside it would only repeat it with stale numbers.
			if err := s.store.Update(ctx, func(tx Tx) error { return tx.MarkDigestPosted(ctx, d.ID, DigestExpired) }); err != nil {
				return err
			}
			s.log.Warn("morning digest expired unposted", "digest", d.ID)
			continue
		}
		err := s.postDigest(ctx, d)
		if errors.Is(err, errDigestHeld) {
			// Another attempt holds it (another instance, or this one before a failed
			// post): look again once the claim may have run out, since its holder may
			// have died.
			held = true
			continue
		}
		if err != nil {
			s.digestRetryFrom.Store(s.now().Add(digestRetry).UnixNano())
			s.log.Warn("morning digest not posted; will retry", "digest", d.ID, "attempt", d.Attempts+1, "err", err)
			return nil
		}
	}
	if held {
		s.digestRetryFrom.Store(s.now().Add(digestRetry).UnixNano())
	}
	s.digestsDue.Store(held)
	return nil
}

// errDigestHeld means a digest is claimed by an attempt whose claim has not run out.
var errDigestHeld = errors.New("digest claimed by another attempt")

// postDigest posts one digest, looking first for a copy an earlier attempt may
// have posted without recording it.
func (s *Service) postDigest(ctx context.Context, d *Digest) error {
	claimed := false
	if err := s.store.Update(ctx, func(tx Tx) (err error) {
		claimed, err = tx.ClaimDigest(ctx, d.ID, s.now().Add(s.lease))
		return err
	}); err != nil {
		return err
	}
	if !claimed {
		return errDigestHeld
	}
	channel := d.ChannelID
	if channel == "" {
		dm, err := s.slack.OpenDM(ctx, d.UserID)
		if err != nil {
			return fmt.Errorf("open DM with %s: %w", d.UserID, err)
		}
		channel = dm
	}
	ts, err := s.postOnce(ctx, channel, Message{Text: d.Text, Key: d.ID}, d.Attempts > 0)
	if err != nil {
		if Permanent(err) {
			s.log.Error("morning digest failed for good", "digest", d.ID, "err", err)
		}
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.MarkDigestPosted(ctx, d.ID, ts) })
}

// digestRetryAt is when a pass may try posting again after a failure.
func (s *Service) digestRetryAt() time.Time {
	return time.Unix(0, s.digestRetryFrom.Load())
}
