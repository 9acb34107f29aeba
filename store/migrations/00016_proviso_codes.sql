-- +goose Up
-- The standard provisos library's code of each proviso chosen from it (e.g. NAV-3),
-- '' for one typed: "how often does Navy impose NAV-3" is then a query, not a text
-- search. Provisos recorded before have none. The index serves the statistics of
-- proviso use by office and code.
ALTER TABLE provisos ADD COLUMN code TEXT NOT NULL DEFAULT '';
CREATE INDEX provisos_code ON provisos (code, office_code) WHERE code <> '';

-- +goose Down
DROP INDEX provisos_code;
ALTER TABLE provisos DROP COLUMN code;
