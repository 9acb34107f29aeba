package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// recommendationRow is a recommendations row.
type recommendationRow struct {
	ID             int64  `db:"id"`
	ReferralID     int64  `db:"referral_id"`
	Outcome        string `db:"outcome"`
	Rationale      string `db:"rationale"`
	Basis          string `db:"basis"`
	Questions      string `db:"questions"`
	RecordedBy     string `db:"recorded_by"`
	RecordedByName string `db:"recorded_by_name"`
	RecordedAt     stamp  `db:"recorded_at"`
	Version        int    `db:"version"`
	Reason         string `db:"amend_reason"`
	SignOff        string `db:"sign_off"`
	SignedBy       string `db:"signed_by"`
	SignedAt       stamp  `db:"signed_at"`
}

const recommendationColumns = `id, referral_id, outcome, rationale, basis, questions, recorded_by, recorded_by_name, recorded_at,
	version, amend_reason, sign_off, signed_by, signed_at`

// Recommendation returns the referral's final recommendation: its newest version
// that is final (not waiting for a supervisor's sign-off).
func (r reader) Recommendation(ctx context.Context, referralID int64) (*bot.Recommendation, error) {
	recs, err := r.recommendations(ctx, `referral_id = ? AND sign_off != 'pending' ORDER BY version DESC LIMIT 1`, referralID)
	if err != nil {
		return nil, fmt.Errorf("recommendation of referral %d: %w", referralID, err)
	}
	if len(recs) == 0 {
		return nil, bot.Errorf(bot.ENOTFOUND, "referral %d has no final recommendation", referralID)
	}
	return recs[0], nil
}

// RecommendationVersions returns every version of the referral's recommendation,
// oldest first, the one waiting for sign-off (if any) included.
func (r reader) RecommendationVersions(ctx context.Context, referralID int64) ([]*bot.Recommendation, error) {
	recs, err := r.recommendations(ctx, `referral_id = ? ORDER BY version`, referralID)
	if err != nil {
		return nil, fmt.Errorf("recommendations of referral %d: %w", referralID, err)
	}
	return recs, nil
}

// SignRecommendation records a supervisor's sign-off on a recommendation waiting
// for it; ECONFLICT when it is not waiting (signed a moment ago).
func (t *tx) SignRecommendation(ctx context.Context, id int64, by string, at time.Time) error {
	res, err := t.q.ExecContext(ctx, `UPDATE recommendations SET sign_off = 'signed', signed_by = ?, signed_at = ?
		WHERE id = ? AND sign_off = 'pending'`, by, stamp(at), id)
	if err != nil {
		return fmt.Errorf("sign recommendation %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sign recommendation %d: %w", id, err)
	} else if n == 0 {
		return bot.Errorf(bot.ECONFLICT, "this recommendation is not waiting for a sign-off")
	}
	// Signed, it is final: the precedent index follows.
	var referralID int64
	if err := queryRow(ctx, t.q, `SELECT referral_id FROM recommendations WHERE id = ?`, id)(&referralID); err != nil {
		return fmt.Errorf("sign recommendation %d: %w", id, err)
	}
	return notePrecedent(ctx, t.q, referralID)
}

// recommendations reads the recommendations the where clause selects, each with
// its provisos (each with its originating office) and dissent, in the order they
// were recorded.
func (r reader) recommendations(ctx context.Context, where string, args ...any) ([]*bot.Recommendation, error) {
	var rows []recommendationRow
	if err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT `+recommendationColumns+` FROM recommendations WHERE `+where, args...); err != nil {
		return nil, err
	}
	recs := make([]*bot.Recommendation, len(rows))
	for i, row := range rows {
		rec := &bot.Recommendation{
			ID: row.ID, ReferralID: row.ReferralID, Outcome: bot.Outcome(row.Outcome),
			Rationale: row.Rationale, Basis: row.Basis, Questions: row.Questions, RecordedBy: row.RecordedBy, RecordedByName: row.RecordedByName,
			RecordedAt: time.Time(row.RecordedAt), Version: row.Version, AmendReason: row.Reason, SignOff: bot.SignOff(row.SignOff),
			SignedBy: row.SignedBy, SignedAt: time.Time(row.SignedAt),
		}
		provisos, err := r.provisos(ctx, "recommendation_id", []int64{rec.ID})
		if err != nil {
			return nil, err
		}
		rec.Provisos = provisos[rec.ID]
		if rec.Treatments, err = r.treatments(ctx, rec.ID); err != nil {
			return nil, err
		}
		err = sqlx.SelectContext(ctx, r.q, &rec.Dissent,
			`SELECT office_code FROM dissents WHERE recommendation_id = ? ORDER BY seq`, rec.ID)
		if err != nil {
			return nil, fmt.Errorf("dissent: %w", err)
		}
		recs[i] = rec
	}
	return recs, nil
}

// CreateRecommendation inserts rec with its provisos and dissent. Provisos without
// an origin are the analyst's own (bot.OfficeDTSA). A zero Version is 1.
func (t *tx) CreateRecommendation(ctx context.Context, rec *bot.Recommendation) error {
	if rec.RecordedAt.IsZero() {
		rec.RecordedAt = t.now
	}
	rec.Version = max(rec.Version, 1)
	res, err := t.q.ExecContext(ctx, `INSERT INTO recommendations
		(referral_id, outcome, rationale, basis, questions, recorded_by, recorded_by_name, recorded_at, version, amend_reason, sign_off, signed_by, signed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.ReferralID, rec.Outcome, rec.Rationale, rec.Basis, rec.Questions, rec.RecordedBy, rec.RecordedByName, stamp(rec.RecordedAt),
		rec.Version, rec.AmendReason, rec.SignOff, rec.SignedBy, stamp(rec.SignedAt))
	switch {
	case isUnique(err):
		return bot.Errorf(bot.ECONFLICT, "this referral already has version %d of its recommendation, or one waiting for sign-off", rec.Version)
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
	for i, tr := range rec.Treatments {
		_, err := t.q.ExecContext(ctx, `INSERT INTO proviso_fates
			(recommendation_id, seq, office_code, number, office_text, fate, dtsa_text, reason, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.ID, i, tr.OfficeCode, tr.Number, tr.OfficeText, tr.Fate, tr.DTSAText, tr.Reason, tr.Code)
		if err != nil {
			return fmt.Errorf("create recommendation on referral %d: fate of %s's proviso %d: %w", rec.ReferralID, tr.OfficeCode, tr.Number, err)
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
	if rec.SignOff == bot.SignOffPending {
		return nil // final, and a precedent, once signed
	}
	return notePrecedent(ctx, t.q, rec.ReferralID)
}

// treatments reads what a recommendation did with each office proviso (with its
// library code, if the office chose it from the library), in order.
func (r reader) treatments(ctx context.Context, recommendationID int64) ([]bot.Treatment, error) {
	var rows []struct {
		OfficeCode string `db:"office_code"`
		Number     int    `db:"number"`
		OfficeText string `db:"office_text"`
		Fate       string `db:"fate"`
		DTSAText   string `db:"dtsa_text"`
		Reason     string `db:"reason"`
		Code       string `db:"code"`
	}
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT office_code, number, office_text, fate, dtsa_text, reason, code
		FROM proviso_fates WHERE recommendation_id = ? ORDER BY seq`, recommendationID)
	if err != nil {
		return nil, fmt.Errorf("proviso fates: %w", err)
	}
	var out []bot.Treatment
	for _, row := range rows {
		out = append(out, bot.Treatment{OfficeCode: row.OfficeCode, Number: row.Number, OfficeText: row.OfficeText,
			Fate: bot.ProvisoFate(row.Fate), DTSAText: row.DTSAText, Reason: row.Reason, Code: row.Code})
	}
	return out, nil
}
