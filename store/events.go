package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// eventRow is an events row.
type eventRow struct {
	ID         int64  `db:"id"`
	ReferralID int64  `db:"referral_id"`
	Actor      string `db:"actor"`
	Kind       string `db:"kind"`
	Detail     string `db:"detail"`
	At         stamp  `db:"at"`
}

// Events returns the referral's event log, oldest first.
func (r reader) Events(ctx context.Context, referralID int64) ([]*bot.Event, error) {
	var rows []eventRow
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT id, referral_id, actor, kind, detail, at
		FROM events WHERE referral_id = ? ORDER BY id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("events of referral %d: %w", referralID, err)
	}
	if len(rows) == 0 {
		if _, err := r.Referral(ctx, referralID); err != nil {
			return nil, err
		}
	}
	events := make([]*bot.Event, len(rows))
	for i, row := range rows {
		events[i] = &bot.Event{
			ID: row.ID, ReferralID: row.ReferralID, Actor: row.Actor, Kind: row.Kind,
			Detail: row.Detail, At: time.Time(row.At),
		}
	}
	return events, nil
}

// AppendEvent appends e to the log, defaulting At to now. The schema refuses to
// change or delete an event once written.
func (t *tx) AppendEvent(ctx context.Context, e *bot.Event) error {
	if e.At.IsZero() {
		e.At = t.db.now()
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO events (referral_id, actor, kind, detail, at)
		VALUES (?, ?, ?, ?, ?)`, e.ReferralID, e.Actor, e.Kind, e.Detail, stamp(e.At))
	if isForeignKey(err) {
		return notFound("referral", e.ReferralID)
	} else if err != nil {
		return fmt.Errorf("append event %s to referral %d: %w", e.Kind, e.ReferralID, err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("append event %s to referral %d: %w", e.Kind, e.ReferralID, err)
	}
	return nil
}
