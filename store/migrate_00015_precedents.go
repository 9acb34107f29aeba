package store

import (
	"context"
	"database/sql"
	"fmt"
)

// precedentsVersion is migration 00015: the precedent index (issue 12). It is
// written in Go because its backfill keys every decided referral with the bot's
// own name normaliser (bot.NameKey), which SQL cannot call.
//
//   - precedents: one row per referral with a final recommendation, under its
//     match keys (normalised applicant and end user, classification, family,
//     destination), each indexed with the decision time, so the newest matches
//     are one index range read backwards.
//   - precedent_tally and precedent_provisos: per key, how many referrals ended
//     in each outcome and how often each proviso stood in the final
//     recommendation, kept up to date as recommendations are recorded, so the
//     panel never counts thousands of rows for a busy applicant.
const precedentsVersion = 15

var precedentsSchema = []string{
	`CREATE TABLE precedents (
		referral_id       INTEGER PRIMARY KEY REFERENCES referrals (id),
		recommendation_id INTEGER NOT NULL,
		outcome           TEXT    NOT NULL,
		decided_at        TEXT    NOT NULL,
		applicant_key     TEXT    NOT NULL,
		end_user_key      TEXT    NOT NULL,
		class_key         TEXT    NOT NULL,
		class_family      TEXT    NOT NULL,
		destination       TEXT    NOT NULL
	)`,
	`CREATE INDEX precedents_applicant ON precedents (applicant_key, decided_at)`,
	`CREATE INDEX precedents_end_user ON precedents (end_user_key, decided_at)`,
	`CREATE INDEX precedents_class ON precedents (class_key, decided_at)`,
	`CREATE INDEX precedents_family ON precedents (class_family, decided_at)`,
	`CREATE INDEX precedents_destination ON precedents (destination, decided_at)`,
	`CREATE TABLE precedent_tally (
		dim     TEXT    NOT NULL,
		key     TEXT    NOT NULL,
		outcome TEXT    NOT NULL,
		n       INTEGER NOT NULL,
		PRIMARY KEY (dim, key, outcome)
	) WITHOUT ROWID`,
	`CREATE TABLE precedent_provisos (
		dim  TEXT    NOT NULL,
		key  TEXT    NOT NULL,
		text TEXT    NOT NULL,
		n    INTEGER NOT NULL,
		PRIMARY KEY (dim, key, text)
	) WITHOUT ROWID`,
	`CREATE INDEX precedent_provisos_top ON precedent_provisos (dim, key, n)`,
}

func precedentsUp(ctx context.Context, tx *sql.Tx) error {
	if err := execAll(ctx, tx, precedentsSchema...); err != nil {
		return err
	}
	if _, err := indexPrecedents(ctx, tx); err != nil {
		return fmt.Errorf("backfill precedents: %w", err)
	}
	return nil
}

func precedentsDown(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx, `DROP TABLE precedent_provisos`, `DROP TABLE precedent_tally`, `DROP TABLE precedents`)
}
