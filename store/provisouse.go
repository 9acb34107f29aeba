package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

var _ bot.ProvisoUseSource = (*DB)(nil)

// ProvisoUse counts the standard provisos in each office's current position on
// the referrals received on or after since, by office and library code. The walk
// starts from the referrals_received index and reaches each ask's newest position
// and its provisos through their keys (CROSS JOIN keeps SQLite to that order,
// instead of scanning every coded proviso when since is recent).
func (r reader) ProvisoUse(ctx context.Context, since time.Time) ([]bot.StandardProvisoUse, error) {
	var rows []struct {
		Office string `db:"office_code"`
		Code   string `db:"code"`
		Count  int    `db:"n"`
	}
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT p.office_code, p.code, COUNT(*) AS n
		FROM referrals r
		CROSS JOIN asks a ON a.referral_id = r.id
		CROSS JOIN positions pos ON pos.ask_id = a.id AND pos.version = (SELECT MAX(version) FROM positions WHERE ask_id = a.id)
		JOIN provisos p ON p.position_id = pos.id
		WHERE r.received_on >= ? AND p.code <> ''
		GROUP BY p.office_code, p.code
		ORDER BY p.office_code, p.code`, sinceDate(since))
	if err != nil {
		return nil, fmt.Errorf("proviso use since %s: %w", sinceDate(since), err)
	}
	out := make([]bot.StandardProvisoUse, len(rows))
	for i, row := range rows {
		out[i] = bot.StandardProvisoUse{OfficeCode: row.Office, Code: row.Code, Count: row.Count}
	}
	return out, nil
}
