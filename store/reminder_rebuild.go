package store

import (
	"context"
	"fmt"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// awaitingWhere selects the asks whose reminders are scheduled: awaiting a position
// on an open referral that is not on hold. It walks the asks_awaiting partial index,
// which holds only awaiting asks, and looks each one's referral up by primary key.
// The states are literals (bot.AskAwaiting, bot.ReferralOpen) so that the query
// visibly matches the index's WHERE state = 'awaiting'.
const awaitingWhere = `a.state = 'awaiting' AND EXISTS (
		SELECT 1 FROM referrals r
		WHERE r.id = a.referral_id AND r.state = 'open' AND r.held_since IS NULL
	)`

// EachAwaitingDue calls fn, in ask ID order, with the id and due dates of every ask
// AwaitingAsks returns. It streams the rows and reads only those three columns, so
// that a start-up with many open referrals does not build them all in memory.
func (r reader) EachAwaitingDue(ctx context.Context, fn func(bot.AwaitingDue) error) error {
	rows, err := r.q.QueryxContext(ctx, `SELECT a.id, a.due_date, a.due_set_at FROM asks a WHERE `+awaitingWhere+` ORDER BY a.id`)
	if err != nil {
		return fmt.Errorf("awaiting asks: %w", err)
	}
	defer rows.Close()
	var (
		a      bot.AwaitingDue
		due    date
		dueSet stamp
	)
	for rows.Next() {
		if err := rows.Scan(&a.AskID, &due, &dueSet); err != nil {
			return fmt.Errorf("awaiting asks: %w", err)
		}
		a.DueDate, a.DueSetAt = time.Time(due), time.Time(dueSet)
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("awaiting asks: %w", err)
	}
	return nil
}
