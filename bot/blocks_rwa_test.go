package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// rwaTally is sampleTally with Technology's questions out: it returned the
// referral without action, and the offices' clock stopped.
func rwaTally() *bot.Tally {
	t := sampleTally()
	t.Referral.HeldSince = answeredAt
	tech := t.Asks[3]
	tech.State, tech.MessageTS = bot.AskAnswered, "1764255600.000400"
	tech.Current = &bot.Position{ID: 40, AskID: 4, OfficeCode: "technology", Outcome: bot.OutcomeRWA, Version: 1,
		Questions: "What is the detector's pixel pitch?\nIs the <Inc> subsidiary a consignee?", AnsweredBy: "UTECH1", AnsweredAt: answeredAt}
	return t
}

// rwaAnswer answers Technology's questions: it is asked again, due 2026-12-08.
func rwaAnswer() *bot.QuestionAnswer {
	return &bot.QuestionAnswer{ID: 3, ReferralID: 7, Source: bot.AnswerFromApplicant,
		Text: "17 µm.\nNo: the subsidiary <Inc> only invoices.", DueDate: day(2026, 12, 8),
		Answered:   []bot.AnsweredQuestion{{AskID: 4, PositionID: 40, OfficeCode: "technology", Version: 1, Questions: "What is the detector's pixel pitch?"}},
		RecordedBy: "UANALYST", RecordedAt: answeredAt.Add(48 * time.Hour)}
}

// TestRWAGolden renders the RWA loop's screens: the ask with questions out (and
// its Record the answer button), the summary while they are out, the answer
// modal, the ask asked again and its thread reply, and a final Return without
// action with the offices' questions, in the modal's prefill and in the post.
func TestRWAGolden(t *testing.T) {
	ro := roster()
	out := rwaTally()
	r, tech := out.Referral, out.Asks[3]
	golden(t, "ask_questions_out", bot.WithQuestions(bot.AskMessage(r, tech, ro), r, tech, nil, ro))
	golden(t, "summary_questions_out", bot.SummaryMessage(out, ro).Blocks)
	golden(t, "modal_answer_questions", bot.AnswerModal(out, []*bot.Ask{tech}, ro, "2026-12-08", 5))
	golden(t, "modal_recommendation_rwa", bot.RecommendationModal(out, ro))

	asked := rwaTally()
	asked.Referral.HeldSince = time.Time{}
	again := asked.Asks[3]
	again.State, again.DueDate = bot.AskAwaiting, day(2026, 12, 8)
	golden(t, "ask_reasked", bot.WithQuestions(bot.AskMessage(asked.Referral, again, ro), asked.Referral, again, rwaAnswer(), ro))
	golden(t, "answer_reply", bot.AnswerReply(asked.Referral, again, rwaAnswer(), ro))

	final := withRecommendation(rwaTally())
	final.Recommendation.Outcome, final.Recommendation.Provisos = bot.OutcomeRWA, nil
	final.Recommendation.Rationale = "The applicant must answer Technology's questions before DoD can decide."
	final.Recommendation.Questions = bot.OfficeQuestions(final.Asks, ro)
	golden(t, "final_rwa", bot.FinalMessage(final, ro).Blocks)
}

// The questions a final Return without action carries by default: every office
// whose current position is RWA, not a withdrawn one.
func TestOfficeQuestions(t *testing.T) {
	ro := roster()
	tt := rwaTally()
	if got, want := bot.OfficeQuestions(tt.Asks, ro), "DTSA Technology: What is the detector's pixel pitch?\nIs the <Inc> subsidiary a consignee?"; got != want {
		t.Errorf("OfficeQuestions = %q; want %q", got, want)
	}
	tt.Asks[3].State = bot.AskWithdrawn
	if got := bot.OfficeQuestions(tt.Asks, ro); got != "" {
		t.Errorf("OfficeQuestions with the ask withdrawn = %q; want none", got)
	}
}

// The RWA screens keep to Block Kit's limits with the longest texts the forms
// accept, every office's questions out at once.
func TestRWAScreensFitBlockKitLimits(t *testing.T) {
	ro := roster()
	tt := largestTally(ro)
	long := strings.Repeat("<q> ", bot.MaxLongText/4)
	var out []*bot.Ask
	for i, a := range tt.Asks {
		a.State, a.MessageTS = bot.AskAnswered, "1764255600.000100"
		a.Current = &bot.Position{ID: int64(100 + i), AskID: a.ID, OfficeCode: a.OfficeCode, Outcome: bot.OutcomeRWA, Version: 9,
			Questions: long, AnsweredBy: "UREVIEWER", AnsweredAt: answeredAt}
		out = append(out, a)
	}
	tt.Referral.HeldSince = answeredAt
	qa := rwaAnswer()
	qa.Text = long
	for _, a := range out {
		qa.Answered = append(qa.Answered, bot.AnsweredQuestion{AskID: a.ID, PositionID: a.Current.ID, OfficeCode: a.OfficeCode, Version: 9, Questions: long})
	}
	messages := map[string]bot.Message{"summary": bot.SummaryMessage(tt, ro)}
	for _, a := range out {
		messages["questions out "+a.OfficeCode] = bot.WithQuestions(bot.OfficeAskMessage(tt.Referral, a, queueRoster()), tt.Referral, a, nil, ro)
		again := *a
		again.State = bot.AskAwaiting
		messages["asked again "+a.OfficeCode] = bot.WithQuestions(bot.OfficeAskMessage(tt.Referral, &again, queueRoster()), tt.Referral, &again, qa, ro)
		messages["reply "+a.OfficeCode] = bot.AnswerReply(tt.Referral, &again, qa, ro)
	}
	final := *tt
	final.Recommendation = &bot.Recommendation{Outcome: bot.OutcomeRWA, Rationale: long, Questions: bot.OfficeQuestions(tt.Asks, ro), RecordedBy: "UANALYST", RecordedAt: answeredAt}
	messages["final"] = bot.FinalMessage(&final, ro)
	for name, m := range messages {
		raw, _ := json.Marshal(m.Blocks)
		if problems := slackfake.ValidateMessageBlocks(raw); len(problems) > 0 {
			t.Errorf("%s breaks Block Kit limits: %v", name, problems)
		}
	}
	for name, v := range map[string]slack.ModalViewRequest{
		"answer":         bot.AnswerModal(tt, out, ro, "2026-12-08", 5),
		"recommendation": bot.RecommendationModal(tt, ro),
	} {
		raw, _ := json.Marshal(v)
		if problems := slackfake.ValidateView(raw); len(problems) > 0 {
			t.Errorf("%s modal breaks Block Kit limits: %v", name, problems)
		}
	}
}
