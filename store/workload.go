package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// The supervisors' Home tab (bot/workload.go). Both queries walk partial indexes
// that hold only the work in progress: referrals_open_analyst (the open referrals,
// already grouped by analyst) and recommendations_pending (those awaiting a
// sign-off), so their cost follows what is open, not ten years of history.

// AnalystLoads counts each analyst's open referrals, and the overdue ones on day
// today: an office past its due date on a referral not on hold (probed in the
// asks_awaiting_due index, as OverdueReferrals does), or the DoD due date passed.
func (r reader) AnalystLoads(ctx context.Context, today time.Time) ([]bot.AnalystLoad, error) {
	day := bot.FormatDate(today)
	var rows []struct {
		Analyst string `db:"analyst_id"`
		Open    int    `db:"open"`
		Overdue int    `db:"overdue"`
		Next    date   `db:"next_due"`
	}
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT analyst_id, COUNT(*) AS open, MIN(dod_due_date) AS next_due,
		SUM(CASE WHEN dod_due_date < ? OR (held_since IS NULL AND EXISTS (
			SELECT 1 FROM asks a WHERE a.referral_id = referrals.id AND a.state = 'awaiting' AND a.due_date < ?)) THEN 1 ELSE 0 END) AS overdue
		FROM referrals WHERE state = 'open' GROUP BY analyst_id ORDER BY analyst_id`, day, day)
	if err != nil {
		return nil, fmt.Errorf("analysts' workload: %w", err)
	}
	out := make([]bot.AnalystLoad, len(rows))
	for i, row := range rows {
		out[i] = bot.AnalystLoad{Analyst: row.Analyst, Open: row.Open, Overdue: row.Overdue, NextDoDDue: time.Time(row.Next)}
	}
	return out, nil
}

// PendingSignOffs returns up to limit recommendations awaiting a sign-off that
// notBy did not record, soonest DoD due date first, with their referrals, and how
// many there are.
func (r reader) PendingSignOffs(ctx context.Context, notBy string, limit int) ([]*bot.PendingSignOff, int, error) {
	const where = `rec.sign_off = 'pending' AND rec.recorded_by != ?`
	var ids []int64
	err := sqlx.SelectContext(ctx, r.q, &ids, `SELECT rec.id FROM recommendations rec JOIN referrals r ON r.id = rec.referral_id
		WHERE `+where+` ORDER BY r.dod_due_date, r.id LIMIT ?`, notBy, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("recommendations awaiting sign-off: %w", err)
	}
	total := len(ids)
	if total == limit {
		if err := sqlx.GetContext(ctx, r.q, &total, `SELECT COUNT(*) FROM recommendations rec WHERE `+where, notBy); err != nil {
			return nil, 0, fmt.Errorf("count recommendations awaiting sign-off: %w", err)
		}
	}
	out := make([]*bot.PendingSignOff, 0, len(ids))
	for _, id := range ids {
		recs, err := r.recommendations(ctx, `id = ?`, id)
		if err != nil || len(recs) == 0 {
			return nil, 0, fmt.Errorf("recommendation %d awaiting sign-off: %w", id, err)
		}
		ref, err := r.Referral(ctx, recs[0].ReferralID)
		if err != nil {
			return nil, 0, fmt.Errorf("recommendation %d awaiting sign-off: %w", id, err)
		}
		out = append(out, &bot.PendingSignOff{Referral: ref, Recommendation: recs[0]})
	}
	return out, total, nil
}
