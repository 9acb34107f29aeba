-- The first schema: referrals and everything that hangs off them.
-- Dates are TEXT 'YYYY-MM-DD'. Instants are fixed-width UTC TEXT
-- ('2006-01-02T15:04:05.000000000Z') so that text order is time order.
-- Enumerations (states, outcomes) are left unchecked on purpose: SQLite cannot
-- alter a CHECK without rebuilding the table, and the bot package owns the values.

-- +goose Up
CREATE TABLE referrals (
	id              INTEGER PRIMARY KEY,
	agency          TEXT    NOT NULL,
	case_number     TEXT    NOT NULL,
	license_type    TEXT    NOT NULL DEFAULT '',
	applicant       TEXT    NOT NULL DEFAULT '',
	commodity       TEXT    NOT NULL DEFAULT '',
	classification  TEXT    NOT NULL DEFAULT '',
	destination     TEXT    NOT NULL DEFAULT '',
	end_user        TEXT    NOT NULL DEFAULT '',
	value_usd       INTEGER NOT NULL DEFAULT 0,
	received_on     TEXT,
	dod_due_date    TEXT,
	office_due_date TEXT,
	analyst_id      TEXT    NOT NULL DEFAULT '',
	state           TEXT    NOT NULL,
	open_key        TEXT,    -- NULL when the referral was not opened from a submission
	channel_name    TEXT    NOT NULL DEFAULT '',
	channel_id      TEXT,    -- NULL until the channel exists
	topic_set       INTEGER NOT NULL DEFAULT 0 CHECK (topic_set IN (0, 1)),
	members_invited INTEGER NOT NULL DEFAULT 0 CHECK (members_invited IN (0, 1)),
	summary_ts      TEXT    NOT NULL DEFAULT '',
	provisioned     INTEGER NOT NULL DEFAULT 0 CHECK (provisioned IN (0, 1)),
	created_at      TEXT    NOT NULL,
	updated_at      TEXT    NOT NULL,
	UNIQUE (agency, case_number)
);
CREATE UNIQUE INDEX referrals_open_key ON referrals (open_key) WHERE open_key IS NOT NULL;
CREATE UNIQUE INDEX referrals_channel_id ON referrals (channel_id) WHERE channel_id IS NOT NULL;

CREATE TABLE asks (
	id          INTEGER PRIMARY KEY,
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	office_code TEXT    NOT NULL,
	due_date    TEXT,
	state       TEXT    NOT NULL,
	message_ts  TEXT    NOT NULL DEFAULT '',
	created_at  TEXT    NOT NULL,
	UNIQUE (referral_id, office_code)
);

-- Every version of every office's position; the highest version is current.
-- referral_id and office_code copy the ask's so that the record reads on its own.
CREATE TABLE positions (
	id          INTEGER PRIMARY KEY,
	ask_id      INTEGER NOT NULL REFERENCES asks (id),
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	office_code TEXT    NOT NULL,
	version     INTEGER NOT NULL CHECK (version >= 1),
	outcome     TEXT    NOT NULL,
	comment     TEXT    NOT NULL DEFAULT '',
	questions   TEXT    NOT NULL DEFAULT '',
	reasons     TEXT    NOT NULL DEFAULT '',
	answered_by TEXT    NOT NULL DEFAULT '',
	answered_at TEXT    NOT NULL,
	UNIQUE (ask_id, version)
);

CREATE TABLE recommendations (
	id          INTEGER PRIMARY KEY,
	referral_id INTEGER NOT NULL UNIQUE REFERENCES referrals (id),
	outcome     TEXT    NOT NULL,
	rationale   TEXT    NOT NULL DEFAULT '',
	recorded_by TEXT    NOT NULL DEFAULT '',
	recorded_at TEXT    NOT NULL
);

-- The offices whose current position the final recommendation overrides, in the
-- order the analyst gave them.
CREATE TABLE dissents (
	recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
	seq               INTEGER NOT NULL,
	office_code       TEXT    NOT NULL,
	PRIMARY KEY (recommendation_id, seq),
	UNIQUE (recommendation_id, office_code)
) WITHOUT ROWID;

-- A proviso belongs to exactly one office position or to the final recommendation,
-- and keeps the office that wrote it.
CREATE TABLE provisos (
	id                INTEGER PRIMARY KEY,
	position_id       INTEGER REFERENCES positions (id),
	recommendation_id INTEGER REFERENCES recommendations (id),
	office_code       TEXT    NOT NULL,
	text              TEXT    NOT NULL,
	seq               INTEGER NOT NULL,
	CHECK ((position_id IS NULL) <> (recommendation_id IS NULL))
);
CREATE UNIQUE INDEX provisos_position ON provisos (position_id, seq) WHERE position_id IS NOT NULL;
CREATE UNIQUE INDEX provisos_recommendation ON provisos (recommendation_id, seq) WHERE recommendation_id IS NOT NULL;

CREATE TABLE events (
	id          INTEGER PRIMARY KEY,
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	actor       TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	detail      TEXT    NOT NULL DEFAULT '' CHECK (detail = '' OR json_valid(detail)),
	at          TEXT    NOT NULL
);
CREATE INDEX events_referral ON events (referral_id, id);

-- The log is evidence of who did what; nothing may rewrite it.
-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd

-- The outbox of Slack work. ask_id is 0 (not NULL) for referral-wide jobs so that
-- it takes part in the unique key: SQLite treats NULLs as distinct.
CREATE TABLE jobs (
	id          INTEGER PRIMARY KEY,
	kind        TEXT    NOT NULL,
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	ask_id      INTEGER NOT NULL DEFAULT 0,
	state       TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'failed')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	run_at      TEXT    NOT NULL,
	lease_until TEXT,
	last_error  TEXT    NOT NULL DEFAULT '',
	created_at  TEXT    NOT NULL,
	-- 1 when the last claim took the job over from an expired lease (a dead attempt).
	reclaimed   INTEGER NOT NULL DEFAULT 0 CHECK (reclaimed IN (0, 1))
);
-- At most one pending job per key: a new one merges into it.
CREATE UNIQUE INDEX jobs_pending_key ON jobs (kind, referral_id, ask_id) WHERE state = 'pending';
-- Lets a claim see whether a job's key is held by a live lease.
CREATE INDEX jobs_running_key ON jobs (kind, referral_id, ask_id, lease_until) WHERE state = 'running';
CREATE INDEX jobs_due ON jobs (state, run_at);

-- +goose Down
DROP TABLE jobs;
DROP TRIGGER events_no_delete;
DROP TRIGGER events_no_update;
DROP TABLE events;
DROP TABLE provisos;
DROP TABLE dissents;
DROP TABLE recommendations;
DROP TABLE positions;
DROP TABLE asks;
DROP TABLE referrals;
