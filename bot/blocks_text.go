package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Identifiers the bot's Slack surfaces carry, shared by rendering and handlers.
const (
	// ActionAnswerPrefix + outcome is the action_id of each answer button; the value is the ask id.
	ActionAnswerPrefix = "answer_"
	// ActionAnswerFromHome is the Answer button of an ask on the Home tab; its value is
	// the ask's, as on the answer buttons.
	ActionAnswerFromHome = "home_answer"
	// CallbackAnswerChoice identifies the modal, opened from the Home tab, where a
	// reviewer picks the office's position.
	CallbackAnswerChoice = "answer_choice"
	// CallbackOpenReferral identifies the "New referral" modal.
	CallbackOpenReferral = "referral_new"
	// CallbackPosition identifies the modal for provisos (conditions), questions or reasons.
	CallbackPosition = "position"
	// CallbackRecommendation identifies the final recommendation modal.
	CallbackRecommendation = "recommendation"
	// InputAction is the action_id of every input element; block ids name the field.
	InputAction = "value"
)

// Block Kit limits (SLACK.md) the renderers keep to.
const (
	maxSectionText = 3000
	maxFieldText   = 2000
	maxHeaderText  = 150
	maxTopic       = 250

	// A confirm dialog's title, text, and confirm and deny buttons.
	maxConfirmTitle  = 100
	maxConfirmText   = 300
	maxConfirmButton = 30
)

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// confirmDialog is the Block Kit confirm object: Slack asks "are you sure?" before
// the click reaches the bot. Every part is plain text.
func confirmDialog(title, text, confirm, deny string) *slack.ConfirmationBlockObject {
	return slack.NewConfirmationBlockObject(plain(truncate(title, maxConfirmTitle)), plain(truncate(text, maxConfirmText)),
		plain(truncate(confirm, maxConfirmButton)), plain(truncate(deny, maxConfirmButton)))
}

// esc escapes user text for mrkdwn, as Slack requires for &, < and >.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate cuts s to at most n characters, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// sections splits lines into as few section blocks as fit Slack's text limit.
func sections(lines []string) []slack.Block {
	var out []slack.Block
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, slack.NewSectionBlock(mrkdwn(cur.String()), nil, nil))
			cur.Reset()
		}
	}
	for _, l := range lines {
		l = truncate(l, maxSectionText)
		if utf8.RuneCountInString(cur.String())+utf8.RuneCountInString(l)+1 > maxSectionText {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	flush()
	return out
}

// caseTitle is how a referral is named in headers: "State DSP-5 050123456".
func caseTitle(r *Referral) string {
	title := fmt.Sprintf("%s %s %s", strings.ToUpper(string(r.Agency[:1]))+string(r.Agency[1:]), r.LicenseType, r.CaseNumber)
	if r.Round > 1 {
		title += fmt.Sprintf(" (round %d)", r.Round)
	}
	return title
}

// Topic is the channel topic: case, applicant and due dates.
func Topic(r *Referral) string {
	return truncate(fmt.Sprintf("%s · %s · DoD due %s · offices due %s",
		caseTitle(r), r.Applicant, FormatDate(r.DoDDueDate), FormatDate(r.OfficeDueDate)), maxTopic)
}

// outcomeIcon marks an outcome at a glance.
func outcomeIcon(o Outcome) string {
	switch o {
	case OutcomeApprove:
		return ":white_check_mark:"
	case OutcomeApproveWithProvisos:
		return ":ballot_box_with_check:"
	case OutcomeRWA:
		return ":question:"
	case OutcomeDeny:
		return ":no_entry:"
	}
	return ":hourglass_flowing_sand:"
}

// SlackTime writes an instant as Slack's date token, which every reader sees in
// their own time zone ("Today at 2:30 PM"); clients that cannot render it show the
// fallback, the instant in UTC. It works in mrkdwn only, never in plain_text.
func SlackTime(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// positionLine describes a position on a referral of agency a in one line:
// outcome, who, when.
func positionLine(p *Position, a Agency) string {
	return fmt.Sprintf("%s %s — <@%s>, %s", outcomeIcon(p.Outcome), p.Outcome.LabelFor(a), p.AnsweredBy, SlackTime(p.AnsweredAt))
}

// positionDetail lists what came with a position: provisos, questions, reasons, comment.
func positionDetail(p *Position, limit int) string {
	var b strings.Builder
	for _, pr := range p.Provisos {
		fmt.Fprintf(&b, "\n• %s", esc(pr.Text))
		if pr.Code != "" {
			fmt.Fprintf(&b, " `%s`", esc(pr.Code)) // the standard proviso's library code, small
		}
	}
	if p.Questions != "" {
		fmt.Fprintf(&b, "\n*Questions:* %s", esc(p.Questions))
	}
	if p.Reasons != "" {
		fmt.Fprintf(&b, "\n*Reasons:* %s", esc(p.Reasons))
	}
	if p.Basis != "" {
		fmt.Fprintf(&b, "\n*Statutory and regulatory basis:* %s", esc(p.Basis))
	}
	if p.Comment != "" {
		fmt.Fprintf(&b, "\n*Comment:* %s", esc(p.Comment))
	}
	return truncate(b.String(), limit)
}
