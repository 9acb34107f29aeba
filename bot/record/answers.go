package record

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/referralbot/referralbot/bot"
)

// AnswerEntry is an answer to the offices' RWA questions, as the referral's analyst
// recorded it, and the offices it asked again.
type AnswerEntry struct {
	ID         int64  `json:"id"`
	Source     string `json:"source"` // applicant or agency
	SourceName string `json:"source_name"`
	Text       string `json:"text"`
	DueDate    string `json:"due_date"` // the new suspense date of the offices asked again
	RecordedBy string `json:"recorded_by"`
	// RecordedByName is the analyst's Slack name as of the answer (from its event).
	RecordedByName string `json:"recorded_by_name"`
	RecordedAt     string `json:"recorded_at"`
	// Reasked are the offices asked again, each with the RWA version of its
	// position (and the questions) the answer answers.
	Reasked []ReaskEntry `json:"reasked"`
}

// ReaskEntry is one office asked again after its questions were answered.
type ReaskEntry struct {
	Office     string `json:"office"`
	OfficeName string `json:"office_name"`
	Version    int    `json:"version"` // the RWA version answered; the office's next position is a new version
	Questions  string `json:"questions"`
}

func answers(r *bot.Record) []AnswerEntry {
	out := []AnswerEntry{}
	for _, qa := range r.Answers {
		e := AnswerEntry{ID: qa.ID, Source: string(qa.Source), SourceName: qa.Source.Label(r.Referral.Agency), Text: qa.Text,
			DueDate: bot.FormatDate(qa.DueDate), RecordedBy: qa.RecordedBy, RecordedAt: instant(qa.RecordedAt), Reasked: []ReaskEntry{}}
		for _, q := range qa.Answered {
			e.Reasked = append(e.Reasked, ReaskEntry{Office: q.OfficeCode, OfficeName: r.Roster.OfficeName(q.OfficeCode),
				Version: q.Version, Questions: q.Questions})
		}
		for _, ev := range r.Events {
			if ev.Kind == "questions.answered" && ev.Actor == qa.RecordedBy && ev.At.Equal(qa.RecordedAt) {
				e.RecordedByName = ev.ActorName
			}
		}
		out = append(out, e)
	}
	return out
}

// writeAnswers writes the answers to the offices' questions and who was asked again.
func writeAnswers(b *strings.Builder, answers []AnswerEntry) {
	b.WriteString("\n## Answers to the offices' questions\n\n")
	if len(answers) == 0 {
		b.WriteString("None.\n")
	}
	for _, a := range answers {
		var asked []string
		for _, q := range a.Reasked {
			asked = append(asked, fmt.Sprintf("%s (questions of v%d)", mdText(q.OfficeName), q.Version))
		}
		fmt.Fprintf(b, "- %s — %s recorded the answer from %s: %s\n  Asked again, due %s: %s.\n", mdTime(a.RecordedAt), person(a.RecordedBy, a.RecordedByName),
			mdText(a.SourceName), mdBlock(a.Text, "  "), a.DueDate, strings.Join(asked, ", "))
	}
}

// answerRows are the CSV rows of the answers (see CSVHeader).
func answerRows(answers []AnswerEntry) []csvRow {
	var rows []csvRow
	for _, a := range answers {
		id := strconv.FormatInt(a.ID, 10)
		rows = append(rows, csvRow{section: "answer", id: id, at: a.RecordedAt, actor: a.RecordedBy, kind: a.Source, text: a.Text, to: a.DueDate})
		for _, q := range a.Reasked {
			rows = append(rows, csvRow{section: "reasked", id: id, office: q.Office, version: strconv.Itoa(q.Version), at: a.RecordedAt,
				text: q.Questions, to: a.DueDate})
		}
	}
	return rows
}

// questionClockWords words the changes of the offices' clock that questions out
// caused, and the analyst's hold ending while they kept it stopped.
func questionClockWords(c DueChange) (string, bool) {
	switch {
	case c.Kind == "clock.hold_released":
		return fmt.Sprintf("%s ended their hold; the offices' suspense clock stays stopped while offices' questions are out.", person(c.By, c.ByName)), true
	case c.Kind == "clock.held" && c.Cause == "questions":
		return fmt.Sprintf("%s returned the referral without action: questions out, the offices' suspense clock stopped (no reminders).", person(c.By, c.ByName)), true
	case c.Kind == "clock.resumed" && c.Cause == "answer":
		return fmt.Sprintf("%s recorded the answer to the offices' questions: the offices' suspense clock restarted after %d business day(s) stopped; due dates set before it stopped moved by as much (DoD due %s, unmoved).",
			person(c.By, c.ByName), c.BusinessDaysHeld, c.To), true
	case c.Kind == "clock.resumed" && c.Cause == "questions":
		return fmt.Sprintf("%s left no office's questions out (a position changed, or an ask was withdrawn): the offices' suspense clock restarted after %d business day(s) stopped; due dates set before it stopped moved by as much (DoD due %s, unmoved).",
			person(c.By, c.ByName), c.BusinessDaysHeld, c.To), true
	}
	return "", false
}
