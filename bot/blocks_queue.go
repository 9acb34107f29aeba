package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// ActionJoinDiscussion, on an ask in an office's queue, invites the reviewer who
// presses it into the referral's channel (if they are on the office's roster).
const ActionJoinDiscussion = "join_discussion"

// OfficeAskMessage is the ask as it is posted where the office works.
//   - In the office's queue channel it shows the referral's facts (the office's own
//     reviewers may see them: they are reviewing the case), mentions nobody (the
//     morning digest pings the office once), and adds a Join the discussion button.
//   - In the referral's channel, an office with no user group has its named users
//     mentioned, so that someone is notified.
//   - A withdrawn ask says so, with the analyst's reason, and takes no answers.
func OfficeAskMessage(r *Referral, a *Ask, roster *Roster) Message {
	m := AskMessage(r, a, roster)
	office, _ := roster.Office(a.OfficeCode)
	name := esc(roster.OfficeName(a.OfficeCode))
	head := fmt.Sprintf("*%s* — your position on %s is requested by *%s*.", name, esc(caseTitle(r)), FormatDate(a.DueDate))
	if !office.HasQueue() && office.UserGroup == "" && len(office.Users) > 0 {
		var who []string
		for _, u := range office.Users {
			who = append(who, "<@"+u+">")
		}
		m.Blocks[0] = slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* %s — your position on %s is requested by *%s*.",
			name, strings.Join(who, " "), esc(caseTitle(r)), FormatDate(a.DueDate))), nil, nil)
	}
	if office.HasQueue() {
		m.Blocks[0] = slack.NewSectionBlock(mrkdwn(head), nil, nil)
		rest := append([]slack.Block{slack.NewSectionBlock(nil, referralFields(r), nil)}, m.Blocks[1:]...)
		m.Blocks = append(m.Blocks[:1], rest...)
		if a.State != AskClosed && a.State != AskWithdrawn {
			join := slack.NewButtonBlockElement(ActionJoinDiscussion, strconv.FormatInt(a.ID, 10), plain("Join the discussion"))
			for _, b := range m.Blocks {
				if act, ok := b.(*slack.ActionBlock); ok {
					act.Elements.ElementSet = append(act.Elements.ElementSet, join)
				}
			}
		}
	}
	if a.State == AskWithdrawn {
		var kept []slack.Block
		for _, b := range m.Blocks {
			if _, ok := b.(*slack.ActionBlock); !ok {
				kept = append(kept, b)
			}
		}
		m.Blocks = append(kept, slack.NewContextBlock("", mrkdwn(truncate(
			":no_entry_sign: Withdrawn by the analyst: "+esc(a.WithdrawnReason)+". No position is needed.", maxSectionText))))
		m.Text = fmt.Sprintf("%s on %s: ask withdrawn", roster.OfficeName(a.OfficeCode), r.CaseNumber)
	}
	return m
}

// MaxDigestText bounds a morning message's text: under Slack's recommended 4,000
// characters, so it is read rather than collapsed. The lines that do not fit are
// counted at the end.
const MaxDigestText = 3500

// DigestLine is one ask in an office's morning digest.
type DigestLine struct {
	CaseNumber string
	Link       string // permalink to the ask in the queue
	DueWords   string // "due today", "1 business day overdue", …
}

// DigestText is an office queue's morning digest: one line per ask due within two
// business days or overdue, each linking to its ask. It mentions the office's user
// group once: one ping a morning instead of one per ask.
func DigestText(office Office, lines []DigestLine, more int) string {
	who := "*" + esc(office.Name) + "*"
	if office.UserGroup != "" {
		who = fmt.Sprintf("<!subteam^%s> (%s)", office.UserGroup, who)
	}
	var b strings.Builder
	fmt.Fprintf(&b, ":sunrise: Good morning, %s: %d ask%s due within two business days or overdue.", who, len(lines)+more, plural(len(lines)+more))
	bullets := make([]string, len(lines))
	for i, l := range lines {
		bullets[i] = fmt.Sprintf("<%s|%s> — %s", l.Link, esc(l.CaseNumber), l.DueWords)
	}
	writeBullets(&b, bullets, more, MaxDigestText, "see the Home tab")
	return b.String()
}

// writeBullets writes lines as bullets after what b holds, as long as b stays
// within budget characters; the lines that do not fit, and more, are counted at
// the end, pointing to where, so that a morning message stays readable.
func writeBullets(b *strings.Builder, lines []string, more, budget int, where string) {
	for i, l := range lines {
		if b.Len()+len(l)+len("\n• ") > budget {
			more += len(lines) - i
			break
		}
		b.WriteString("\n• " + l)
	}
	if more > 0 {
		fmt.Fprintf(b, "\n…and %d more: %s.", more, where)
	}
}

// EscalationLine is one overdue office on one of the analyst's referrals.
type EscalationLine struct {
	CaseNumber string
	ChannelID  string
	Offices    []string // office names, overdue
}

// EscalationText is the analyst's one morning message about every overdue office on
// their referrals. A direct message: case numbers and channel links, no details.
func EscalationText(lines []EscalationLine, more int) string {
	return escalationText(lines, more, MaxDigestText)
}

// escalationText is EscalationText in at most about budget characters.
func escalationText(lines []EscalationLine, more, budget int) string {
	n := len(lines) + more
	var b strings.Builder
	fmt.Fprintf(&b, ":rotating_light: Overdue this morning on %d of your referrals:", n)
	bullets := make([]string, len(lines))
	for i, l := range lines {
		bullets[i] = caseAndChannel(l.CaseNumber, l.ChannelID) + " — " + esc(strings.Join(l.Offices, ", "))
	}
	writeBullets(&b, bullets, more, budget, "`/referral list overdue`")
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
