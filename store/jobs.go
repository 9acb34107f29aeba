package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// jobRow is a jobs row.
type jobRow struct {
	ID         int64  `db:"id"`
	Kind       string `db:"kind"`
	ReferralID int64  `db:"referral_id"`
	AskID      int64  `db:"ask_id"`
	State      string `db:"state"`
	Attempts   int    `db:"attempts"`
	RunAt      stamp  `db:"run_at"`
	LeaseUntil stamp  `db:"lease_until"`
	LastError  string `db:"last_error"`
	CreatedAt  stamp  `db:"created_at"`
	LostWork   bool   `db:"lost_work"`
	Paused     stamp  `db:"paused_since"`
}

// fields are the destinations of jobColumns' columns, in order.
func (row *jobRow) fields() []any {
	return []any{&row.ID, &row.Kind, &row.ReferralID, &row.AskID, &row.State, &row.Attempts, &row.RunAt,
		&row.LeaseUntil, &row.LastError, &row.CreatedAt, &row.LostWork, &row.Paused}
}

const jobColumns = `id, kind, referral_id, ask_id, state, attempts, run_at, lease_until, last_error, created_at, lost_work, paused_since`

func (row *jobRow) job() *bot.Job {
	return &bot.Job{
		ID: row.ID, Kind: bot.JobKind(row.Kind), ReferralID: row.ReferralID, AskID: row.AskID,
		State: bot.JobState(row.State), Attempts: row.Attempts, RunAt: time.Time(row.RunAt),
		LeaseUntil: time.Time(row.LeaseUntil), LastError: row.LastError, CreatedAt: time.Time(row.CreatedAt),
		LostWork: row.LostWork, PausedSince: time.Time(row.Paused),
	}
}

// Enqueue adds j to the outbox as pending, RunAt defaulting to now. When a pending
// job with the same kind, referral and ask exists, j is merged into it and j
// becomes that job as stored (its ID, RunAt and all).
//
// No RETURNING: SQLite buffers returned rows in an ephemeral b-tree, and a new job
// is known without reading it back.
func (t *tx) Enqueue(ctx context.Context, j *bot.Job) error {
	now := t.now
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO jobs
		(kind, referral_id, ask_id, state, attempts, run_at, created_at)
		VALUES (?, ?, ?, 'pending', 0, ?, ?)
		ON CONFLICT (kind, referral_id, ask_id) WHERE state = 'pending' DO NOTHING`,
		j.Kind, j.ReferralID, j.AskID, stamp(j.RunAt), stamp(j.CreatedAt))
	if isForeignKey(err) {
		return notFound("referral", j.ReferralID)
	} else if err != nil {
		return fmt.Errorf("enqueue %s for referral %d ask %d: %w", j.Kind, j.ReferralID, j.AskID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("enqueue %s for referral %d ask %d: %w", j.Kind, j.ReferralID, j.AskID, err)
	} else if n == 1 {
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("enqueue %s for referral %d ask %d: %w", j.Kind, j.ReferralID, j.AskID, err)
		}
		// Stamps are stored to the nanosecond in UTC; read back, they would be UTC.
		*j = bot.Job{ID: id, Kind: j.Kind, ReferralID: j.ReferralID, AskID: j.AskID, State: bot.JobPending,
			RunAt: j.RunAt.UTC(), CreatedAt: j.CreatedAt.UTC()}
		return nil
	}
	// Merged (a press's refresh, mostly): the pending job, scanned by hand.
	var row jobRow
	err = t.q.QueryRowxContext(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE kind = ? AND referral_id = ? AND ask_id = ? AND state = 'pending'`,
		j.Kind, j.ReferralID, j.AskID).Scan(row.fields()...)
	if err != nil {
		return fmt.Errorf("enqueue %s for referral %d ask %d: merge: %w", j.Kind, j.ReferralID, j.AskID, err)
	}
	*j = *row.job()
	return nil
}

// ClaimJobs leases up to limit due jobs, oldest RunAt first. Within one key (kind,
// referral, ask) it hands out at most one job, and none while another holds a
// live lease, so the same Slack message is never worked on twice at once.
func (db *DB) ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.Job, error) {
	if limit <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("claim jobs: lease %v must be positive", lease)
	}
	var jobs []*bot.Job
	err := db.update(ctx, func(q *sqlx.Tx) (err error) {
		jobs, err = claimJobs(ctx, q, now, lease, limit)
		return err
	})
	return jobs, err
}

// claimJobs walks indexes only: no window function, no sorting in SQLite and no
// RETURNING, each of which fills an ephemeral b-tree with its own page cache (a
// claim cost milliseconds with ten jobs pending; issue 13).
//
// The candidates are the expired leases (jobs_lease) and the due pending jobs in
// (run_at, id) order (jobs_due), each skipping a key some other job holds a live
// lease on (a probe of jobs_running_key). Pending jobs have distinct keys (the
// unique index jobs_pending_key), so the only keys that can repeat are those of
// expired leases, which meet their own pending twin or another expired lease: Go
// keeps the first of each key in (run_at, id) order, and asks for that many more
// pending jobs so that a full batch is still a full batch after the repeats go.
func claimJobs(ctx context.Context, q sqlx.ExtContext, now time.Time, lease time.Duration, limit int) ([]*bot.Job, error) {
	const noLiveLease = ` AND NOT EXISTS (SELECT 1 FROM jobs r
		WHERE r.state = 'running' AND r.kind = j.kind AND r.referral_id = j.referral_id
		AND r.ask_id = j.ask_id AND r.lease_until > ?1)`
	var expired, due []jobRow
	// INDEXED BY: the planner would rather take jobs_due on state alone, and sort.
	err := sqlx.SelectContext(ctx, q, &expired, `SELECT `+jobColumns+` FROM jobs j INDEXED BY jobs_lease
		WHERE state = 'running' AND lease_until <= ?1`+noLiveLease+`
		ORDER BY lease_until LIMIT ?2`, stamp(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: expired leases: %w", err)
	}
	err = sqlx.SelectContext(ctx, q, &due, `SELECT `+jobColumns+` FROM jobs j
		WHERE state = 'pending' AND run_at <= ?1`+noLiveLease+`
		ORDER BY run_at, id LIMIT ?2`, stamp(now), limit+len(expired))
	if err != nil {
		return nil, fmt.Errorf("claim jobs: due jobs: %w", err)
	}
	rows := append(expired, due...)
	if len(expired) > 0 {
		slices.SortFunc(rows, func(a, b jobRow) int {
			if c := time.Time(a.RunAt).Compare(time.Time(b.RunAt)); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	type key struct {
		kind            string
		referral, askID int64
	}
	seen := make(map[key]bool, len(expired))
	// The keys whose lease expired: the attempt holding it died, perhaps after Slack
	// work it did not record. Whichever of the key's jobs runs now (the expired one,
	// or a pending twin due before it) must look for that work first (lost_work).
	died := make(map[key]bool, len(expired))
	for _, row := range expired {
		died[key{row.Kind, row.ReferralID, row.AskID}] = true
	}
	until := now.Add(lease).UTC()
	jobs := make([]*bot.Job, 0, min(limit, len(rows)))
	for i := range rows {
		if len(jobs) == limit {
			break
		}
		row := &rows[i]
		lost := false
		if len(expired) > 0 {
			k := key{row.Kind, row.ReferralID, row.AskID}
			if seen[k] {
				continue
			}
			seen[k], lost = true, died[k]
		}
		// The mark stays until the job is done.
		res, err := q.ExecContext(ctx, `UPDATE jobs SET lost_work = lost_work OR ?, state = 'running', lease_until = ?,
			attempts = attempts + 1 WHERE id = ?`, lost, stamp(until), row.ID)
		if err := jobChanged(res, err, "claim", row.ID); err != nil {
			return nil, err
		}
		// The row as the UPDATE left it, without reading it back.
		row.LostWork = row.LostWork || lost
		row.State = string(bot.JobRunning)
		row.LeaseUntil = stamp(until)
		row.Attempts++
		jobs = append(jobs, row.job())
	}
	return jobs, nil
}

// FinishJobs removes jobs that are done, in one transaction. A job that is gone
// already (another worker took over its expired lease and finished it) does not
// keep the others: they are removed, and the error names it (ENOTFOUND).
func (db *DB) FinishJobs(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	var missing []int64
	err := db.update(ctx, func(q *sqlx.Tx) error {
		missing = missing[:0]
		for _, id := range ids {
			// One statement per id: `id IN (...)` fills an ephemeral b-tree with the list.
			err := finishJob(ctx, q, id)
			if bot.ErrorCode(err) == bot.ENOTFOUND {
				missing = append(missing, id)
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return notFound("job", missing[0])
	}
	return nil
}

func finishJob(ctx context.Context, q sqlx.ExtContext, id int64) error {
	res, err := q.ExecContext(ctx, `DELETE FROM jobs WHERE id = ?`, id)
	return jobChanged(res, err, "finish", id)
}

// RetryJob makes a job pending again at the given time, noting the error, and no
// longer paused (see PauseJob): whatever refused it now, it was not the app's
// credentials. lostWork marks the job as one that may have done Slack work it did
// not record (lost_work); a mark already there stays. If a pending job with the
// same key was enqueued meanwhile, this one is deleted instead, its mark passing to
// that job: it will do the same work, and two may not be pending at once.
func (db *DB) RetryJob(ctx context.Context, id int64, at time.Time, lastErr string, lostWork bool) error {
	return db.update(ctx, func(q *sqlx.Tx) error {
		return retryJob(ctx, q, id, at, lastErr, lostWork)
	})
}

func retryJob(ctx context.Context, q sqlx.ExtContext, id int64, at time.Time, lastErr string, lostWork bool) error {
	// The pending twin this job may give way to takes over its mark first.
	if err := markTwin(ctx, q, id, lostWork, "retry"); err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `DELETE FROM jobs WHERE id = ? AND EXISTS (
		SELECT 1 FROM jobs o WHERE o.state = 'pending' AND o.kind = jobs.kind
		AND o.referral_id = jobs.referral_id AND o.ask_id = jobs.ask_id AND o.id <> jobs.id)`, id)
	if err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	} else if n == 1 {
		return nil
	}
	res, err = q.ExecContext(ctx, `UPDATE jobs SET state = 'pending', run_at = ?, lease_until = NULL,
		last_error = ?, paused_since = NULL, lost_work = lost_work OR ? WHERE id = ?`, stamp(at), lastErr, lostWork, id)
	return jobChanged(res, err, "retry", id)
}

// FailJob marks a job as permanently failed, keeping it for inspection (and for
// `jobs retry`); lostWork as in RetryJob.
func (db *DB) FailJob(ctx context.Context, id int64, lastErr string, lostWork bool) error {
	return db.update(ctx, func(q *sqlx.Tx) error {
		return failJob(ctx, q, id, lastErr, lostWork)
	})
}

func failJob(ctx context.Context, q sqlx.ExtContext, id int64, lastErr string, lostWork bool) error {
	// A pending twin does this work in its place: it must look for what was lost too.
	if err := markTwin(ctx, q, id, lostWork, "fail"); err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ?,
		lost_work = lost_work OR ? WHERE id = ?`, lastErr, lostWork, id)
	return jobChanged(res, err, "fail", id)
}

// markTwin marks the pending job with job id's key, if there is one, as one that
// may have lost Slack work (lost_work) when job id is marked or lostWork says so:
// that job will do job id's work, so it must look first for what id's attempts may
// have done without recording it.
func markTwin(ctx context.Context, q sqlx.ExtContext, id int64, lostWork bool, doing string) error {
	if _, err := q.ExecContext(ctx, `UPDATE jobs SET lost_work = 1 WHERE state = 'pending' AND id <> ?1
		AND (kind, referral_id, ask_id) = (SELECT kind, referral_id, ask_id FROM jobs WHERE id = ?1)
		AND (?2 OR (SELECT lost_work FROM jobs WHERE id = ?1))`, id, lostWork); err != nil {
		return fmt.Errorf("%s job %d: %w", doing, id, err)
	}
	return nil
}

// jobChanged checks the outcome of a statement meant to change exactly job id.
func jobChanged(res sql.Result, err error, doing string, id int64) error {
	if err != nil {
		return fmt.Errorf("%s job %d: %w", doing, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s job %d: %w", doing, id, err)
	} else if n == 0 {
		return notFound("job", id)
	}
	return nil
}

// PendingJobs counts jobs not yet finished or failed (the outbox depth).
func (db *DB) PendingJobs(ctx context.Context) (int, error) {
	return pendingJobs(ctx, db.read)
}

// pendingJobs counts each state on its own: `state IN (...)` fills an ephemeral b-tree.
func pendingJobs(ctx context.Context, q sqlx.QueryerContext) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT (SELECT COUNT(*) FROM jobs WHERE state = 'pending')
		+ (SELECT COUNT(*) FROM jobs WHERE state = 'running')`)
	if err != nil {
		return 0, fmt.Errorf("count pending jobs: %w", err)
	}
	return n, nil
}

// NextJobAt returns when the soonest pending job falls due, so that an idle worker
// sleeps exactly until then; ok is false when no job is pending.
func (db *DB) NextJobAt(ctx context.Context) (at time.Time, ok bool, err error) {
	var next stamp
	err = sqlx.GetContext(ctx, db.read, &next, `SELECT MIN(run_at) FROM jobs WHERE state = 'pending'`)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next job: %w", err)
	}
	return time.Time(next), !time.Time(next).IsZero(), nil
}
