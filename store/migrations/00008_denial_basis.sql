-- +goose Up
-- A denial on a Commerce referral states its statutory and regulatory basis as well
-- as its reasons (EO 12981): an office's position and the final recommendation keep
-- it. Empty on everything recorded before, and on State referrals.
ALTER TABLE positions ADD COLUMN basis TEXT NOT NULL DEFAULT '';
ALTER TABLE recommendations ADD COLUMN basis TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE recommendations DROP COLUMN basis;
ALTER TABLE positions DROP COLUMN basis;
