package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// reminderRow is a reminders row: the record of one reminder taken from the queue.
// The queue itself (ids and due times only) lives in store/reminders.
type reminderRow struct {
	ID            string `db:"id"`
	ReferralID    int64  `db:"referral_id"`
	AskID         int64  `db:"ask_id"`
	OfficeCode    string `db:"office_code"`
	Seq           int    `db:"seq"`
	Kind          string `db:"kind"`
	DaysLeft      int    `db:"days_left"`
	DueAt         stamp  `db:"due_at"`
	RecordedAt    stamp  `db:"recorded_at"`
	Late          bool   `db:"late"`
	Escalated     bool   `db:"escalated"`
	Skipped       string `db:"skipped"`
	PostedChannel bool   `db:"posted_channel"`
	PostedDM      bool   `db:"posted_dm"`
}

const reminderColumns = `id, referral_id, ask_id, office_code, seq, kind, days_left, due_at,
	recorded_at, late, escalated, skipped, posted_channel, posted_dm`

func (row *reminderRow) reminder() *bot.Reminder {
	return &bot.Reminder{
		ID: row.ID, ReferralID: row.ReferralID, AskID: row.AskID, OfficeCode: row.OfficeCode,
		Seq: row.Seq, Kind: row.Kind, DaysLeft: row.DaysLeft, DueAt: time.Time(row.DueAt),
		RecordedAt: time.Time(row.RecordedAt), Late: row.Late, Escalated: row.Escalated,
		Skipped: row.Skipped, PostedChannel: row.PostedChannel, PostedDM: row.PostedDM,
	}
}

// Reminders returns the reminders recorded for the referral, oldest first.
func (r reader) Reminders(ctx context.Context, referralID int64) ([]*bot.Reminder, error) {
	reminders, err := r.findReminders(ctx, `referral_id = ?`, referralID)
	if err != nil {
		return nil, fmt.Errorf("reminders of referral %d: %w", referralID, err)
	}
	if len(reminders) == 0 {
		// Tell "none sent yet" from "no such referral".
		if _, err := r.Referral(ctx, referralID); err != nil {
			return nil, err
		}
	}
	return reminders, nil
}

// AskReminders returns the reminders recorded for one ask, oldest first.
func (r reader) AskReminders(ctx context.Context, askID int64) ([]*bot.Reminder, error) {
	reminders, err := r.findReminders(ctx, `ask_id = ?`, askID)
	if err != nil {
		return nil, fmt.Errorf("reminders of ask %d: %w", askID, err)
	}
	if len(reminders) == 0 {
		if _, err := r.Ask(ctx, askID); err != nil {
			return nil, err
		}
	}
	return reminders, nil
}

// findReminders selects reminders in the order they were recorded. Reminders
// recorded in the same instant keep insertion order through the rowid, which the
// (…, recorded_at) indexes carry, so neither order needs a sort.
func (r reader) findReminders(ctx context.Context, where string, args ...any) ([]*bot.Reminder, error) {
	var rows []reminderRow
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT `+reminderColumns+` FROM reminders
		WHERE `+where+` ORDER BY recorded_at, rowid`, args...)
	if err != nil {
		return nil, err
	}
	reminders := make([]*bot.Reminder, len(rows))
	for i, row := range rows {
		reminders[i] = row.reminder()
	}
	return reminders, nil
}

// RecordReminder inserts r under its ID, RecordedAt defaulting to now. When a
// reminder with that ID is already recorded it returns false and leaves both the
// stored row and r as they were: the first delivery wins.
func (t *tx) RecordReminder(ctx context.Context, r *bot.Reminder) (bool, error) {
	recordedAt := r.RecordedAt
	if recordedAt.IsZero() {
		recordedAt = t.now
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO reminders
		(id, referral_id, ask_id, office_code, seq, kind, days_left, due_at, recorded_at,
		 late, escalated, skipped, posted_channel, posted_dm)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		r.ID, r.ReferralID, r.AskID, r.OfficeCode, r.Seq, r.Kind, r.DaysLeft, stamp(r.DueAt),
		stamp(recordedAt), r.Late, r.Escalated, r.Skipped, r.PostedChannel, r.PostedDM)
	if isForeignKey(err) {
		return false, &bot.Error{Code: bot.ENOTFOUND, Message: "That office's ask is no longer here.", Detail: fmt.Sprintf("referral %d or its ask %d not found", r.ReferralID, r.AskID)}
	} else if err != nil {
		return false, fmt.Errorf("record reminder %s: %w", r.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record reminder %s: %w", r.ID, err)
	}
	if n == 0 {
		return false, nil
	}
	r.RecordedAt = recordedAt
	return true, nil
}

// MarkReminderPosted sets the reminder's posted flags that are true and leaves the
// others as they are, so that marking the direct message never unmarks the channel
// post.
func (t *tx) MarkReminderPosted(ctx context.Context, id string, channel, dm bool) error {
	res, err := t.q.ExecContext(ctx, `UPDATE reminders
		SET posted_channel = posted_channel OR ?, posted_dm = posted_dm OR ?
		WHERE id = ?`, channel, dm, id)
	if err != nil {
		return fmt.Errorf("mark reminder %s posted: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark reminder %s posted: %w", id, err)
	} else if n == 0 {
		return notFound("reminder", id)
	}
	return nil
}
