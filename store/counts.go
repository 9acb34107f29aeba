package store

import (
	"context"
	"fmt"
)

// OpenReferrals counts the referrals still awaiting their final recommendation.
func (r reader) OpenReferrals(ctx context.Context) (int, error) {
	var n int
	if err := r.q.QueryRowxContext(ctx, `SELECT COUNT(*) FROM referrals WHERE state = 'open'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count open referrals: %w", err)
	}
	return n, nil
}
