-- An official record that stands on its own (issue 11, item 7).
--
-- Names: the display name Slack gave each person when they acted, kept beside
-- their user id, so that a later rename does not rewrite the record. '' on
-- everything recorded before (the record then shows the id alone).
--
-- USXPORTS: the case's reference in DoD's own case system, optional.
--
-- The event chain gains a per-referral link: referral_prev_hash is the hash of
-- the referral's own previous event ('' for its first), so that a record exported
-- on its own (one referral's events, interleaved in the global chain with other
-- referrals') shows a removed or reordered event. Events written from now on are
-- hashed with the chain's v2 encoding (bot/chain.go), which covers actor_name and
-- referral_prev_hash; NULL marks an event written before, hashed with v1.

-- +goose Up
ALTER TABLE referrals ADD COLUMN usxports_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN analyst_name TEXT NOT NULL DEFAULT '';
ALTER TABLE positions ADD COLUMN answered_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE recommendations ADD COLUMN recorded_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN referral_prev_hash TEXT;

-- The seal of pre-chain events (00004) may set hash and prev_hash only: the new
-- columns join the list of what it must leave alone.
DROP TRIGGER events_no_update;
-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN COALESCE(NOT (
	OLD.hash IS NULL AND OLD.prev_hash IS NULL
	AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
	AND NEW.id IS OLD.id AND NEW.referral_id IS OLD.referral_id AND NEW.actor IS OLD.actor
	AND NEW.kind IS OLD.kind AND NEW.detail IS OLD.detail AND NEW.at IS OLD.at
	AND NEW.actor_name IS OLD.actor_name AND NEW.referral_prev_hash IS OLD.referral_prev_hash
	AND OLD.id <= COALESCE((SELECT through FROM event_chain_backfill), 0)
), 1)
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER events_no_update;
-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN COALESCE(NOT (
	OLD.hash IS NULL AND OLD.prev_hash IS NULL
	AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
	AND NEW.id IS OLD.id AND NEW.referral_id IS OLD.referral_id AND NEW.actor IS OLD.actor
	AND NEW.kind IS OLD.kind AND NEW.detail IS OLD.detail AND NEW.at IS OLD.at
	AND OLD.id <= COALESCE((SELECT through FROM event_chain_backfill), 0)
), 1)
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd
ALTER TABLE events DROP COLUMN referral_prev_hash;
ALTER TABLE events DROP COLUMN actor_name;
ALTER TABLE recommendations DROP COLUMN recorded_by_name;
ALTER TABLE positions DROP COLUMN answered_by_name;
ALTER TABLE referrals DROP COLUMN analyst_name;
ALTER TABLE referrals DROP COLUMN usxports_ref;
