package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// SummaryMessage is the referral's summary and live tally, posted once when the
// channel opens and updated in place as positions arrive.
func SummaryMessage(t *Tally, roster *Roster) Message {
	r := t.Referral
	answered := 0
	for _, a := range t.Asks {
		if a.Current != nil {
			answered++
		}
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate("Referral "+caseTitle(r), maxHeaderText))),
		slack.NewSectionBlock(nil, referralFields(r), nil),
	}
	blocks = append(blocks, roundBlocks(t)...)
	blocks = append(blocks, slack.NewDividerBlock())
	blocks = append(blocks, TallyBlocks(t, roster)...)
	next := "`/referral recommend` records the final recommendation"
	if t.Recommendation != nil {
		next = "`/referral export` uploads the official record"
	}
	blocks = append(blocks, slack.NewContextBlock("",
		mrkdwn(fmt.Sprintf("%d of %d offices answered · `/referral status` shows this to you · %s", answered, len(t.Asks), next))))
	return Message{
		Text:   fmt.Sprintf("Referral %s: %d of %d offices answered", caseTitle(r), answered, len(t.Asks)),
		Blocks: blocks,
		Key:    summaryKey(r.ID),
	}
}

// referralFields lays out the referral's facts as section fields (at most 10).
func referralFields(r *Referral) []*slack.TextBlockObject {
	f := func(label, value string) *slack.TextBlockObject {
		if value == "" {
			value = "—"
		}
		return mrkdwn(truncate(fmt.Sprintf("*%s*\n%s", label, esc(value)), maxFieldText))
	}
	return []*slack.TextBlockObject{
		f("Agency", r.Agency.Label()),
		f("Applicant", r.Applicant),
		f("Commodity", r.Commodity),
		f("Classification", r.Classification),
		f("Destination", CountryName(r.Destination)),
		f("End user / consignees", r.EndUser),
		f("Value", "$"+FormatThousands(r.ValueUSD)),
		f("Received", FormatDate(r.ReceivedOn)),
		f("DoD due", FormatDate(r.DoDDueDate)),
		mrkdwn(fmt.Sprintf("*Offices due*\n%s · analyst <@%s>", FormatDate(r.OfficeDueDate), r.AnalystID)),
	}
}

// TallyBlocks shows where every office stands, and the final recommendation once
// recorded. /referral status shows the same blocks to the caller.
func TallyBlocks(t *Tally, roster *Roster) []slack.Block {
	agency := t.Referral.Agency
	lines := []string{"*Where the offices stand*"}
	for _, a := range t.Asks {
		name := esc(roster.OfficeName(a.OfficeCode))
		if a.Current == nil {
			lines = append(lines, fmt.Sprintf("%s *%s* — awaiting · due %s", outcomeIcon(""), name, FormatDate(a.DueDate))+priorNote(t.Referral, a))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s *%s* — %s by <@%s> · due %s%s", outcomeIcon(a.Current.Outcome), name,
			a.Current.Outcome.LabelFor(agency), a.Current.AnsweredBy, FormatDate(a.DueDate), askedAgainNote(a))+priorNote(t.Referral, a))
	}
	blocks := sections(lines)
	if !t.Referral.HeldSince.IsZero() && t.Recommendation == nil {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(holdNote(t, roster))))
	}
	if note := dodPassedNote(t); note != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(note)))
	}
	if rec := t.Recommendation; rec != nil {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(fmt.Sprintf(
			"%s *Final DoD recommendation: %s* — <@%s>, %s", outcomeIcon(rec.Outcome), rec.Outcome.LabelFor(agency),
			rec.RecordedBy, SlackTime(rec.RecordedAt))+versionNote(rec)), nil, nil))
	}
	blocks = append(blocks, pendingBlocks(t)...)
	return blocks
}

// AskMessage is one office's request for its position, with the four answer buttons
// while the referral is open, and the office's current position once given.
func AskMessage(r *Referral, a *Ask, roster *Roster) Message {
	office, _ := roster.Office(a.OfficeCode)
	name := esc(roster.OfficeName(a.OfficeCode))
	mention := ""
	if office.UserGroup != "" {
		mention = fmt.Sprintf(" <!subteam^%s>", office.UserGroup)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s*%s — your position on %s is requested by *%s*.",
			name, mention, esc(caseTitle(r)), FormatDate(a.DueDate))), nil, nil),
	}
	if p := a.Current; p != nil {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(
			"*Current position:* "+positionLine(p, r.Agency)+positionDetail(p, maxSectionText-200), maxSectionText)), nil, nil))
	}
	blocks = append(blocks, priorBlocks(r, a)...)
	if a.State == AskClosed {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(":lock: Closed — the final recommendation is recorded.")))
	} else {
		value := AnswerValue(a)
		btn := func(o Outcome, text string) *slack.ButtonBlockElement {
			b := slack.NewButtonBlockElement(ActionAnswerPrefix+string(o), value, plain(text))
			switch o {
			case OutcomeApprove: // recorded at once, so Slack asks first
				b = b.WithStyle(slack.StylePrimary).WithConfirm(approveConfirm(r, a, roster))
			case OutcomeDeny:
				b = b.WithStyle(slack.StyleDanger)
			}
			return b
		}
		blocks = append(blocks, slack.NewActionBlock("ask_"+strconv.FormatInt(a.ID, 10),
			btn(OutcomeApprove, "Approve"),
			btn(OutcomeApproveWithProvisos, OutcomeApproveWithProvisos.LabelFor(r.Agency)),
			btn(OutcomeRWA, "Return without action"),
			btn(OutcomeDeny, "Deny")))
		if a.Current != nil {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn("Anyone on the roster may change this position until the final recommendation; earlier versions are kept.")))
		}
	}
	text := fmt.Sprintf("%s: your position on %s is requested by %s", roster.OfficeName(a.OfficeCode), r.CaseNumber, FormatDate(a.DueDate))
	switch {
	case a.Current != nil:
		text = fmt.Sprintf("%s on %s: %s", roster.OfficeName(a.OfficeCode), r.CaseNumber, a.Current.Outcome.LabelFor(r.Agency))
	case a.State == AskClosed:
		text = fmt.Sprintf("%s on %s: no position (closed)", roster.OfficeName(a.OfficeCode), r.CaseNumber)
	}
	return Message{Text: text, Blocks: blocks, Key: askKey(a.ID)}
}

// approveConfirm asks before the Approve button records an office's position,
// which the other buttons do only after their modal.
func approveConfirm(r *Referral, a *Ask, roster *Roster) *slack.ConfirmationBlockObject {
	name := roster.OfficeName(a.OfficeCode)
	return confirmDialog("Approve for "+name+"?", fmt.Sprintf(
		"This records Approve as %s's official position on %s, under your name. It can be changed until the final recommendation; earlier versions are kept.",
		name, caseTitle(r)), "Approve", "Cancel")
}

// FinalMessage announces the final recommendation: outcome, provisos (conditions,
// on a Commerce referral) by office, rationale, and the offices it overrides.
func FinalMessage(t *Tally, roster *Roster) Message {
	rec, r := t.Recommendation, t.Referral
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate(finalHeader(rec)+": "+rec.Outcome.LabelFor(r.Agency), maxHeaderText))),
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("%s on *%s*, recorded by <@%s>, %s.", outcomeIcon(rec.Outcome),
			esc(caseTitle(r)), rec.RecordedBy, SlackTime(rec.RecordedAt))), nil, nil),
	}
	blocks = append(blocks, finalNotes(rec)...)
	if lines := carriedProvisoLines(rec, r.Agency, roster); len(lines) > 0 {
		blocks = append(blocks, sections(lines)...)
	}
	if rec.Rationale != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate("*Rationale:* "+esc(rec.Rationale), maxSectionText)), nil, nil))
	}
	if rec.Basis != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate("*Statutory and regulatory basis:* "+esc(rec.Basis), maxSectionText)), nil, nil))
	}
	blocks = append(blocks, recQuestionsBlock(rec)...)
	byOffice := map[string]*Ask{}
	for _, a := range t.Asks {
		byOffice[a.OfficeCode] = a
	}
	if len(rec.Dissent) > 0 {
		var names []string
		for _, code := range rec.Dissent {
			n := "*" + esc(roster.OfficeName(code)) + "*"
			if a := byOffice[code]; a != nil && a.Current != nil {
				n += " (" + a.Current.Outcome.LabelFor(r.Agency) + ")"
			}
			names = append(names, n)
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(":warning: *Overrides (dissent):* "+strings.Join(names, ", "), maxSectionText)), nil, nil))
	} else {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("No office dissents from this recommendation.")))
	}
	// Partial overrides are listed apart from dissent: the office's position stands,
	// but some of its provisos do not.
	blocks = append(blocks, sections(partialOverrideLines(rec, r.Agency, roster))...)
	text := fmt.Sprintf("%s on %s: %s", finalHeader(rec), r.CaseNumber, rec.Outcome.LabelFor(r.Agency))
	if partial := rec.PartialOverrides(); len(partial) > 0 {
		var names []string
		for _, code := range partial {
			names = append(names, roster.OfficeName(code))
		}
		text += " (partially overrides " + strings.Join(names, ", ") + ")"
	}
	return Message{
		Text:   text,
		Blocks: blocks,
		Key:    finalVersionKey(r, rec),
	}
}

type provisoGroup struct {
	office   string
	provisos []Proviso
}

// groupProvisos groups provisos by originating office, keeping first-seen order.
func groupProvisos(ps []Proviso) []provisoGroup {
	var out []provisoGroup
	idx := map[string]int{}
	for _, p := range ps {
		i, ok := idx[p.OfficeCode]
		if !ok {
			i = len(out)
			idx[p.OfficeCode] = i
			out = append(out, provisoGroup{office: p.OfficeCode})
		}
		out[i].provisos = append(out[i].provisos, p)
	}
	return out
}

// FormatThousands writes v with commas between the thousands: 1,250,000.
func FormatThousands(v int64) string {
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
