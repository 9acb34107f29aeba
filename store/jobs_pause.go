package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// PauseJob makes a job refused on the app's credentials pending again at the given
// time, paused since since unless it was paused earlier. Like RetryJob, it gives way
// to a pending job with the same key, which then carries the pause instead.
func (db *DB) PauseJob(ctx context.Context, id int64, at, since time.Time, lastErr string) error {
	return db.update(ctx, func(q *sqlx.Tx) error {
		// A job paused before keeps its first pause (retryJob below clears the column).
		var was stamp
		if err := sqlx.GetContext(ctx, q, &was, `SELECT paused_since FROM jobs WHERE id = ?`, id); err != nil {
			return fmt.Errorf("pause job %d: %w", id, err)
		}
		if !time.Time(was).IsZero() {
			since = time.Time(was)
		}
		// The pending twin, if any, is refused the same way: mark it before this one goes.
		if _, err := q.ExecContext(ctx, `UPDATE jobs SET paused_since = COALESCE(paused_since, ?), last_error = ?
			WHERE state = 'pending' AND id <> ? AND (kind, referral_id, ask_id) =
			(SELECT kind, referral_id, ask_id FROM jobs WHERE id = ?)`, stamp(since), lastErr, id, id); err != nil {
			return fmt.Errorf("pause job %d: %w", id, err)
		}
		// Refused on its credentials, the attempt recorded what it did before: it
		// adds no mark of lost work, and keeps (or passes on) any it had.
		if err := retryJob(ctx, q, id, at, lastErr, false); err != nil {
			return err
		}
		// No row changes when the job gave way to its pending twin, marked above.
		if _, err := q.ExecContext(ctx, `UPDATE jobs SET paused_since = COALESCE(paused_since, ?)
			WHERE id = ? AND state = 'pending'`, stamp(since), id); err != nil {
			return fmt.Errorf("pause job %d: %w", id, err)
		}
		return nil
	})
}

// ReferralJobs returns the referral's unfinished Slack work, oldest first.
func (db *DB) ReferralJobs(ctx context.Context, referralID int64) ([]*bot.Job, error) {
	var rows []jobRow
	err := sqlx.SelectContext(ctx, db.read, &rows, `SELECT `+jobColumns+` FROM jobs
		WHERE referral_id = ? ORDER BY id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("jobs of referral %d: %w", referralID, err)
	}
	jobs := make([]*bot.Job, len(rows))
	for i := range rows {
		jobs[i] = rows[i].job()
	}
	return jobs, nil
}

// PausedWork summarises the jobs paused on refused credentials: how many, since
// when, and the newest refusal.
func (db *DB) PausedWork(ctx context.Context) (bot.PausedWork, error) {
	var row struct {
		N     int    `db:"n"`
		Since stamp  `db:"since"`
		Last  string `db:"last"`
	}
	err := sqlx.GetContext(ctx, db.read, &row, `SELECT COUNT(*) AS n, MIN(paused_since) AS since,
		COALESCE((SELECT last_error FROM jobs WHERE paused_since IS NOT NULL ORDER BY run_at DESC, id DESC LIMIT 1), '') AS last
		FROM jobs WHERE paused_since IS NOT NULL`)
	if err != nil {
		return bot.PausedWork{}, fmt.Errorf("paused jobs: %w", err)
	}
	return bot.PausedWork{Jobs: row.N, Since: time.Time(row.Since), LastError: row.Last}, nil
}
