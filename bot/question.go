package bot

// An office's questions (its RWA position) and the answer the analyst records.

import (
	"context"
	"slices"
	"time"
)

// AnswerSource is who answered the offices' questions.
type AnswerSource string

// Who can answer an office's questions (DOMAIN.md: "the question(s) or missing
// information" go to the applicant, through the licensing agency, or to the agency).
const (
	AnswerFromApplicant AnswerSource = "applicant"
	AnswerFromAgency    AnswerSource = "agency"
)

// Label names the source on a referral of agency a: "the applicant" or "BIS".
func (s AnswerSource) Label(a Agency) string {
	if s == AnswerFromAgency {
		return "the licensing agency (" + a.ShortName() + ")"
	}
	return "the applicant"
}

// AnsweredQuestion is one office's questions (an RWA version of its position) that
// an answer answers.
type AnsweredQuestion struct {
	AskID      int64
	PositionID int64
	OfficeCode string
	Version    int
	Questions  string
}

// QuestionAnswer is the applicant's or the licensing agency's answer to the offices'
// questions, as the referral's analyst recorded it.
type QuestionAnswer struct {
	ID         int64
	ReferralID int64
	Source     AnswerSource
	Text       string
	DueDate    time.Time // the offices' new suspense date
	Answered   []AnsweredQuestion
	RecordedBy string
	RecordedAt time.Time
}

// Answers reports whether the answer answers the ask's current position.
func (qa *QuestionAnswer) Answers(a *Ask) bool {
	return a.Current != nil && slices.ContainsFunc(qa.Answered, func(q AnsweredQuestion) bool { return q.PositionID == a.Current.ID })
}

// QuestionsOut reports whether the ask's office has questions out: its current
// position is RWA and no answer is recorded for it yet (recording one asks the
// office again, so the ask awaits a position once more).
func QuestionsOut(a *Ask) bool {
	return a.State == AskAnswered && a.Current != nil && a.Current.Outcome == OutcomeRWA
}

// answerTo returns the answer to the ask's current position (its office's
// questions), nil when there is none.
func (s *Service) answerTo(ctx context.Context, a *Ask) (*QuestionAnswer, error) {
	if a.Current == nil || a.Current.Outcome != OutcomeRWA {
		return nil, nil
	}
	answers, err := s.store.QuestionAnswers(ctx, a.ReferralID)
	if err != nil {
		return nil, err
	}
	for _, qa := range answers {
		if qa.Answers(a) {
			return qa, nil
		}
	}
	return nil, nil
}

// postAnswer posts the answer to an office's questions in its ask's thread.
func (s *Service) postAnswer(ctx context.Context, j *Job) error {
	r, a, err := s.postedAsk(ctx, j)
	if err != nil {
		return err
	}
	qa, err := s.answerTo(ctx, a)
	if err != nil || qa == nil {
		return err // the office answered again meanwhile: its new position says the rest
	}
	_, err = s.slack.PostMessage(ctx, a.Channel(r), AnswerReply(r, a, qa, s.roster))
	return err
}
