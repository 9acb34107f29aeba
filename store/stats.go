package store

import (
	"context"
	"fmt"
	"time"

	"github.com/referralbot/referralbot/bot"
)

var _ bot.StatsSource = (*DB)(nil)

// sinceDate is the lower bound on referrals.received_on for since: "" (every date)
// when since is zero. Referrals with no received date (none the bot opens) are
// never counted.
func sinceDate(since time.Time) string {
	if since.IsZero() {
		return ""
	}
	return bot.FormatDate(since)
}

// AskTimings calls fn for every ask on a referral received on or after since,
// with the time of its first position (version 1) and of the referral's final
// recommendation. The walk starts from the referrals_received index and reaches
// asks, positions and recommendations through their keys; rows are streamed, not
// collected.
func (r reader) AskTimings(ctx context.Context, since time.Time, fn func(bot.AskTiming) error) error {
	// The referral closed when its first recommendation became final: recorded, or
	// signed off where a supervisor's signature was required (amendments came later).
	rows, err := r.q.QueryxContext(ctx, `SELECT a.office_code, a.created_at, a.due_date,
			p.answered_at, COALESCE(rec.signed_at, rec.recorded_at)
		FROM referrals r
		JOIN asks a ON a.referral_id = r.id
		LEFT JOIN positions p ON p.ask_id = a.id AND p.version = 1
		LEFT JOIN recommendations rec ON rec.referral_id = r.id AND rec.version = 1 AND rec.sign_off != 'pending'
		WHERE r.received_on >= ?`, sinceDate(since))
	if err != nil {
		return fmt.Errorf("ask timings since %s: %w", sinceDate(since), err)
	}
	defer rows.Close()
	for rows.Next() {
		var row struct {
			Office     string
			AskedAt    stamp
			DueDate    date
			AnsweredAt stamp
			ClosedAt   stamp
		}
		if err := rows.Scan(&row.Office, &row.AskedAt, &row.DueDate, &row.AnsweredAt, &row.ClosedAt); err != nil {
			return fmt.Errorf("ask timings: %w", err)
		}
		if err := fn(bot.AskTiming{OfficeCode: row.Office, AskedAt: time.Time(row.AskedAt), DueDate: time.Time(row.DueDate),
			AnsweredAt: time.Time(row.AnsweredAt), ClosedAt: time.Time(row.ClosedAt)}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ask timings: %w", err)
	}
	return nil
}

// OutcomeCounts counts the referrals received on or after since by the outcome of
// their final recommendation, "" for those without one.
func (r reader) OutcomeCounts(ctx context.Context, since time.Time) (map[bot.Outcome]int, error) {
	rows, err := r.q.QueryxContext(ctx, `SELECT COALESCE(rec.outcome, ''), COUNT(*)
		FROM referrals r
		LEFT JOIN recommendations rec ON rec.id = (
			-- the final recommendation: its newest version not waiting for sign-off
			SELECT id FROM recommendations WHERE referral_id = r.id AND sign_off != 'pending' ORDER BY version DESC LIMIT 1)
		WHERE r.received_on >= ?
		GROUP BY 1`, sinceDate(since))
	if err != nil {
		return nil, fmt.Errorf("outcome counts since %s: %w", sinceDate(since), err)
	}
	defer rows.Close()
	out := map[bot.Outcome]int{}
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			return nil, fmt.Errorf("outcome counts: %w", err)
		}
		out[bot.Outcome(o)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outcome counts: %w", err)
	}
	return out, nil
}
