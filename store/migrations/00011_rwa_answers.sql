-- +goose Up
-- The RWA loop. An office that returns a referral without action asks questions;
-- the analyst records the applicant's or the licensing agency's answer, and the
-- offices that asked are asked again with a new suspense date.
CREATE TABLE rwa_answers (
	id          INTEGER PRIMARY KEY,
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	source      TEXT    NOT NULL CHECK (source IN ('applicant', 'agency')),
	text        TEXT    NOT NULL,
	due_date    TEXT    NOT NULL, -- the offices' new suspense date
	recorded_by TEXT    NOT NULL,
	recorded_at TEXT    NOT NULL
);
CREATE INDEX rwa_answers_referral ON rwa_answers (referral_id, id);
-- Which office positions (each an RWA version) an answer answers: one answer per
-- version, so a question is never answered twice.
CREATE TABLE rwa_answered (
	answer_id   INTEGER NOT NULL REFERENCES rwa_answers (id),
	ask_id      INTEGER NOT NULL REFERENCES asks (id),
	position_id INTEGER NOT NULL UNIQUE REFERENCES positions (id),
	PRIMARY KEY (answer_id, ask_id)
) WITHOUT ROWID;
CREATE INDEX rwa_answered_ask ON rwa_answered (ask_id);

-- The offices' suspense clock stops for two reasons: the analyst's /referral hold
-- (manual_hold) and questions out with the applicant (derived from the positions).
-- held_since stays when the clock stopped for either; every hold before this one
-- was the analyst's.
ALTER TABLE referrals ADD COLUMN manual_hold INTEGER NOT NULL DEFAULT 0 CHECK (manual_hold IN (0, 1));
UPDATE referrals SET manual_hold = 1 WHERE held_since IS NOT NULL;

-- A final Return without action carries the offices' questions.
ALTER TABLE recommendations ADD COLUMN questions TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE recommendations DROP COLUMN questions;
ALTER TABLE referrals DROP COLUMN manual_hold;
DROP TABLE rwa_answered;
DROP TABLE rwa_answers;
