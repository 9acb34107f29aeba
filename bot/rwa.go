package bot

// The RWA loop. An office that returns a referral without action (RWA) asks
// questions of the applicant or the licensing agency. While any office's questions
// are out, the offices' suspense clock is stopped (no reminders); the DoD due date
// runs on. The referral's analyst records the answer; the offices that asked are
// asked again, in the same ask, with the answer and a new suspense date, and their
// next position is a new version.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Field names of the answer modal (also its input block ids).
const (
	FieldAnswerSource = "answer_source"
	FieldAnswerText   = "answer_text"
	FieldAnswerDue    = "answer_due"
)

// AnswerInput is what the analyst submits in the answer modal.
type AnswerInput struct {
	Source string
	Text   string
	Due    string // YYYY-MM-DD; "" takes the default (ReaskDue)
	// Positions are the RWA versions the form showed; the answer is refused when
	// the questions out changed meanwhile, so nobody answers questions unseen.
	Positions []int64
}

// ReaskDue is the default new suspense date for offices asked again today:
// REASK_BUSINESS_DAYS business days from today, but never past the last business
// day on or before the DoD due date (nor before today).
func (s *Service) ReaskDue(r *Referral) time.Time {
	today := s.Today()
	due := s.rules.AddBusinessDays(today, s.rules.Defaults.ReaskBusinessDays)
	if last := s.rules.BusinessDayOnOrBefore(r.DoDDueDate); due.After(last) {
		due = last
	}
	if due.Before(today) {
		due = today
	}
	return due
}

// CheckQuestions tells whether actor may record an answer to the offices' questions
// on the referral now. Only the referral's own analyst may. It returns the tally and
// the asks whose questions are out.
func (s *Service) CheckQuestions(ctx context.Context, actor string, referralID int64) (*Tally, []*Ask, error) {
	t, err := s.Tally(ctx, referralID)
	if err != nil {
		return nil, nil, err
	}
	r := t.Referral
	if actor != r.AnalystID {
		return nil, nil, Errorf(EFORBIDDEN, "Only the referral's analyst, <@%s>, records the answer to the offices' questions on %s. Nothing was recorded.", r.AnalystID, r.CaseNumber)
	}
	if r.State != ReferralOpen {
		return nil, nil, Errorf(ECLOSED, "The final recommendation on %s is recorded; the offices can no longer be asked again.", r.CaseNumber)
	}
	var out []*Ask
	for _, a := range t.Asks {
		if QuestionsOut(a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, nil, Errorf(EINVALID, "No office has questions out on %s: an office returns the referral without action (RWA) with its questions first, and then you record the answer.", r.CaseNumber)
	}
	return t, out, nil
}

// answer validates the input against the referral; Fields are keyed by input name.
func (in AnswerInput) answer(s *Service, r *Referral) (*QuestionAnswer, error) {
	p := map[string]string{}
	qa := &QuestionAnswer{ReferralID: r.ID, Source: AnswerSource(in.Source)}
	if qa.Source != AnswerFromApplicant && qa.Source != AnswerFromAgency {
		p[FieldAnswerSource] = "Say who answered: the applicant or the licensing agency."
	}
	qa.Text = checkText(p, FieldAnswerText, strings.TrimSpace(in.Text), "the answer", true, MaxLongText, true)
	qa.DueDate = s.ReaskDue(r)
	if d := strings.TrimSpace(in.Due); d != "" {
		due, err := ParseDate(d)
		switch {
		case err != nil:
			p[FieldAnswerDue] = fmt.Sprintf("%q is not a date like 2026-12-18.", d)
		case SuspenseProblem(due, r.DoDDueDate, s.Today()) != "":
			p[FieldAnswerDue] = SuspenseProblem(due, r.DoDDueDate, s.Today())
		default:
			qa.DueDate = due
		}
	}
	if len(p) > 0 {
		return nil, Invalid(p)
	}
	return qa, nil
}

// RecordAnswer records the answer to the offices' questions and asks the offices
// that asked again: each ask awaits a new version of its office's position, due on
// the new suspense date, its message updated and the answer posted in its thread.
// The offices' clock, stopped while the questions were out, restarts unless the
// analyst holds the referral. A second submission of the same form returns the
// answer already recorded.
func (s *Service) RecordAnswer(ctx context.Context, actor string, referralID int64, in AnswerInput) (*QuestionAnswer, error) {
	if again, err := s.answeredAlready(ctx, referralID, in.Positions); err != nil {
		return nil, err
	} else if again != nil && again.RecordedBy == actor {
		return again, nil // a double submission: the first one recorded it
	}
	t, _, err := s.CheckQuestions(ctx, actor, referralID)
	if err != nil {
		return nil, err
	}
	qa, err := in.answer(s, t.Referral)
	if err != nil {
		return nil, err
	}
	qa.RecordedBy, qa.RecordedAt = actor, s.now().UTC()
	var reasked, restarted []*Ask
	err = s.store.Update(ctx, func(tx Tx) error {
		reasked, restarted, qa.Answered = nil, nil, nil
		ref, err := tx.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		if ref.State != ReferralOpen {
			return Errorf(ECLOSED, "The final recommendation on %s was recorded a moment ago; nothing was recorded.", ref.CaseNumber)
		}
		asks, err := tx.Asks(ctx, referralID)
		if err != nil {
			return err
		}
		var shown []int64
		for _, a := range asks {
			if !QuestionsOut(a) {
				continue
			}
			shown = append(shown, a.Current.ID)
			qa.Answered = append(qa.Answered, AnsweredQuestion{AskID: a.ID, PositionID: a.Current.ID,
				OfficeCode: a.OfficeCode, Version: a.Current.Version, Questions: a.Current.Questions})
			a.State, a.DueDate, a.DueSetAt, a.SnoozedUntil = AskAwaiting, qa.DueDate, qa.RecordedAt, time.Time{}
			if err := tx.UpdateAsk(ctx, a); err != nil {
				return err
			}
			reasked = append(reasked, a)
		}
		if in.Positions != nil && !sameIDs(shown, in.Positions) {
			return Errorf(ECONFLICT, "Meanwhile the questions out on %s changed (an office returned it without action, or changed its position). Nothing was recorded: open the form again to see them.", ref.CaseNumber)
		}
		if len(reasked) == 0 {
			return Errorf(EINVALID, "No office has questions out on %s any more. Nothing was recorded.", ref.CaseNumber)
		}
		if err := tx.CreateQuestionAnswer(ctx, qa); err != nil {
			return err
		}
		var offices []string
		for _, q := range qa.Answered {
			offices = append(offices, q.OfficeCode)
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "questions.answered", map[string]any{
			"answer": qa.ID, "source": qa.Source, "text": qa.Text, "offices": offices, "due": FormatDate(qa.DueDate),
		})); err != nil {
			return err
		}
		// The answer goes in each re-asked office's thread; one refresh redraws their
		// asks, the summary and the referral's Home tabs (ask 0), the same refresh
		// the clock's restart marks below.
		var jobs []*Job
		redraw := []int64{0}
		for _, a := range reasked {
			jobs = append(jobs, &Job{Kind: JobPostAnswer, ReferralID: ref.ID, AskID: a.ID})
			redraw = append(redraw, a.ID)
		}
		if err := s.enqueue(ctx, tx, jobs...); err != nil {
			return err
		}
		if err := s.refresh(ctx, tx, ref.ID, redraw...); err != nil {
			return err
		}
		_, restarted, err = s.syncQuestionsHold(ctx, tx, actor, "answer", ref, asks)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record the answer on referral %d: %w", referralID, err)
	}
	s.scheduleAsks(ctx, restarted) // empty while the analyst's own hold goes on
	s.Kick()
	return qa, nil
}

// answeredAlready returns the answer that answered every one of the positions, or
// nil: what a repeated submission of the same form finds.
func (s *Service) answeredAlready(ctx context.Context, referralID int64, positions []int64) (*QuestionAnswer, error) {
	if len(positions) == 0 {
		return nil, nil
	}
	answers, err := s.store.QuestionAnswers(ctx, referralID)
	if err != nil {
		return nil, err
	}
	for _, qa := range answers {
		var ids []int64
		for _, q := range qa.Answered {
			ids = append(ids, q.PositionID)
		}
		if sameIDs(ids, positions) {
			return qa, nil
		}
	}
	return nil, nil
}

func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// ReaskBusinessDays is REASK_BUSINESS_DAYS: how many business days the offices
// asked again get by default.
func (s *Service) ReaskBusinessDays() int { return s.rules.Defaults.ReaskBusinessDays }
