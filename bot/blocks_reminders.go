package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// Actions on a reminder.
const (
	// ActionAnswerNow shows the office's answer buttons to the person who pressed it.
	ActionAnswerNow = "reminder_answer_now"
	// ActionSnooze silences the ask's reminders until the next business morning.
	ActionSnooze = "reminder_snooze"
)

// dueWords says how a reminder stands to the due date: "in 2 business days", "today", "1 business day overdue".
func dueWords(daysLeft int) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 business day"
		}
		return strconv.Itoa(n) + " business days"
	}
	switch {
	case daysLeft > 0:
		return "due in " + plural(daysLeft)
	case daysLeft == 0:
		return "due *today*"
	}
	return "*" + plural(-daysLeft) + " overdue*"
}

// ReminderMessage nudges an office in its ask's thread, with shortcuts to answer or
// to snooze. An office with no queue channel has its user group and the people
// named on its roster mentioned.
func ReminderMessage(r *Referral, a *Ask, rem *Reminder, roster *Roster) Message {
	office, _ := roster.Office(a.OfficeCode)
	who := "*" + esc(roster.OfficeName(a.OfficeCode)) + "*"
	// An office working from its queue is pinged once a morning by its digest; a
	// reply per ask mentioning the whole office would be the noise the queue avoids.
	var mentions []string
	if office.UserGroup != "" && !office.HasQueue() {
		mentions = append(mentions, "<!subteam^"+office.UserGroup+">")
	}
	for _, u := range office.Users {
		if !office.HasQueue() {
			mentions = append(mentions, "<@"+u+">")
		}
	}
	if len(mentions) > 0 {
		who = fmt.Sprintf("%s (%s)", strings.Join(mentions, " "), who)
	}
	text := fmt.Sprintf(":alarm_clock: %s: your position on *%s* is %s (due %s).", who, esc(r.CaseNumber), dueWords(rem.DaysLeft), FormatDate(a.DueDate))
	if rem.Escalated {
		text += fmt.Sprintf("\n:rotating_light: Escalated to the analyst <@%s>.", r.AnalystID)
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}
	if rem.Late {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(
			"Sent late: this reminder was due %s, while the bot could not send it.", SlackTime(rem.DueAt)))))
	}
	value := strconv.FormatInt(a.ID, 10)
	blocks = append(blocks, slack.NewActionBlock("reminder_"+value,
		slack.NewButtonBlockElement(ActionAnswerNow, value, plain("Answer now")).WithStyle(slack.StylePrimary),
		slack.NewButtonBlockElement(ActionSnooze, value, plain("Snooze until tomorrow"))))
	return Message{
		Text:   fmt.Sprintf("Reminder: %s's position on %s is %s", roster.OfficeName(a.OfficeCode), r.CaseNumber, stripStars(dueWords(rem.DaysLeft))),
		Blocks: blocks,
		Key:    "reminder:" + rem.ID,
	}
}

func stripStars(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r != '*' {
			out = append(out, r)
		}
	}
	return string(out)
}
