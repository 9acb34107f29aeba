package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"

	"github.com/pressly/goose/v3"
)

// roundsVersion is migration 00012: rounds of a referral, versions of the final
// recommendation, and the supervisor's sign-off. It is written in Go, not SQL,
// because it must drop two table constraints, which SQLite can do only by rebuilding
// the table with foreign keys off; Go reads the table's current definition, so the
// rebuild keeps every column earlier migrations (whichever they are) added.
//
//   - A case number can come back after its final recommendation as a new round:
//     UNIQUE (agency, case_number) becomes unique (agency, case_number, round), and
//     at most one round of a case is open at a time.
//   - A final recommendation can be amended and every version is kept:
//     recommendations.referral_id is no longer unique; (referral_id, version) is.
//   - A recommendation may wait for a supervisor's sign-off (sign_off 'pending',
//     then 'signed' with who and when); ” when none was needed.
const roundsVersion = 12

// goMigrations are the schema changes written in Go, beside the embedded SQL files.
func goMigrations() []*goose.Migration {
	return []*goose.Migration{
		goose.NewGoMigration(roundsVersion, &goose.GoFunc{RunDB: roundsUp}, &goose.GoFunc{RunDB: roundsDown}),
		goose.NewGoMigration(precedentsVersion, &goose.GoFunc{RunTx: precedentsUp}, &goose.GoFunc{RunTx: precedentsDown}),
	}
}

var (
	caseUnique        = regexp.MustCompile(`,\s*UNIQUE \(agency, case_number\)`)
	referralIDUnique  = regexp.MustCompile(`referral_id(\s+)INTEGER NOT NULL UNIQUE REFERENCES`)
	referralIDPlain   = regexp.MustCompile(`referral_id(\s+)INTEGER NOT NULL REFERENCES`)
	closingParenthese = regexp.MustCompile(`\)\s*$`)
)

func roundsUp(ctx context.Context, db *sql.DB) error {
	return withoutForeignKeys(ctx, db, func(tx *sql.Tx) error {
		if err := execAll(ctx, tx,
			`ALTER TABLE referrals ADD COLUMN round INTEGER NOT NULL DEFAULT 1`,
			`ALTER TABLE referrals ADD COLUMN prior_id INTEGER`,                     // the earlier round's referral id
			`ALTER TABLE referrals ADD COLUMN re_referral TEXT NOT NULL DEFAULT ''`, // resubmission or amendment
			`ALTER TABLE recommendations ADD COLUMN version INTEGER NOT NULL DEFAULT 1`,
			`ALTER TABLE recommendations ADD COLUMN amend_reason TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE recommendations ADD COLUMN sign_off TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE recommendations ADD COLUMN signed_by TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE recommendations ADD COLUMN signed_at TEXT`,
		); err != nil {
			return err
		}
		if err := rebuild(ctx, tx, "referrals", func(s string) string { return caseUnique.ReplaceAllString(s, "") }); err != nil {
			return err
		}
		if err := rebuild(ctx, tx, "recommendations", func(s string) string {
			return referralIDUnique.ReplaceAllString(s, "referral_id${1}INTEGER NOT NULL REFERENCES")
		}); err != nil {
			return err
		}
		return execAll(ctx, tx,
			`CREATE UNIQUE INDEX referrals_case_round ON referrals (agency, case_number, round)`,
			`CREATE UNIQUE INDEX referrals_case_open ON referrals (agency, case_number) WHERE state = 'open'`,
			`CREATE UNIQUE INDEX recommendations_version ON recommendations (referral_id, version)`,
			`CREATE UNIQUE INDEX recommendations_pending ON recommendations (referral_id) WHERE sign_off = 'pending'`,
		)
	})
}

func roundsDown(ctx context.Context, db *sql.DB) error {
	return withoutForeignKeys(ctx, db, func(tx *sql.Tx) error {
		var later int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM referrals WHERE round > 1)
			+ (SELECT COUNT(*) FROM recommendations WHERE version > 1 OR sign_off = 'pending')`).Scan(&later); err != nil {
			return err
		}
		if later > 0 {
			return fmt.Errorf("cannot undo migration %d: %d later round(s), amended or unsigned recommendation(s) would not fit the older schema", roundsVersion, later)
		}
		if err := execAll(ctx, tx,
			`DROP INDEX recommendations_pending`, `DROP INDEX recommendations_version`,
			`DROP INDEX referrals_case_open`, `DROP INDEX referrals_case_round`,
		); err != nil {
			return err
		}
		if err := rebuild(ctx, tx, "referrals", func(s string) string {
			return closingParenthese.ReplaceAllString(s, ",\n\tUNIQUE (agency, case_number)\n)")
		}); err != nil {
			return err
		}
		if err := rebuild(ctx, tx, "recommendations", func(s string) string {
			return referralIDPlain.ReplaceAllString(s, "referral_id${1}INTEGER NOT NULL UNIQUE REFERENCES")
		}); err != nil {
			return err
		}
		return execAll(ctx, tx,
			`ALTER TABLE recommendations DROP COLUMN signed_at`, `ALTER TABLE recommendations DROP COLUMN signed_by`,
			`ALTER TABLE recommendations DROP COLUMN sign_off`, `ALTER TABLE recommendations DROP COLUMN amend_reason`,
			`ALTER TABLE recommendations DROP COLUMN version`,
			`ALTER TABLE referrals DROP COLUMN re_referral`, `ALTER TABLE referrals DROP COLUMN prior_id`,
			`ALTER TABLE referrals DROP COLUMN round`,
		)
	})
}

// withoutForeignKeys runs fn in a transaction on one connection with foreign keys
// off, as SQLite's procedure for rebuilding a table asks (the pragma is a no-op
// inside a transaction), checks that every reference still holds, and turns them
// back on.
func withoutForeignKeys(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	broken := rows.Next()
	rows.Close()
	if broken {
		return fmt.Errorf("migration %d: a foreign key no longer holds", roundsVersion)
	}
	return tx.Commit()
}

// rebuild recreates table from its current definition as edit rewrites it, with
// every row and index, following https://sqlite.org/lang_altertable.html#otheralter.
func rebuild(ctx context.Context, tx *sql.Tx, table string, edit func(string) string) error {
	var def string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&def); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	edited := edit(def)
	if edited == def {
		return fmt.Errorf("rebuild %s: its definition is not the one expected:\n%s", table, def)
	}
	var indexes []string
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ? AND sql IS NOT NULL`, table)
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("rebuild %s: %w", table, err)
		}
		indexes = append(indexes, s)
	}
	rows.Close()
	tmp := table + "_rebuilt"
	// After a rebuild SQLite writes the name quoted: CREATE TABLE "referrals".
	name := regexp.MustCompile(`^CREATE TABLE\s+"?` + table + `"?`)
	create := name.ReplaceAllLiteralString(edited, "CREATE TABLE "+tmp)
	if create == edited {
		return fmt.Errorf("rebuild %s: cannot rename its definition:\n%s", table, def)
	}
	if err := execAll(ctx, tx, create,
		`INSERT INTO `+tmp+` SELECT * FROM `+table,
		`DROP TABLE `+table,
		`ALTER TABLE `+tmp+` RENAME TO `+table,
	); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	if err := execAll(ctx, tx, indexes...); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	return nil
}

func execAll(ctx context.Context, tx *sql.Tx, statements ...string) error {
	for _, s := range statements {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
