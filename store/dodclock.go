package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// The morning pass's queries about the DoD due date (bot/dodclock.go). Both walk
// the referrals_open index (open referrals by DoD due date) over a range of
// dates: the few referrals due this week, or the few past due and still open.

// DoDDueBetween returns the open referrals due on or after from and before to,
// soonest DoD due date first.
func (r reader) DoDDueBetween(ctx context.Context, from, to time.Time, limit int) ([]*bot.Referral, error) {
	return r.dodPage(ctx, "referrals coming due", `state = 'open' AND dod_due_date >= ? AND dod_due_date < ?`,
		[]any{bot.FormatDate(from), bot.FormatDate(to)}, limit)
}

// DoDDuePassed returns the open referrals whose DoD due date is before today and
// whose event log does not yet hold the passing of that date (a deemed no
// objection or an overdue event whose dod_due is the referral's DoD due date:
// after a later agency action moves the date, its passing counts again).
func (r reader) DoDDuePassed(ctx context.Context, today time.Time, limit int) ([]*bot.Referral, error) {
	return r.dodPage(ctx, "referrals past their DoD due date", `state = 'open' AND dod_due_date < ? AND NOT EXISTS (
		SELECT 1 FROM events e WHERE e.referral_id = referrals.id AND e.kind IN (?, ?)
		AND json_extract(e.detail, '$.dod_due') = referrals.dod_due_date)`,
		[]any{bot.FormatDate(today), bot.EventDeemedNoObjection, bot.EventDoDOverdue}, limit)
}

// dodPage returns up to limit open referrals matching where, by DoD due date.
func (r reader) dodPage(ctx context.Context, what, where string, args []any, limit int) ([]*bot.Referral, error) {
	var rows []referralRow
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT `+referralColumns+` FROM referrals WHERE `+where+`
		ORDER BY dod_due_date, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out := make([]*bot.Referral, len(rows))
	for i := range rows {
		out[i] = rows[i].referral()
	}
	return out, nil
}
