package bot

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// The RWA loop's surfaces: the Record the answer button on an ask whose office's
// questions are out, the answer modal, the ask asked again, its thread reply, and
// the questions a final Return without action carries.
const (
	// ActionRecordAnswer, on an ask whose office's questions are out, opens the
	// answer modal for the referral's analyst; its value is the referral id.
	ActionRecordAnswer = "record_answer"
	// CallbackAnswerQuestions identifies the modal where the analyst records the
	// applicant's or agency's answer to the offices' questions.
	CallbackAnswerQuestions = "answer_questions"
	// FieldRecQuestions is the recommendation modal's input for the questions a
	// final Return without action carries.
	FieldRecQuestions = "rec_questions"
)

// AnswerMeta is the private metadata of the answer modal.
type AnswerMeta struct {
	ReferralID int64   `json:"referral"`
	Positions  []int64 `json:"positions"` // the RWA versions shown (AnswerInput.Positions)
}

// AnswerModal shows the questions out on a referral, office by office, and takes
// the answer: who gave it, what it says, and the offices' new suspense date (due
// prefilled with ReaskDue).
func AnswerModal(t *Tally, out []*Ask, roster *Roster, due string, reaskDays int) slack.ModalViewRequest {
	r := t.Referral
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* · %s · DoD due *%s*", esc(caseTitle(r)), esc(r.Applicant), FormatDate(r.DoDDueDate))), nil, nil),
		slack.NewDividerBlock(),
	}
	meta := AnswerMeta{ReferralID: r.ID}
	for _, a := range out {
		meta.Positions = append(meta.Positions, a.Current.ID)
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(fmt.Sprintf("*%s* — questions (v%d, <@%s>, %s):\n%s",
			esc(roster.OfficeName(a.OfficeCode)), a.Current.Version, a.Current.AnsweredBy, SlackTime(a.Current.AnsweredAt),
			esc(a.Current.Questions)), maxSectionText)), nil, nil))
	}
	applicant := slack.NewOptionBlockObject(string(AnswerFromApplicant), plain("The applicant"), nil)
	agency := slack.NewOptionBlockObject(string(AnswerFromAgency), plain("The licensing agency ("+r.Agency.ShortName()+")"), nil)
	source := slack.NewRadioButtonsBlockElement(InputAction, applicant, agency)
	source.InitialOption = applicant
	picker := slack.NewDatePickerBlockElement(InputAction)
	picker.InitialDate = due
	blocks = append(blocks,
		slack.NewDividerBlock(),
		slack.NewInputBlock(FieldAnswerSource, plain("Answered by"), nil, source),
		textInput(FieldAnswerText, "Answer", "It goes to every office above, in its ask's thread, and into the record.", "", MaxLongText, true, false, ""),
		slack.NewInputBlock(FieldAnswerDue, plain("Offices' new suspense date"), plain(fmt.Sprintf(
			"The offices above are asked again, due this day: by default %d business days from today, never past the DoD due date.", reaskDays)), picker),
		slack.NewContextBlock("", mrkdwn("The offices' suspense clock, stopped while the questions were out, starts again (unless you hold the referral). The DoD due date never moved.")),
	)
	raw, _ := json.Marshal(meta)
	return modal(CallbackAnswerQuestions, "Answer the questions", "Ask again", string(raw), blocks)
}

// recordAnswerBlocks is what an ask whose office's questions are out shows the
// referral's analyst: the button to record the answer.
func recordAnswerBlocks(r *Referral) []slack.Block {
	return []slack.Block{
		slack.NewContextBlock("", mrkdwn(fmt.Sprintf(
			":double_vertical_bar: Questions out: the offices' suspense clock is stopped. When the applicant or %s answers, the analyst <@%s> records it here and the office is asked again.",
			r.Agency.ShortName(), r.AnalystID))),
		slack.NewActionBlock("rwa_"+strconv.FormatInt(r.ID, 10),
			slack.NewButtonBlockElement(ActionRecordAnswer, strconv.FormatInt(r.ID, 10), plain("Record the answer"))),
	}
}

// answeredBlock shows, on an ask asked again, the answer to its office's questions.
func answeredBlock(r *Referral, qa *QuestionAnswer) slack.Block {
	return slack.NewSectionBlock(mrkdwn(truncate(fmt.Sprintf(
		":leftwards_arrow_with_hook: *Asked again* — %s answered the questions (recorded by <@%s>, %s); your position is requested again by *%s*:\n%s",
		qa.Source.Title(r.Agency), qa.RecordedBy, SlackTime(qa.RecordedAt), FormatDate(qa.DueDate),
		quote(qa.Text)), maxSectionText)), nil, nil)
}

// Title is Label as a sentence begins: "The applicant".
func (s AnswerSource) Title(a Agency) string {
	l := s.Label(a)
	return strings.ToUpper(l[:1]) + l[1:]
}

// quote sets user text as a mrkdwn quote, escaped.
func quote(s string) string {
	return "> " + strings.ReplaceAll(esc(s), "\n", "\n> ")
}

// WithQuestions adds the RWA loop to an ask message: the Record the answer button
// while its office's questions are out, and the answer (qa, nil for none) once the
// office is asked again.
func WithQuestions(m Message, r *Referral, a *Ask, qa *QuestionAnswer, roster *Roster) Message {
	if qa != nil && a.State == AskAwaiting && qa.Answers(a) {
		at := len(m.Blocks)
		for i, b := range m.Blocks {
			if _, ok := b.(*slack.ActionBlock); ok {
				at = i
				break
			}
		}
		m.Blocks = append(m.Blocks[:at], append([]slack.Block{answeredBlock(r, qa)}, m.Blocks[at:]...)...)
		m.Text = fmt.Sprintf("%s: asked again on %s, due %s", roster.OfficeName(a.OfficeCode), r.CaseNumber, FormatDate(a.DueDate))
	}
	if QuestionsOut(a) {
		m.Blocks = append(m.Blocks, recordAnswerBlocks(r)...)
	}
	return m
}

// AnswerReply posts the answer in the ask's thread, so the office that asked reads
// it where it asked. An office with no queue has its user group mentioned.
func AnswerReply(r *Referral, a *Ask, qa *QuestionAnswer, roster *Roster) Message {
	office, _ := roster.Office(a.OfficeCode)
	who := "*" + esc(roster.OfficeName(a.OfficeCode)) + "*"
	if office.UserGroup != "" && !office.HasQueue() {
		who = fmt.Sprintf("<!subteam^%s> (%s)", office.UserGroup, who)
	}
	var asked string
	for _, q := range qa.Answered {
		if q.AskID == a.ID {
			asked = fmt.Sprintf(" (v%d)", q.Version)
		}
	}
	text := fmt.Sprintf(":leftwards_arrow_with_hook: %s: %s answered your questions%s on *%s*. Your position is requested again by *%s*; it will be a new version, and the earlier ones are kept.\n%s",
		who, qa.Source.Title(r.Agency), asked, esc(r.CaseNumber), FormatDate(qa.DueDate), quote(qa.Text))
	return Message{
		Text:     fmt.Sprintf("%s: the answer to your questions on %s; asked again, due %s", roster.OfficeName(a.OfficeCode), r.CaseNumber, FormatDate(qa.DueDate)),
		Blocks:   []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(text, maxSectionText)), nil, nil)},
		Key:      fmt.Sprintf("answer:%d:%d", qa.ID, a.ID),
		ThreadTS: a.MessageTS,
	}
}

// OfficeQuestions are the questions of every office whose current position is
// RWA, one paragraph per office: what a final Return without action carries.
func OfficeQuestions(asks []*Ask, roster *Roster) string {
	var parts []string
	for _, a := range asks {
		if a.State != AskWithdrawn && a.Current != nil && a.Current.Outcome == OutcomeRWA && a.Current.Questions != "" {
			parts = append(parts, roster.OfficeName(a.OfficeCode)+": "+a.Current.Questions)
		}
	}
	return strings.Join(parts, "\n\n")
}

// recQuestionsInput is the recommendation modal's questions field, prefilled with
// the offices' questions.
func recQuestionsInput(t *Tally, roster *Roster) *slack.InputBlock {
	return textInput(FieldRecQuestions, "Questions (Return without action)",
		"Kept only with Return without action: the questions or missing information that go back to the applicant. Prefilled with the offices' questions.",
		"", MaxLongText, true, true, OfficeQuestions(t.Asks, roster))
}

// recQuestionsBlock shows a final Return without action's questions.
func recQuestionsBlock(rec *Recommendation) []slack.Block {
	if rec.Questions == "" {
		return nil
	}
	return []slack.Block{slack.NewSectionBlock(mrkdwn(truncate("*Questions for the applicant:*\n"+esc(rec.Questions), maxSectionText)), nil, nil)}
}

// holdNote is the summary's line while the offices' suspense clock is stopped.
func holdNote(t *Tally, roster *Roster) string {
	if q := questionOffices(roster, t.Asks); q != "" {
		note := fmt.Sprintf(":double_vertical_bar: *Questions out* (%s) since %s: the offices' suspense clock is stopped and no reminders go out until the analyst records the answer. The DoD due date does not stop.",
			esc(q), SlackTime(t.Referral.HeldSince))
		if t.Referral.ManualHold {
			note += " The analyst also holds the referral: it stays on hold after the answer until `/referral resume`."
		}
		return note
	}
	return fmt.Sprintf(":double_vertical_bar: *On hold* since %s: no reminders; the offices' suspense dates move by the business days held when it resumes. The DoD due date does not stop.",
		SlackTime(t.Referral.HeldSince))
}

// askedAgainNote marks, in the summary, an office asked again after its questions
// were answered: it owes a new version of its position.
func askedAgainNote(a *Ask) string {
	if a.State == AskAwaiting && a.Current != nil {
		return " · *asked again*"
	}
	return ""
}
