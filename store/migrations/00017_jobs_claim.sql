-- +goose Up
-- The outbox claim without temporary b-trees (issue 13).
--
-- The jobs table is rebuilt for its CHECK constraints alone: SQLite evaluates
-- `state IN ('pending', 'running', 'failed')` by filling an ephemeral b-tree, with
-- its own page cache, on every insert and every update of state (each enqueue,
-- claim, retry and failure). Comparisons joined by OR say the same without one.
CREATE TABLE jobs_rebuilt (
	id           INTEGER PRIMARY KEY,
	kind         TEXT    NOT NULL,
	referral_id  INTEGER NOT NULL REFERENCES referrals (id),
	ask_id       INTEGER NOT NULL DEFAULT 0,
	state        TEXT    NOT NULL CHECK (state = 'pending' OR state = 'running' OR state = 'failed'),
	attempts     INTEGER NOT NULL DEFAULT 0,
	run_at       TEXT    NOT NULL,
	lease_until  TEXT,
	last_error   TEXT    NOT NULL DEFAULT '',
	created_at   TEXT    NOT NULL,
	-- 1 when the last claim took the job over from an expired lease (a dead attempt).
	reclaimed    INTEGER NOT NULL DEFAULT 0 CHECK (reclaimed = 0 OR reclaimed = 1),
	paused_since TEXT
);
INSERT INTO jobs_rebuilt (id, kind, referral_id, ask_id, state, attempts, run_at, lease_until,
	last_error, created_at, reclaimed, paused_since)
	SELECT id, kind, referral_id, ask_id, state, attempts, run_at, lease_until,
	last_error, created_at, reclaimed, paused_since FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_rebuilt RENAME TO jobs;
-- At most one pending job per key: a new one merges into it.
CREATE UNIQUE INDEX jobs_pending_key ON jobs (kind, referral_id, ask_id) WHERE state = 'pending';
-- Lets a claim see whether a job's key is held by a live lease.
CREATE INDEX jobs_running_key ON jobs (kind, referral_id, ask_id, lease_until) WHERE state = 'running';
-- A claim walks the due pending jobs in (run_at, id) order: the rowid ends the key.
CREATE INDEX jobs_due ON jobs (state, run_at);
-- A claim finds the expired leases without reading every running job.
CREATE INDEX jobs_lease ON jobs (lease_until) WHERE state = 'running';

-- What a pending referral refresh (bot/refresh.go) must redraw: a row per ask whose
-- Slack message is out of date, and ask_id 0 for a change to the whole referral
-- (its Home tabs reach wider). One press writes one refresh job for its referral
-- and marks its ask here, instead of three jobs. mark counts the changes, so that a
-- refresh clears only what it drew, never a change made while it ran.
CREATE TABLE refresh_marks (
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	ask_id      INTEGER NOT NULL,
	mark        INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (referral_id, ask_id)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE refresh_marks;
CREATE TABLE jobs_rebuilt (
	id           INTEGER PRIMARY KEY,
	kind         TEXT    NOT NULL,
	referral_id  INTEGER NOT NULL REFERENCES referrals (id),
	ask_id       INTEGER NOT NULL DEFAULT 0,
	state        TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'failed')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	run_at       TEXT    NOT NULL,
	lease_until  TEXT,
	last_error   TEXT    NOT NULL DEFAULT '',
	created_at   TEXT    NOT NULL,
	reclaimed    INTEGER NOT NULL DEFAULT 0 CHECK (reclaimed IN (0, 1)),
	paused_since TEXT
);
INSERT INTO jobs_rebuilt SELECT id, kind, referral_id, ask_id, state, attempts, run_at, lease_until,
	last_error, created_at, reclaimed, paused_since FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_rebuilt RENAME TO jobs;
CREATE UNIQUE INDEX jobs_pending_key ON jobs (kind, referral_id, ask_id) WHERE state = 'pending';
CREATE INDEX jobs_running_key ON jobs (kind, referral_id, ask_id, lease_until) WHERE state = 'running';
CREATE INDEX jobs_due ON jobs (state, run_at);
