package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// digestRow is a digests row.
type digestRow struct {
	ID         string `db:"id"`
	ChannelID  string `db:"channel_id"`
	UserID     string `db:"user_id"`
	Text       string `db:"text"`
	Attempts   int    `db:"attempts"`
	PostedTS   string `db:"posted_ts"`
	RecordedAt stamp  `db:"recorded_at"`
}

// RecordDigest records a morning digest or escalation under its deterministic id.
// It returns false, and changes nothing, when that id was recorded before: a second
// instance or a restart never sends one twice.
func (t *tx) RecordDigest(ctx context.Context, d *bot.Digest) (bool, error) {
	if d.RecordedAt.IsZero() {
		d.RecordedAt = t.now
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO digests (id, channel_id, user_id, text, recorded_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		d.ID, d.ChannelID, d.UserID, d.Text, stamp(d.RecordedAt))
	if err != nil {
		return false, fmt.Errorf("record digest %s: %w", d.ID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// UnpostedDigests returns the digests recorded but not yet in Slack, oldest first.
func (r reader) UnpostedDigests(ctx context.Context) ([]*bot.Digest, error) {
	var rows []digestRow
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT id, channel_id, user_id, text, attempts, posted_ts, recorded_at
		FROM digests WHERE posted_ts = '' ORDER BY recorded_at, id`)
	if err != nil {
		return nil, fmt.Errorf("unposted digests: %w", err)
	}
	out := make([]*bot.Digest, len(rows))
	for i, row := range rows {
		out[i] = &bot.Digest{ID: row.ID, ChannelID: row.ChannelID, UserID: row.UserID, Text: row.Text,
			Attempts: row.Attempts, PostedTS: row.PostedTS, RecordedAt: time.Time(row.RecordedAt)}
	}
	return out, nil
}

// ClaimDigest takes an unposted digest for posting until leaseUntil, counting the
// attempt. It returns false when the digest is posted or another process holds it:
// two instances never post the same digest at once.
func (t *tx) ClaimDigest(ctx context.Context, id string, leaseUntil time.Time) (bool, error) {
	res, err := t.q.ExecContext(ctx, `UPDATE digests SET attempts = attempts + 1, lease_until = ?
		WHERE id = ? AND posted_ts = '' AND (lease_until IS NULL OR lease_until <= ?)`,
		stamp(leaseUntil), id, stamp(t.now))
	if err != nil {
		return false, fmt.Errorf("claim digest %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkDigestPosted records the ts of the posted digest.
func (t *tx) MarkDigestPosted(ctx context.Context, id, ts string) error {
	_, err := t.q.ExecContext(ctx, `UPDATE digests SET posted_ts = ? WHERE id = ?`, ts, id)
	if err != nil {
		return fmt.Errorf("mark digest %s posted: %w", id, err)
	}
	return nil
}
