-- Deadline reminders: holds on the referral clock, when an ask's due date took
-- effect and how long it is snoozed, and the record of every reminder taken from
-- the queue. Instants are fixed-width UTC TEXT, as in 00001; NULL means "not set".
-- Rows written before this migration read back with no hold, no due-set time and
-- no snooze.

-- +goose Up
ALTER TABLE referrals ADD COLUMN held_since TEXT; -- NULL while the clock runs
ALTER TABLE asks ADD COLUMN due_set_at TEXT;
ALTER TABLE asks ADD COLUMN snoozed_until TEXT;

-- The reminder schedule is rebuilt from the awaiting asks; answered and closed
-- asks (the vast majority) stay out of the index.
CREATE INDEX asks_awaiting ON asks (state, referral_id) WHERE state = 'awaiting';

-- One row per reminder taken from the queue. The id is deterministic (ask, due
-- date, sequence), so that a reminder delivered twice is recorded, and sent, once.
CREATE TABLE reminders (
	id             TEXT    PRIMARY KEY,
	referral_id    INTEGER NOT NULL REFERENCES referrals (id),
	ask_id         INTEGER NOT NULL REFERENCES asks (id),
	office_code    TEXT    NOT NULL,
	seq            INTEGER NOT NULL,
	kind           TEXT    NOT NULL,
	days_left      INTEGER NOT NULL,
	due_at         TEXT    NOT NULL,
	recorded_at    TEXT    NOT NULL,
	late           INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
	escalated      INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),
	skipped        TEXT    NOT NULL DEFAULT '', -- '' when sent; why not, otherwise
	posted_channel INTEGER NOT NULL DEFAULT 0 CHECK (posted_channel IN (0, 1)),
	posted_dm      INTEGER NOT NULL DEFAULT 0 CHECK (posted_dm IN (0, 1))
);
CREATE INDEX reminders_referral ON reminders (referral_id, recorded_at);
CREATE INDEX reminders_ask ON reminders (ask_id, recorded_at);

-- +goose Down
DROP TABLE reminders;
DROP INDEX asks_awaiting;
ALTER TABLE asks DROP COLUMN snoozed_until;
ALTER TABLE asks DROP COLUMN due_set_at;
ALTER TABLE referrals DROP COLUMN held_since;
