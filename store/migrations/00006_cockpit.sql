-- The analyst's cockpit: the Home tab and /referral list.
--
-- home_tabs remembers who has opened the bot's Home tab, so that a change refreshes
-- only the Home tabs people actually look at instead of publishing one to every
-- member of every office roster.
--
-- The indexes serve the cockpit's queries over ~600,000 referrals and ~5 million
-- positions (DOMAIN.md). All are partial: they hold only the open referrals or the
-- awaiting asks, a percent or two of the history, so they stay small and a scan of
-- one is a scan of the work in progress, not of ten years.

-- +goose Up
CREATE TABLE home_tabs (
	user_id   TEXT PRIMARY KEY,
	opened_at TEXT NOT NULL
) WITHOUT ROWID;

-- An analyst's open referrals, soonest DoD due date first (Home tab, /referral list mine).
CREATE INDEX referrals_open_analyst ON referrals (analyst_id, dod_due_date) WHERE state = 'open';

-- The asks waiting on an office, soonest due first (Home tab, /referral list for reviewers).
CREATE INDEX asks_awaiting_office ON asks (office_code, due_date) WHERE state = 'awaiting';

-- /referral list overdue: the open referrals whose clock runs (not on hold), in DoD due
-- order, each probed for an awaiting ask past its due date in asks_awaiting_due.
-- Both are covering, so counting them all reads no table row.
CREATE INDEX referrals_open_running ON referrals (held_since, dod_due_date) WHERE state = 'open';
CREATE INDEX asks_awaiting_due ON asks (referral_id, due_date) WHERE state = 'awaiting';

-- +goose Down
DROP INDEX asks_awaiting_due;
DROP INDEX referrals_open_running;
DROP INDEX asks_awaiting_office;
DROP INDEX referrals_open_analyst;
DROP TABLE home_tabs;
