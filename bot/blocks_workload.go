package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// maxOptionText is Slack's limit on a select option's text and on its description.
const maxOptionText = 75

// workloadBlocks renders the supervisors' part of the Home tab: each analyst's
// open and overdue counts with a Reassign… button, then the recommendations
// awaiting the reader's sign-off, least time left first. Like the rest of the
// Home tab it shows case numbers, dates and counts, never a referral's details.
func workloadBlocks(w *Workload) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Analysts' workload")),
		slack.NewContextBlock("", mrkdwn("Open referrals per analyst, most overdue first · overdue: an office past its suspense (not on hold), or the DoD due date passed · *Reassign…* hands one of an analyst's referrals to another analyst")),
	}
	for _, l := range w.Analysts {
		var accessory *slack.Accessory
		if l.Open > 0 {
			accessory = slack.NewAccessory(slack.NewButtonBlockElement(ActionReassignFromHome, l.Analyst, plain("Reassign…")))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(analystLoadText(l)), nil, accessory,
			slack.SectionBlockOptionBlockID("home_analyst_"+l.Analyst)))
	}
	if w.MoreAnalysts > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("…and %d more analysts, the least overdue.", w.MoreAnalysts))))
	}
	blocks = append(blocks,
		slack.NewHeaderBlock(plain("Awaiting your sign-off")),
		slack.NewContextBlock("", mrkdwn("Recommendations waiting for a supervisor's second signature, least time left first. *Sign off* is on the request in the referral's channel and in your direct messages.")))
	if len(w.SignOffs) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("Nothing is awaiting your sign-off."), nil, nil))
	}
	for _, p := range w.SignOffs {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(signOffLineText(p)), nil, nil))
	}
	if w.MoreSignOffs > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("…and %d more awaiting sign-off, with more time left.", w.MoreSignOffs))))
	}
	return blocks
}

// analystLoadText is one analyst's row.
func analystLoadText(l AnalystLoad) string {
	if l.Open == 0 {
		return fmt.Sprintf("<@%s> · nothing open", l.Analyst)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<@%s> · *%d open*", l.Analyst, l.Open)
	if l.Overdue > 0 {
		fmt.Fprintf(&b, " · :warning: *%d overdue*", l.Overdue)
	} else {
		b.WriteString(" · none overdue")
	}
	if !l.NextDoDDue.IsZero() {
		fmt.Fprintf(&b, " · next DoD due *%s*", FormatDate(l.NextDoDDue))
	}
	return b.String()
}

// signOffLineText is one recommendation awaiting sign-off.
func signOffLineText(p *PendingSignOff) string {
	r, rec := p.Referral, p.Recommendation
	var b strings.Builder
	fmt.Fprintf(&b, "%s · *%s* · *%s* recorded by <@%s>", channelLink(r), esc(caseTitle(r)), rec.Outcome.LabelFor(r.Agency), rec.RecordedBy)
	if rec.Version > 1 {
		fmt.Fprintf(&b, " (amendment, version %d)", rec.Version)
	}
	fmt.Fprintf(&b, " · DoD due *%s* (%s, %s)", FormatDate(r.DoDDueDate), agencyWord(r.Agency), p.DoD.LeftWords())
	return truncate(b.String(), maxSectionText)
}

// ReassignModal is where a supervisor (or an analyst), from the Home tab, hands
// one of analyst from's referrals to another analyst. refs are the referrals on
// offer, least time left first; total is how many from owns.
func ReassignModal(from string, refs []*Referral, total int) slack.ModalViewRequest {
	options := make([]*slack.OptionBlockObject, 0, len(refs))
	for _, r := range refs {
		options = append(options, slack.NewOptionBlockObject(strconv.FormatInt(r.ID, 10),
			plain(truncate(fmt.Sprintf("%s · DoD due %s", caseTitle(r), FormatDate(r.DoDDueDate)), maxOptionText)), nil))
	}
	intro := fmt.Sprintf("Hand one of <@%s>'s %d open referrals to another analyst. They are added to its channel; the summary and the Home tabs follow.", from, total)
	hint := "Least time left first."
	if total > len(refs) {
		hint = fmt.Sprintf("The %d with the least time left. For another, use /referral reassign @analyst in its channel.", len(refs))
	}
	choose := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a referral"), InputAction, options...)
	to := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Choose an analyst"), InputAction)
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(intro), nil, nil),
		slack.NewInputBlock(FieldReassignReferral, plain("Referral"), plain(hint), choose),
		slack.NewInputBlock(FieldReassignTo, plain("New analyst"), plain("A licensing analyst on the roster."), to),
	}
	return modal(CallbackReassign, "Reassign a referral", "Reassign", from, blocks)
}
