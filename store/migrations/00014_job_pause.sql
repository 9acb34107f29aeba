-- +goose Up
-- Slack work refused on the app's credentials or scopes (invalid_auth, missing_scope,
-- ...) is paused, not failed: it stays pending and is retried until an operator fixes
-- the app. paused_since is when the job was first refused that way, so that /readyz
-- and /referral status can say since when; NULL for work not paused.
ALTER TABLE jobs ADD COLUMN paused_since TEXT;

-- +goose Down
ALTER TABLE jobs DROP COLUMN paused_since;
