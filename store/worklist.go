package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// The worklist's queries (Home tab, /referral list). Each walks a partial index of
// migration 00006 that holds only open referrals or awaiting asks, so its cost
// follows the work in progress, not the ten years of history beside it.

// inChunk bounds the ids or users bound into one IN (…): far below SQLite's limit
// on variables, and large enough that a page or a roster is one statement.
const inChunk = 500

// AnalystReferrals returns the analyst's open referrals, soonest DoD due date
// first (the referrals_open_analyst index, in order), and how many there are.
func (r reader) AnalystReferrals(ctx context.Context, analyst string, limit int) ([]*bot.Referral, int, error) {
	return r.referralPage(ctx, "analyst's open referrals", `analyst_id = ? AND state = 'open'`, []any{analyst}, limit)
}

// OpenReferralList returns the open referrals, soonest DoD due date first (the
// referrals_open index, in order), and how many there are.
func (r reader) OpenReferralList(ctx context.Context, limit int) ([]*bot.Referral, int, error) {
	return r.referralPage(ctx, "open referrals", `state = 'open'`, nil, limit)
}

// OverdueReferrals returns the open referrals not on hold with an awaiting ask due
// before today. It walks the open referrals in DoD due order and probes each in
// the covering asks_awaiting_due index; a page stops at limit, the count does not.
func (r reader) OverdueReferrals(ctx context.Context, today time.Time, limit int) ([]*bot.Referral, int, error) {
	return r.referralPage(ctx, "overdue referrals", `state = 'open' AND held_since IS NULL AND EXISTS (
		SELECT 1 FROM asks a WHERE a.referral_id = referrals.id AND a.state = 'awaiting' AND a.due_date < ?)`,
		[]any{bot.FormatDate(today)}, limit)
}

// referralPage returns up to limit referrals matching where, soonest DoD due date
// first, and how many match.
func (r reader) referralPage(ctx context.Context, what, where string, args []any, limit int) ([]*bot.Referral, int, error) {
	var rows []referralRow
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT `+referralColumns+` FROM referrals WHERE `+where+`
		ORDER BY dod_due_date, id LIMIT ?`, append(slices.Clone(args), limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	total := len(rows)
	if total == limit {
		if err := sqlx.GetContext(ctx, r.q, &total, `SELECT COUNT(*) FROM referrals WHERE `+where, args...); err != nil {
			return nil, 0, fmt.Errorf("count %s: %w", what, err)
		}
	}
	out := make([]*bot.Referral, len(rows))
	for i := range rows {
		out[i] = rows[i].referral()
	}
	return out, total, nil
}

// pendingAskRow is an awaiting ask as the office queue reads it.
type pendingAskRow struct {
	ID           int64  `db:"id"`
	ReferralID   int64  `db:"referral_id"`
	OfficeCode   string `db:"office_code"`
	DueDate      date   `db:"due_date"`
	State        string `db:"state"`
	ChannelID    string `db:"channel_id"`
	MessageTS    string `db:"message_ts"`
	CreatedAt    stamp  `db:"created_at"`
	DueSetAt     stamp  `db:"due_set_at"`
	SnoozedUntil stamp  `db:"snoozed_until"`
}

// OfficeQueue returns the asks awaiting any of the offices, soonest due first,
// each with its referral, and how many there are. Each office is read apart, in
// order from the asks_awaiting_office index and no further than limit, and the
// lists merged: one query over all the offices would sort every awaiting ask of
// theirs. With overdueOn set, only the asks due before it on referrals not on hold.
func (r reader) OfficeQueue(ctx context.Context, offices []string, overdueOn time.Time, limit int) ([]*bot.PendingAsk, int, error) {
	where, args := `a.state = 'awaiting' AND a.office_code = ?`, []any{nil}
	if !overdueOn.IsZero() {
		where += ` AND a.due_date < ? AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = a.referral_id AND r.held_since IS NULL)`
		args = append(args, bot.FormatDate(overdueOn))
	}
	var rows []pendingAskRow
	total := 0
	for _, office := range offices {
		args[0] = office
		var page []pendingAskRow
		err := sqlx.SelectContext(ctx, r.q, &page, `SELECT a.id, a.referral_id, a.office_code, a.due_date, a.state,
			a.channel_id, a.message_ts, a.created_at, a.due_set_at, a.snoozed_until
			FROM asks a WHERE `+where+` ORDER BY a.due_date, a.id LIMIT ?`, append(slices.Clone(args), limit)...)
		if err != nil {
			return nil, 0, fmt.Errorf("asks awaiting %s: %w", office, err)
		}
		n := len(page)
		if n == limit {
			if err := sqlx.GetContext(ctx, r.q, &n, `SELECT COUNT(*) FROM asks a WHERE `+where, args...); err != nil {
				return nil, 0, fmt.Errorf("count asks awaiting %s: %w", office, err)
			}
		}
		rows, total = append(rows, page...), total+n
	}
	slices.SortFunc(rows, func(a, b pendingAskRow) int {
		if c := time.Time(a.DueDate).Compare(time.Time(b.DueDate)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	rows = rows[:min(len(rows), limit)]
	ids := make([]int64, 0, len(rows))
	for _, row := range rows {
		ids = append(ids, row.ReferralID)
	}
	refs, err := r.referralsByID(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("office queue: %w", err)
	}
	out := make([]*bot.PendingAsk, 0, len(rows))
	for _, row := range rows {
		ref := refs[row.ReferralID]
		if ref == nil {
			continue // cannot happen: asks.referral_id is a foreign key
		}
		out = append(out, &bot.PendingAsk{Referral: ref, Ask: &bot.Ask{
			ID: row.ID, ReferralID: row.ReferralID, OfficeCode: row.OfficeCode, DueDate: time.Time(row.DueDate),
			State: bot.AskState(row.State), ChannelID: row.ChannelID, MessageTS: row.MessageTS, CreatedAt: time.Time(row.CreatedAt),
			DueSetAt: time.Time(row.DueSetAt), SnoozedUntil: time.Time(row.SnoozedUntil),
		}})
	}
	return out, total, nil
}

// referralsByID loads referrals by primary key.
func (r reader) referralsByID(ctx context.Context, ids []int64) (map[int64]*bot.Referral, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[int64]*bot.Referral, len(ids))
	for chunk := range slices.Chunk(ids, inChunk) {
		query, args, err := sqlx.In(`SELECT `+referralColumns+` FROM referrals WHERE id IN (?)`, chunk)
		if err != nil {
			return nil, err
		}
		var rows []referralRow
		if err := sqlx.SelectContext(ctx, r.q, &rows, query, args...); err != nil {
			return nil, err
		}
		for i := range rows {
			out[rows[i].ID] = rows[i].referral()
		}
	}
	return out, nil
}

// Standings returns the referrals' asks with the outcome of each one's current
// position: the asks by their (referral_id, office_code) key, the outcome by one
// probe of positions' (ask_id, version) key each.
func (r reader) Standings(ctx context.Context, referralIDs []int64) (map[int64][]bot.Standing, error) {
	out := make(map[int64][]bot.Standing, len(referralIDs))
	for chunk := range slices.Chunk(referralIDs, inChunk) {
		query, args, err := sqlx.In(`SELECT a.id, a.referral_id, a.office_code, a.state, a.due_date,
			COALESCE((SELECT p.outcome FROM positions p WHERE p.ask_id = a.id ORDER BY p.version DESC LIMIT 1), '') AS outcome
			FROM asks a WHERE a.referral_id IN (?) ORDER BY a.referral_id, a.id`, chunk)
		if err != nil {
			return nil, fmt.Errorf("standings: %w", err)
		}
		var rows []struct {
			ID         int64  `db:"id"`
			ReferralID int64  `db:"referral_id"`
			OfficeCode string `db:"office_code"`
			State      string `db:"state"`
			DueDate    date   `db:"due_date"`
			Outcome    string `db:"outcome"`
		}
		if err := sqlx.SelectContext(ctx, r.q, &rows, query, args...); err != nil {
			return nil, fmt.Errorf("standings: %w", err)
		}
		for _, row := range rows {
			out[row.ReferralID] = append(out[row.ReferralID], bot.Standing{
				AskID: row.ID, ReferralID: row.ReferralID, OfficeCode: row.OfficeCode, State: bot.AskState(row.State),
				DueDate: time.Time(row.DueDate), Outcome: bot.Outcome(row.Outcome),
			})
		}
	}
	return out, nil
}

// HomeViewers returns which of users have opened the bot's Home tab.
func (r reader) HomeViewers(ctx context.Context, users []string) ([]string, error) {
	var out []string
	for chunk := range slices.Chunk(users, inChunk) {
		query, args, err := sqlx.In(`SELECT user_id FROM home_tabs WHERE user_id IN (?) ORDER BY user_id`, chunk)
		if err != nil {
			return nil, fmt.Errorf("home viewers: %w", err)
		}
		var got []string
		if err := sqlx.SelectContext(ctx, r.q, &got, query, args...); err != nil {
			return nil, fmt.Errorf("home viewers: %w", err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// AnyHomeViewer reports whether anybody has opened the bot's Home tab.
func (r reader) AnyHomeViewer(ctx context.Context) (bool, error) {
	var found bool
	if err := sqlx.GetContext(ctx, r.q, &found, `SELECT EXISTS (SELECT 1 FROM home_tabs)`); err != nil {
		return false, fmt.Errorf("any home viewer: %w", err)
	}
	return found, nil
}

// RecordHomeOpened notes that user has opened the bot's Home tab (again).
func (t *tx) RecordHomeOpened(ctx context.Context, user string) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO home_tabs (user_id, opened_at) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET opened_at = excluded.opened_at`, user, stamp(t.now))
	if err != nil {
		return fmt.Errorf("record home opened by %s: %w", user, err)
	}
	return nil
}
