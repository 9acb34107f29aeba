package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/referralbot/referralbot/bot"
)

// stampLayout writes instants in UTC at a fixed width, so that comparing stored
// values as text (run_at <= ?, MIN(run_at)) orders them as instants. RFC3339Nano
// would not: it drops trailing zeros, and "05Z" sorts after "05.5Z".
const stampLayout = "2006-01-02T15:04:05.000000000Z"

// stamp is an instant column; the zero time is stored as NULL.
type stamp time.Time

// Value implements driver.Valuer.
func (s stamp) Value() (driver.Value, error) {
	t := time.Time(s)
	if t.IsZero() {
		return nil, nil
	}
	return t.UTC().Format(stampLayout), nil
}

// Scan implements sql.Scanner.
func (s *stamp) Scan(v any) error {
	str, ok, err := scanText(v)
	if err != nil || !ok {
		*s = stamp{}
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil {
		return fmt.Errorf("scan instant: %w", err)
	}
	*s = stamp(t.UTC())
	return nil
}

// date is a calendar date column ('YYYY-MM-DD'); the zero time is stored as NULL.
type date time.Time

// Value implements driver.Valuer.
func (d date) Value() (driver.Value, error) {
	t := time.Time(d)
	if t.IsZero() {
		return nil, nil
	}
	return bot.FormatDate(t), nil
}

// Scan implements sql.Scanner.
func (d *date) Scan(v any) error {
	str, ok, err := scanText(v)
	if err != nil || !ok {
		*d = date{}
		return err
	}
	t, err := bot.ParseDate(str)
	if err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	*d = date(t)
	return nil
}

// optText is a text column where "" is stored as NULL, so that unique indexes
// ignore it (SQLite's NULLs never collide) and lookups by "" find nothing.
type optText string

// Value implements driver.Valuer.
func (o optText) Value() (driver.Value, error) {
	if o == "" {
		return nil, nil
	}
	return string(o), nil
}

// Scan implements sql.Scanner.
func (o *optText) Scan(v any) error {
	str, _, err := scanText(v)
	*o = optText(str)
	return err
}

// optID is an optional reference to another row's id; 0 is stored as NULL.
type optID int64

// Value implements driver.Valuer.
func (o optID) Value() (driver.Value, error) {
	if o == 0 {
		return nil, nil
	}
	return int64(o), nil
}

// Scan implements sql.Scanner.
func (o *optID) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*o = 0
	case int64:
		*o = optID(v)
	default:
		return fmt.Errorf("scan id: unexpected %T", v)
	}
	return nil
}

// scanText reads a TEXT column value; ok is false for NULL.
func scanText(v any) (s string, ok bool, err error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case []byte:
		return string(v), true, nil
	}
	return "", false, fmt.Errorf("scan text: unexpected %T", v)
}

// isUnique reports whether err is a violated UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// isForeignKey reports whether err is a violated FOREIGN KEY constraint, which in
// this schema always means the referral (or ask) written against does not exist.
func isForeignKey(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}

// notFound is the ENOTFOUND error for a missing row. Its message is in the users'
// words, because a forged or stale button reaches it; the row's id goes only to the
// log, in Detail.
func notFound(what string, key any) error {
	msg := "That is no longer here: it may have been removed. Use `/referral list` to find the referral."
	switch what {
	case "ask":
		msg = "That office's ask is no longer here. Use `/referral status` in the referral's channel to see its asks."
	case "referral", "referral with open key":
		msg = "That referral is not here. Use `/referral list` to find it, or give its case number, e.g. `/referral status Z123456`."
	}
	return &bot.Error{Code: bot.ENOTFOUND, Message: msg, Detail: fmt.Sprintf("%s %v not found", what, key)}
}
