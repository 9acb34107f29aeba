-- +goose Up
-- The standard provisos library's code (e.g. NAV-3) of each office proviso the
-- final recommendation kept, modified or dropped, '' for one the office typed: "how
-- often does DoD keep NAV-3" is then a query on the fates, not a text search. A
-- kept one also carries its code on the final's own proviso (its words are the
-- library's); a modified one only here, marked by its fate, since the words the
-- final carries are DTSA's. Fates recorded before have none: they are not
-- backfilled, because each final's chained event sealed its fates without codes,
-- and a record that gained them would no longer verify.
ALTER TABLE proviso_fates ADD COLUMN code TEXT NOT NULL DEFAULT '';
CREATE INDEX proviso_fates_code ON proviso_fates (code, fate) WHERE code <> '';

-- +goose Down
DROP INDEX proviso_fates_code;
ALTER TABLE proviso_fates DROP COLUMN code;
