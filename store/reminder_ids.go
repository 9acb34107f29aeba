package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// AwaitingReminderIDs returns the ids of the reminders recorded for every awaiting
// ask, by ask: what a rebuild of the schedule must not queue again.
func (r reader) AwaitingReminderIDs(ctx context.Context) (map[int64]map[string]bool, error) {
	var rows []struct {
		AskID int64  `db:"ask_id"`
		ID    string `db:"id"`
	}
	if err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT m.ask_id, m.id FROM reminders m
		JOIN asks a ON a.id = m.ask_id WHERE a.state = 'awaiting'`); err != nil {
		return nil, fmt.Errorf("reminders of awaiting asks: %w", err)
	}
	out := map[int64]map[string]bool{}
	for _, row := range rows {
		if out[row.AskID] == nil {
			out[row.AskID] = map[string]bool{}
		}
		out[row.AskID][row.ID] = true
	}
	return out, nil
}
