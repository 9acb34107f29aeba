package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// MarkForRefresh notes that the referral's pending refresh must redraw the ask's
// message (askID 0: the whole referral changed).
func (t *tx) MarkForRefresh(ctx context.Context, referralID, askID int64) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO refresh_marks (referral_id, ask_id) VALUES (?, ?)
		ON CONFLICT (referral_id, ask_id) DO UPDATE SET mark = mark + 1`, referralID, askID)
	if isForeignKey(err) {
		return notFound("referral", referralID)
	} else if err != nil {
		return fmt.Errorf("mark referral %d ask %d for refresh: %w", referralID, askID, err)
	}
	return nil
}

// RefreshMarks returns what the referral's refresh must redraw, by ask.
func (db *DB) RefreshMarks(ctx context.Context, referralID int64) ([]bot.RefreshMark, error) {
	return refreshMarks(ctx, db.read, referralID)
}

func refreshMarks(ctx context.Context, q sqlx.QueryerContext, referralID int64) ([]bot.RefreshMark, error) {
	var marks []bot.RefreshMark
	err := sqlx.SelectContext(ctx, q, &marks, `SELECT ask_id AS askid, mark FROM refresh_marks
		WHERE referral_id = ? ORDER BY ask_id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("refresh marks of referral %d: %w", referralID, err)
	}
	return marks, nil
}

// ClearRefreshMarks removes the marks a refresh has drawn; a mark counted up since
// it was read stays, for the next refresh.
func (db *DB) ClearRefreshMarks(ctx context.Context, referralID int64, marks []bot.RefreshMark) error {
	if len(marks) == 0 {
		return nil
	}
	return db.update(ctx, func(q *sqlx.Tx) error { return clearRefreshMarks(ctx, q, referralID, marks) })
}

func clearRefreshMarks(ctx context.Context, q sqlx.ExecerContext, referralID int64, marks []bot.RefreshMark) error {
	for _, m := range marks {
		if _, err := q.ExecContext(ctx, `DELETE FROM refresh_marks WHERE referral_id = ? AND ask_id = ? AND mark = ?`,
			referralID, m.AskID, m.Mark); err != nil {
			return fmt.Errorf("clear refresh marks of referral %d: %w", referralID, err)
		}
	}
	return nil
}
