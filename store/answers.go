package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// answerRow is an rwa_answers row joined with one question it answered (the RWA
// version of an office's position).
type answerRow struct {
	ID         int64  `db:"id"`
	ReferralID int64  `db:"referral_id"`
	Source     string `db:"source"`
	Text       string `db:"text"`
	DueDate    date   `db:"due_date"`
	RecordedBy string `db:"recorded_by"`
	RecordedAt stamp  `db:"recorded_at"`
	AskID      int64  `db:"ask_id"`
	PositionID int64  `db:"position_id"`
	OfficeCode string `db:"office_code"`
	Version    int    `db:"version"`
	Questions  string `db:"questions"`
}

// QuestionAnswers returns the answers recorded to the referral's RWA questions,
// oldest first, each with the questions it answered in the order the offices were asked.
func (r reader) QuestionAnswers(ctx context.Context, referralID int64) ([]*bot.QuestionAnswer, error) {
	var rows []answerRow
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT w.id, w.referral_id, w.source, w.text, w.due_date,
		w.recorded_by, w.recorded_at, q.ask_id, q.position_id, p.office_code, p.version, p.questions
		FROM rwa_answers w JOIN rwa_answered q ON q.answer_id = w.id JOIN positions p ON p.id = q.position_id
		WHERE w.referral_id = ? ORDER BY w.id, q.ask_id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("answers to questions on referral %d: %w", referralID, err)
	}
	var out []*bot.QuestionAnswer
	for _, row := range rows {
		if len(out) == 0 || out[len(out)-1].ID != row.ID {
			out = append(out, &bot.QuestionAnswer{ID: row.ID, ReferralID: row.ReferralID, Source: bot.AnswerSource(row.Source),
				Text: row.Text, DueDate: time.Time(row.DueDate), RecordedBy: row.RecordedBy, RecordedAt: time.Time(row.RecordedAt)})
		}
		qa := out[len(out)-1]
		qa.Answered = append(qa.Answered, bot.AnsweredQuestion{AskID: row.AskID, PositionID: row.PositionID,
			OfficeCode: row.OfficeCode, Version: row.Version, Questions: row.Questions})
	}
	return out, nil
}

// CreateQuestionAnswer inserts qa with the questions it answers and sets its ID,
// defaulting RecordedAt to now. A question answered already is ECONFLICT.
func (t *tx) CreateQuestionAnswer(ctx context.Context, qa *bot.QuestionAnswer) error {
	if qa.RecordedAt.IsZero() {
		qa.RecordedAt = t.now
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO rwa_answers (referral_id, source, text, due_date, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?)`, qa.ReferralID, qa.Source, qa.Text, date(qa.DueDate), qa.RecordedBy, stamp(qa.RecordedAt))
	switch {
	case isForeignKey(err):
		return notFound("referral", qa.ReferralID)
	case err != nil:
		return fmt.Errorf("create answer on referral %d: %w", qa.ReferralID, err)
	}
	if qa.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create answer on referral %d: %w", qa.ReferralID, err)
	}
	for _, q := range qa.Answered {
		_, err := t.q.ExecContext(ctx, `INSERT INTO rwa_answered (answer_id, ask_id, position_id) VALUES (?, ?, ?)`,
			qa.ID, q.AskID, q.PositionID)
		switch {
		case isUnique(err):
			return bot.Errorf(bot.ECONFLICT, "the questions of %s (v%d) are answered already", q.OfficeCode, q.Version)
		case isForeignKey(err):
			return notFound("position", q.PositionID)
		case err != nil:
			return fmt.Errorf("create answer on referral %d: %w", qa.ReferralID, err)
		}
	}
	return nil
}
