-- +goose Up
-- Slack work refused on the app's credentials or scopes (invalid_auth, missing_scope,
-- ...) is paused, not failed: it stays pending and is retried until an operator fixes
-- the app. paused_since is when the job was first refused that way, so that /readyz
-- and /referral status can say since when; NULL for work not paused.
ALTER TABLE jobs ADD COLUMN paused_since TEXT;

-- /readyz writes its one row here: a commit that changes nothing (an empty
-- transaction) writes nothing, and so proved nothing about the disk.
CREATE TABLE readiness (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	at TEXT    NOT NULL
);

-- +goose Down
DROP TABLE readiness;
ALTER TABLE jobs DROP COLUMN paused_since;
