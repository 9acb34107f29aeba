package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// RecordJoin notes that a reviewer joined a referral's channel through an office.
// It returns false when they had already joined through it and are still there.
func (t *tx) RecordJoin(ctx context.Context, j *bot.ChannelJoin) (bool, error) {
	if j.JoinedAt.IsZero() {
		j.JoinedAt = t.now
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO channel_joins (referral_id, user_id, office_code, joined_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (referral_id, user_id, office_code) DO UPDATE
			SET joined_at = excluded.joined_at, invited = 0, leaving = 0, removed_at = NULL
		WHERE channel_joins.removed_at IS NOT NULL`,
		j.ReferralID, j.UserID, j.OfficeCode, stamp(j.JoinedAt))
	if err != nil {
		return false, fmt.Errorf("record join of %s to referral %d: %w", j.UserID, j.ReferralID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// MarkJoinRemoved notes that the reviewer was removed from the referral's channel
// because they left the office.
func (t *tx) MarkJoinRemoved(ctx context.Context, j *bot.ChannelJoin) error {
	_, err := t.q.ExecContext(ctx, `UPDATE channel_joins SET removed_at = ?
		WHERE referral_id = ? AND user_id = ? AND office_code = ? AND removed_at IS NULL`,
		stamp(t.now), j.ReferralID, j.UserID, j.OfficeCode)
	if err != nil {
		return fmt.Errorf("mark %s removed from referral %d: %w", j.UserID, j.ReferralID, err)
	}
	return nil
}

// joinRow is a channel_joins row.
type joinRow struct {
	ReferralID int64  `db:"referral_id"`
	UserID     string `db:"user_id"`
	OfficeCode string `db:"office_code"`
	JoinedAt   stamp  `db:"joined_at"`
}

// OfficeJoins returns who joined open referrals' channels through the office and is
// still there: whom the bot must check when the office's membership changes.
func (r reader) OfficeJoins(ctx context.Context, office string) ([]bot.ChannelJoin, error) {
	var rows []joinRow
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT j.referral_id, j.user_id, j.office_code, j.joined_at
		FROM channel_joins j JOIN referrals r ON r.id = j.referral_id
		WHERE j.office_code = ? AND j.removed_at IS NULL AND j.leaving = 0 AND r.archived_at IS NULL
		ORDER BY j.referral_id, j.user_id`, office)
	if err != nil {
		return nil, fmt.Errorf("joins through %s: %w", office, err)
	}
	out := make([]bot.ChannelJoin, len(rows))
	for i, row := range rows {
		out[i] = bot.ChannelJoin{ReferralID: row.ReferralID, UserID: row.UserID, OfficeCode: row.OfficeCode, JoinedAt: time.Time(row.JoinedAt)}
	}
	return out, nil
}

// JoinsToInvite returns the reviewers who joined the referral's channel and are not
// in it yet: the outbox invites them.
func (r reader) JoinsToInvite(ctx context.Context, referralID int64) ([]bot.ChannelJoin, error) {
	return r.joins(ctx, `referral_id = ? AND invited = 0 AND leaving = 0 AND removed_at IS NULL`, referralID)
}

// JoinsToRemove returns the reviewers of the referral's channel who left the office
// they joined through: the outbox removes them.
func (r reader) JoinsToRemove(ctx context.Context, referralID int64) ([]bot.ChannelJoin, error) {
	return r.joins(ctx, `referral_id = ? AND leaving = 1 AND removed_at IS NULL`, referralID)
}

func (r reader) joins(ctx context.Context, where string, args ...any) ([]bot.ChannelJoin, error) {
	var rows []joinRow
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT referral_id, user_id, office_code, joined_at
		FROM channel_joins WHERE `+where+` ORDER BY user_id, office_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("channel joins: %w", err)
	}
	out := make([]bot.ChannelJoin, len(rows))
	for i, row := range rows {
		out[i] = bot.ChannelJoin{ReferralID: row.ReferralID, UserID: row.UserID, OfficeCode: row.OfficeCode, JoinedAt: time.Time(row.JoinedAt)}
	}
	return out, nil
}

// MarkJoinInvited notes that the outbox invited the reviewer.
func (t *tx) MarkJoinInvited(ctx context.Context, j *bot.ChannelJoin) error {
	_, err := t.q.ExecContext(ctx, `UPDATE channel_joins SET invited = 1
		WHERE referral_id = ? AND user_id = ? AND office_code = ?`, j.ReferralID, j.UserID, j.OfficeCode)
	if err != nil {
		return fmt.Errorf("mark %s invited to referral %d: %w", j.UserID, j.ReferralID, err)
	}
	return nil
}

// MarkJoinLeaving notes that the reviewer left the office they joined through: the
// outbox removes them from the channel.
func (t *tx) MarkJoinLeaving(ctx context.Context, j *bot.ChannelJoin) error {
	_, err := t.q.ExecContext(ctx, `UPDATE channel_joins SET leaving = 1
		WHERE referral_id = ? AND user_id = ? AND office_code = ? AND removed_at IS NULL`, j.ReferralID, j.UserID, j.OfficeCode)
	if err != nil {
		return fmt.Errorf("mark %s leaving referral %d: %w", j.UserID, j.ReferralID, err)
	}
	return nil
}
