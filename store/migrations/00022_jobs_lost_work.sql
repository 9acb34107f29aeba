-- +goose Up
-- reclaimed said that a claim took a job over from an expired lease. What a job's
-- next attempt needs to know is wider and must not be forgotten: whether any attempt
-- so far may have done Slack work without recording it (it died, or failed on
-- something other than Slack's answer). Before, an attempt that failed on Slack's
-- answer after a resuming one cleared that, and the attempt after it posted again
-- what the dead one had posted. The flag now stays until the job is done, and passes
-- to the pending twin a retried job gives way to.
ALTER TABLE jobs RENAME COLUMN reclaimed TO lost_work;
-- A job whose last attempt failed on something other than Slack's answer was known
-- as one that may have lost work from its last_error alone.
UPDATE jobs SET lost_work = 1 WHERE last_error <> '' AND last_error NOT LIKE 'slack: %';

-- +goose Down
ALTER TABLE jobs RENAME COLUMN lost_work TO reclaimed;
