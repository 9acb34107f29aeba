package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// ListedJob is a job as an operator lists it: with its referral's case number.
type ListedJob struct {
	*bot.Job
	Agency     bot.Agency
	CaseNumber string
}

// ListJobs returns every unfinished job (pending, running, failed), oldest first:
// finished jobs are deleted, so this is the whole outbox.
func (db *DB) ListJobs(ctx context.Context) ([]ListedJob, error) {
	var rows []struct {
		jobRow
		Agency     string `db:"agency"`
		CaseNumber string `db:"case_number"`
	}
	err := sqlx.SelectContext(ctx, db.read, &rows, `SELECT j.id, j.kind, j.referral_id, j.ask_id, j.state,
		j.attempts, j.run_at, j.lease_until, j.last_error, j.created_at, j.lost_work, j.paused_since,
		r.agency, r.case_number FROM jobs j JOIN referrals r ON r.id = j.referral_id ORDER BY j.id`)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := make([]ListedJob, len(rows))
	for i := range rows {
		out[i] = ListedJob{Job: rows[i].job(), Agency: bot.Agency(rows[i].Agency), CaseNumber: rows[i].CaseNumber}
	}
	return out, nil
}

// RequeueJobs makes the jobs named by ids (or, with failed, every failed job) due at
// now with their attempts counted afresh: an operator's "try it again now" once the
// cause is fixed. A failed job whose work a pending job of the same key will do
// anyway is removed instead. A running job is refused: its worker may still finish
// it. It returns how many jobs were requeued or so merged.
func (db *DB) RequeueJobs(ctx context.Context, now time.Time, ids []int64, failed bool) (int, error) {
	n := 0
	err := db.update(ctx, func(q *sqlx.Tx) error {
		n = 0
		if failed {
			if err := sqlx.SelectContext(ctx, q, &ids, `SELECT id FROM jobs WHERE state = 'failed' ORDER BY id`); err != nil {
				return fmt.Errorf("requeue failed jobs: %w", err)
			}
		}
		for _, id := range ids {
			if err := requeueJob(ctx, q, now, id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

func requeueJob(ctx context.Context, q *sqlx.Tx, now time.Time, id int64) error {
	var row struct {
		State     string `db:"state"`
		LastError string `db:"last_error"`
	}
	if err := sqlx.GetContext(ctx, q, &row, `SELECT state, last_error FROM jobs WHERE id = ?`, id); err != nil {
		return notFound("job", id)
	}
	if row.State == string(bot.JobRunning) {
		return bot.Errorf(bot.ECONFLICT, "job %d is running now; wait for it to settle (or for its lease to expire)", id)
	}
	// retryJob gives way to a pending twin, and the unique key forbids two pending.
	if err := retryJob(ctx, q, id, now, row.LastError, false); err != nil { // its mark of lost work stays
		return err
	}
	_, err := q.ExecContext(ctx, `UPDATE jobs SET attempts = 0 WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("requeue job %d: %w", id, err)
	}
	return nil
}
