package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// recommendationRow is a recommendations row.
type recommendationRow struct {
	ID         int64  `db:"id"`
	ReferralID int64  `db:"referral_id"`
	Outcome    string `db:"outcome"`
	Rationale  string `db:"rationale"`
	Basis      string `db:"basis"`
	Questions  string `db:"questions"`
	RecordedBy string `db:"recorded_by"`
	RecordedAt stamp  `db:"recorded_at"`
}

// Recommendation returns the referral's final recommendation with its provisos
// (each with its originating office) and dissent, in the order they were recorded.
func (r reader) Recommendation(ctx context.Context, referralID int64) (*bot.Recommendation, error) {
	var row recommendationRow
	err := sqlx.GetContext(ctx, r.q, &row, `SELECT id, referral_id, outcome, rationale, basis, questions, recorded_by, recorded_at
		FROM recommendations WHERE referral_id = ?`, referralID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bot.Errorf(bot.ENOTFOUND, "referral %d has no final recommendation", referralID)
	} else if err != nil {
		return nil, fmt.Errorf("recommendation of referral %d: %w", referralID, err)
	}
	rec := &bot.Recommendation{
		ID: row.ID, ReferralID: row.ReferralID, Outcome: bot.Outcome(row.Outcome),
		Rationale: row.Rationale, Basis: row.Basis, Questions: row.Questions, RecordedBy: row.RecordedBy, RecordedAt: time.Time(row.RecordedAt),
	}
	provisos, err := r.provisos(ctx, "recommendation_id", []int64{rec.ID})
	if err != nil {
		return nil, fmt.Errorf("recommendation of referral %d: %w", referralID, err)
	}
	rec.Provisos = provisos[rec.ID]
	err = sqlx.SelectContext(ctx, r.q, &rec.Dissent,
		`SELECT office_code FROM dissents WHERE recommendation_id = ? ORDER BY seq`, rec.ID)
	if err != nil {
		return nil, fmt.Errorf("recommendation of referral %d: dissent: %w", referralID, err)
	}
	return rec, nil
}

// CreateRecommendation inserts rec with its provisos and dissent. Provisos without
// an origin are the analyst's own (bot.OfficeDTSA).
func (t *tx) CreateRecommendation(ctx context.Context, rec *bot.Recommendation) error {
	if rec.RecordedAt.IsZero() {
		rec.RecordedAt = t.now
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO recommendations
		(referral_id, outcome, rationale, basis, questions, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		rec.ReferralID, rec.Outcome, rec.Rationale, rec.Basis, rec.Questions, rec.RecordedBy, stamp(rec.RecordedAt))
	switch {
	case isUnique(err):
		return bot.Errorf(bot.ECONFLICT, "this referral already has its final recommendation")
	case isForeignKey(err):
		return notFound("referral", rec.ReferralID)
	case err != nil:
		return fmt.Errorf("create recommendation on referral %d: %w", rec.ReferralID, err)
	}
	if rec.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create recommendation on referral %d: %w", rec.ReferralID, err)
	}
	for i := range rec.Provisos {
		pv := &rec.Provisos[i]
		if pv.OfficeCode == "" {
			pv.OfficeCode = bot.OfficeDTSA
		}
		if err := t.createProviso(ctx, "recommendation_id", rec.ID, i, pv); err != nil {
			return fmt.Errorf("create recommendation on referral %d: %w", rec.ReferralID, err)
		}
	}
	for i, office := range rec.Dissent {
		_, err := t.q.ExecContext(ctx, `INSERT INTO dissents (recommendation_id, seq, office_code) VALUES (?, ?, ?)`,
			rec.ID, i, office)
		if isUnique(err) {
			return bot.Errorf(bot.ECONFLICT, "%s is listed twice in the dissent", office)
		} else if err != nil {
			return fmt.Errorf("create recommendation on referral %d: dissent %s: %w", rec.ReferralID, office, err)
		}
	}
	return nil
}
