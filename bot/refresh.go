package bot

import (
	"context"
)

// RefreshMark is one thing a referral refresh must redraw: the message of ask
// AskID, or with AskID 0 the whole referral (whose Home tabs reach wider). Mark
// counts the changes since the last refresh drew it.
type RefreshMark struct {
	AskID int64
	Mark  int64
}

// refresh redraws, once, what changes to a referral have put out of date, instead
// of one job per message per change: a press used to write three jobs (its ask's
// message, the summary, the Home tabs), and a burst of presses on one referral
// redrew the summary once each.
//
// How a refresh knows which asks' messages to redraw: the change marks them, in
// the same transaction, in refresh_marks (MarkForRefresh), and enqueues the one
// JobRefreshReferral for the referral, due after refreshDelay. Changes that come
// before it runs merge into that pending job (Enqueue merges by key) and add their
// marks. The job reads the marks, redraws the marked asks, the summary and the
// Home tabs, and only then clears the marks it read, each only if its count has
// not moved since: a change made while the refresh ran keeps its mark, and the job
// that change enqueued (the running one is no longer pending) draws it. A refresh
// that dies half-way leaves every mark, so its retry redraws it all: like every
// job, it is idempotent.
func (s *Service) refresh(ctx context.Context, tx Tx, referralID int64, askIDs ...int64) error {
	if len(askIDs) == 0 {
		askIDs = []int64{0}
	}
	for _, id := range askIDs {
		if err := tx.MarkForRefresh(ctx, referralID, id); err != nil {
			return err
		}
	}
	return s.enqueue(ctx, tx, &Job{Kind: JobRefreshReferral, ReferralID: referralID, RunAt: s.now().UTC().Add(s.refreshDelay)})
}

// runRefresh does a JobRefreshReferral (see refresh).
func (s *Service) runRefresh(ctx context.Context, j *Job) error {
	marks, err := s.store.RefreshMarks(ctx, j.ReferralID)
	if err != nil || len(marks) == 0 {
		return err // none: an earlier attempt drew everything and cleared them
	}
	for _, m := range marks {
		if m.AskID != 0 {
			if err := s.updateAsk(ctx, j.ReferralID, m.AskID); err != nil {
				return err
			}
		}
	}
	if err := s.updateSummary(ctx, j.ReferralID); err != nil {
		return err
	}
	// The whole referral's Home tabs (ask 0), and each marked ask's office, which
	// the whole referral's leave out once the office has answered: one read of the
	// referral, each person's tab published once.
	marked := make([]int64, len(marks))
	for i, m := range marks {
		marked[i] = m.AskID
	}
	if err := s.refreshHomesFor(ctx, j.ReferralID, marked); err != nil {
		return err
	}
	return s.store.ClearRefreshMarks(ctx, j.ReferralID, marks)
}

// messageLocks serialises reading and redrawing one message (a summary, an ask),
// as homeLocks do Home tabs. The outbox keeps one job per key at a time, but a
// referral's refresh and an update_ask or update_summary job queued by some other
// change have different keys: without the lock, the older picture could be drawn
// last. The bot runs as one replica, so a lock in the process is enough.
var messageLocks keyedMutex
