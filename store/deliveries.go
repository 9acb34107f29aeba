package store

import (
	"context"
	"fmt"
)

// RecordDelivery records that the event with this id is being handled; it returns
// false when it was already recorded (a retry or a redelivery).
func (t *tx) RecordDelivery(ctx context.Context, eventID string) (bool, error) {
	res, err := t.q.ExecContext(ctx, `INSERT INTO deliveries (event_id, received_at) VALUES (?, ?)
		ON CONFLICT (event_id) DO NOTHING`, eventID, stamp(t.now))
	if err != nil {
		return false, fmt.Errorf("record delivery %s: %w", eventID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
