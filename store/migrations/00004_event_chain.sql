-- The event log becomes a hash chain: each event carries the hash of the event
-- before it (by id, across all referrals) and its own hash over its contents and
-- that link (store/events.go has the encoding). Editing or deleting an event then
-- breaks the chain where it happened, which `referralbot verify` reports.
--
-- Events written before this migration have no hashes yet. SQLite cannot compute
-- SHA-256, so store.Open seals them, in id order, right after migrating: the
-- event_chain_backfill row says up to which id that is still to do (0 once done).
-- The update trigger lets exactly that happen (hash and prev_hash set once on an
-- unsealed pre-chain event, nothing else changed) and refuses every other change.
--
-- Also here: the index the timeliness statistics (store/stats.go) start from,
-- referrals by received date.

-- +goose Up
ALTER TABLE events ADD COLUMN prev_hash TEXT; -- NULL only on pre-chain events not yet sealed
ALTER TABLE events ADD COLUMN hash TEXT;

CREATE TABLE event_chain_backfill (through INTEGER NOT NULL);
INSERT INTO event_chain_backfill (through) SELECT COALESCE(MAX(id), 0) FROM events;

DROP TRIGGER events_no_update;
-- The WHEN clause is NULL-safe: anything it cannot prove to be a seal is refused.
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

CREATE INDEX referrals_received ON referrals (received_on);

-- +goose Down
DROP INDEX referrals_received;
DROP TRIGGER events_no_update;
-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd
DROP TABLE event_chain_backfill;
ALTER TABLE events DROP COLUMN hash;
ALTER TABLE events DROP COLUMN prev_hash;
