-- +goose Up
-- What the final recommendation did with each office proviso (condition, on a
-- Commerce referral): kept, modified (DTSA's words carried, the office's kept here)
-- or dropped (with a reason). GAO-25-107431 found conditions removed without
-- consulting the office that imposed them: a modified or dropped proviso is a
-- partial override of its office, and the record must show it. Recommendations
-- recorded before have none.
CREATE TABLE proviso_fates (
	recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
	seq               INTEGER NOT NULL,
	office_code       TEXT    NOT NULL,
	number            INTEGER NOT NULL CHECK (number >= 1), -- its place in the office's position
	office_text       TEXT    NOT NULL,
	fate              TEXT    NOT NULL CHECK (fate IN ('kept', 'modified', 'dropped')),
	dtsa_text         TEXT    NOT NULL DEFAULT '',
	reason            TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (recommendation_id, seq),
	UNIQUE (recommendation_id, office_code, number),
	CHECK ((fate = 'modified') = (dtsa_text <> '')),
	CHECK (fate <> 'dropped' OR reason <> '')
) WITHOUT ROWID;

-- +goose Down
DROP TABLE proviso_fates;
