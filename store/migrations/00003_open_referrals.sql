-- +goose Up
-- Open referrals are counted on every metrics scrape and listed by the analyst's
-- cockpit; the partial index keeps that to the open few among years of history.
CREATE INDEX referrals_open ON referrals (dod_due_date) WHERE state = 'open';

-- +goose Down
DROP INDEX referrals_open;
