-- +goose Up
-- DTSA's volume: an office may work from its own queue channel, so an ask's message
-- lives in the channel recorded here (the office's queue, or the referral's own).
ALTER TABLE asks ADD COLUMN channel_id TEXT NOT NULL DEFAULT '';
UPDATE asks SET channel_id = COALESCE((SELECT channel_id FROM referrals r WHERE r.id = asks.referral_id), '')
	WHERE message_ts != '';
-- Why the analyst withdrew an ask (state 'withdrawn').
ALTER TABLE asks ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
-- People the analyst named on the form, invited to the referral's channel besides the analyst.
ALTER TABLE referrals ADD COLUMN also_invite TEXT NOT NULL DEFAULT '';
-- When the referral's channel was archived, some business days after the final recommendation.
ALTER TABLE referrals ADD COLUMN archived_at TEXT;

-- Reviewers who joined a referral's channel from their office's queue (Join the
-- discussion). The outbox invites them (invited = 1); leaving the office's user
-- group or roster marks them leaving, and the outbox removes them (removed_at).
CREATE TABLE channel_joins (
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	user_id     TEXT    NOT NULL,
	office_code TEXT    NOT NULL,
	joined_at   TEXT    NOT NULL,
	invited     INTEGER NOT NULL DEFAULT 0 CHECK (invited IN (0, 1)),
	leaving     INTEGER NOT NULL DEFAULT 0 CHECK (leaving IN (0, 1)),
	removed_at  TEXT,
	PRIMARY KEY (referral_id, user_id, office_code)
) WITHOUT ROWID;
CREATE INDEX channel_joins_present ON channel_joins (office_code, user_id) WHERE removed_at IS NULL;

-- Morning digests (one per office queue) and escalations (one direct message per
-- analyst) taken, by deterministic id: a restart or a second instance never sends
-- one twice.
-- posted_ts is set once the message is in Slack ('expired' when its day passed
-- before it could be posted); a digest recorded but not posted is posted by the next
-- pass, which first looks for it by its id (a crash between the post and the record).
CREATE TABLE digests (
	id          TEXT    PRIMARY KEY,
	channel_id  TEXT    NOT NULL DEFAULT '', -- where it goes; '' for a direct message
	user_id     TEXT    NOT NULL DEFAULT '', -- whom a direct message goes to
	text        TEXT    NOT NULL,            -- what it says, fixed when recorded
	attempts    INTEGER NOT NULL DEFAULT 0,
	lease_until TEXT,                        -- one instance posts it at a time
	posted_ts   TEXT    NOT NULL DEFAULT '',
	recorded_at TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX digests_unposted ON digests (recorded_at) WHERE posted_ts = '';

-- +goose Down
DROP INDEX digests_unposted;
DROP TABLE digests;
DROP INDEX channel_joins_present;
DROP TABLE channel_joins;
ALTER TABLE referrals DROP COLUMN archived_at;
ALTER TABLE referrals DROP COLUMN also_invite;
ALTER TABLE asks DROP COLUMN withdrawn_reason;
ALTER TABLE asks DROP COLUMN channel_id;
