package bot

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// ListLimit is how many referrals, and how many asks, /referral list shows before
// "and N more". Its lines are packed into few section blocks, far below the 50
// blocks of a message.
const ListLimit = 25

// The Home tab and /referral list show case numbers, due dates, counts and channel links, never a
// referral's details (applicant, commodity, destination): those are controlled
// information and stay in the referral's private channel (DOMAIN.md), while the
// Home tab and /referral list work anywhere.

// HomeView renders a person's Home tab: their open referrals as analyst, and the
// asks waiting on their offices, each with a link to the referral's channel; for
// a supervisor, the analysts' workload and what awaits their sign-off.
func HomeView(w *Worklist, roster *Roster) slack.HomeTabViewRequest {
	var blocks []slack.Block
	more := func(n int) {
		if n > 0 {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("…and %d more — use `/referral list`", n))))
		}
	}
	if w.ShowReferrals {
		blocks = append(blocks,
			slack.NewHeaderBlock(plain("Your open referrals")),
			slack.NewContextBlock("", mrkdwn("Least time left first: business days to the DoD due date (the licensing agency's deadline) · offices due is DoD's internal suspense · offices answered, awaiting and overdue · :twisted_rightwards_arrows: marks offices that disagree")))
		if len(w.Referrals) == 0 {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn("No open referrals. `/referral new` opens one."), nil, nil))
		}
		for _, l := range w.Referrals {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(referralLineText(l)), nil, nil))
		}
		more(w.MoreReferrals)
	}
	if w.ShowAsks {
		if w.ShowReferrals {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		blocks = append(blocks,
			slack.NewHeaderBlock(plain("Waiting on your offices")),
			slack.NewContextBlock("", mrkdwn(fmt.Sprintf("Asks awaiting a position from %s — soonest due first.", officeNames(w.Offices, roster)))))
		if len(w.Asks) == 0 {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn("Nothing is waiting on your offices. :tada:"), nil, nil))
		}
		for _, a := range w.Asks {
			answer := slack.NewButtonBlockElement(ActionAnswerFromHome, AnswerValue(a.Ask), plain("Answer"))
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(askLineText(a, roster)), nil, slack.NewAccessory(answer),
				slack.SectionBlockOptionBlockID(fmt.Sprintf("home_ask_%d", a.Ask.ID))))
		}
		more(w.MoreAsks)
	}
	if w.Workload != nil {
		if len(blocks) > 0 {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		blocks = append(blocks, workloadBlocks(w.Workload)...)
	}
	if w.SupervisorsUnreadable {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(":warning: I could not read the supervisors' user group just now, so the analysts' workload is not shown. Try again in a minute.")))
	}
	if !w.ShowReferrals && !w.ShowAsks && w.Workload == nil {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(
			"Nothing here for you yet. This tab lists the referrals you own as a licensing analyst and the asks waiting on the offices whose roster you are on. `/referral help` lists the commands."), nil, nil))
	}
	if note := unreadableNote(w); note != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(note)))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(
		"Updated %s · `/referral list overdue` · `/referral help`", SlackTime(w.At)))))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// AnswerChoiceModal is where a reviewer, from the Home tab, picks the office's
// position on an ask. Approve is recorded on submit; the other positions go on to
// the position modal for what must come with them, as the ask's buttons do. seen is
// the version of the position on the Home tab the person pressed Answer on.
func AnswerChoiceModal(r *Referral, a *Ask, roster *Roster, seen int) slack.ModalViewRequest {
	var outcomes []*slack.OptionBlockObject
	for _, o := range Outcomes {
		outcomes = append(outcomes, slack.NewOptionBlockObject(string(o), plain(o.LabelFor(r.Agency)), nil))
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* — your position on *%s* is requested by *%s*.",
			esc(roster.OfficeName(a.OfficeCode)), esc(caseTitle(r)), FormatDate(a.DueDate))), nil, nil),
		slack.NewInputBlock(FieldOutcome, plain("Position"), plain(
			"Approve is recorded when you press Next. The others ask next for "+r.Agency.Terms()+", questions or reasons."),
			slack.NewRadioButtonsBlockElement(InputAction, outcomes...)),
	}
	meta, _ := json.Marshal(PositionMeta{AskID: a.ID, Seen: seen})
	return modal(CallbackAnswerChoice, "Your office's position", "Next", string(meta), blocks)
}

// ListMessage renders /referral list: the fallback text and the blocks.
func ListMessage(w *Worklist, roster *Roster) (string, []slack.Block) {
	var blocks []slack.Block
	var summary []string
	section := func(heading string, lines []string, more int, none string) {
		all := []string{heading}
		if len(lines) == 0 {
			all = append(all, none)
		}
		blocks = append(blocks, sections(append(all, lines...))...)
		if more > 0 {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("…and %d more, not shown: the soonest due come first.", more))))
		}
	}
	if w.ShowReferrals {
		heading, none := "*Your open referrals*", "No open referrals."
		switch w.Kind {
		case ListAll:
			heading, none = "*Open referrals*", "No referral is open."
		case ListOverdue:
			heading, none = "*Open referrals with an overdue office*", "Nothing is overdue. :tada:"
		}
		lines := make([]string, len(w.Referrals))
		for i, l := range w.Referrals {
			lines[i] = referralLineText(l)
		}
		section(fmt.Sprintf("%s (%d)", heading, len(w.Referrals)+w.MoreReferrals), lines, w.MoreReferrals, none)
		summary = append(summary, fmt.Sprintf("%d referral(s)", len(w.Referrals)+w.MoreReferrals))
	}
	if w.ShowAsks {
		heading, none := "*Waiting on your offices*", "Nothing is waiting on your offices. :tada:"
		if w.Overdue {
			heading, none = "*Overdue for your offices*", "Nothing is overdue. :tada:"
		}
		lines := make([]string, len(w.Asks))
		for i, a := range w.Asks {
			lines[i] = askLineText(a, roster)
		}
		section(fmt.Sprintf("%s (%s: %d)", heading, officeNames(w.Offices, roster), len(w.Asks)+w.MoreAsks), lines, w.MoreAsks, none)
		summary = append(summary, fmt.Sprintf("%d ask(s) for your offices", len(w.Asks)+w.MoreAsks))
	}
	if !w.ShowReferrals && !w.ShowAsks {
		text := "Nothing is waiting on you: you own no referrals and are on no office's roster."
		return text, []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}
	}
	if note := unreadableNote(w); note != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(note)))
	}
	return "Your worklist: " + strings.Join(summary, ", "), blocks
}

// referralLineText is one referral on the Home tab and in /referral list: link,
// case, the two clocks told apart (the agency's DoD due date with the time left to
// it, and the offices' suspense), and how its offices stand.
func referralLineText(l ReferralLine) string {
	r := l.Referral
	var b strings.Builder
	fmt.Fprintf(&b, "%s · *%s* · DoD due *%s* (%s, %s)", channelLink(r), esc(caseTitle(r)), FormatDate(r.DoDDueDate),
		agencyWord(r.Agency), l.DoD.LeftWords())
	if !l.OfficesDue.IsZero() {
		fmt.Fprintf(&b, " · offices due %s", FormatDate(l.OfficesDue))
	}
	if !r.HeldSince.IsZero() {
		b.WriteString(" · :double_vertical_bar: offices on hold")
	}
	fmt.Fprintf(&b, "\n:white_check_mark: %d answered · :hourglass_flowing_sand: %d awaiting", l.Answered, l.Awaiting)
	if l.Overdue > 0 {
		fmt.Fprintf(&b, " · :warning: *%d overdue*", l.Overdue)
	}
	if l.Split() {
		names := make([]string, len(l.Stances))
		for i, s := range l.Stances {
			names[i] = stanceLabel(s)
		}
		fmt.Fprintf(&b, " · :twisted_rightwards_arrows: *split:* %s", strings.Join(names, " / "))
	}
	if len(l.Stuck) > 0 {
		b.WriteString("\n" + stuckLine(l.Stuck[0]))
	}
	return truncate(b.String(), maxSectionText)
}

// askLineText is one ask waiting on the reader's offices.
func askLineText(a AskLine, roster *Roster) string {
	r := a.Referral
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · %s · %s · due *%s*", esc(roster.OfficeName(a.Ask.OfficeCode)), channelLink(r), esc(caseTitle(r)), FormatDate(a.Ask.DueDate))
	switch {
	case a.Overdue:
		b.WriteString(" · :warning: *overdue*")
	case !r.HeldSince.IsZero():
		b.WriteString(" · :double_vertical_bar: on hold")
	}
	return truncate(b.String(), maxSectionText)
}

// channelLink links the referral's private channel; Slack shows it by name to its members.
func channelLink(r *Referral) string {
	if r.ChannelID == "" {
		return "_channel being set up_"
	}
	return "<#" + r.ChannelID + ">"
}

func stanceLabel(s string) string {
	switch s {
	case "approve":
		return "approve"
	case string(OutcomeRWA):
		return "RWA"
	}
	return s
}

func officeNames(codes []string, roster *Roster) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = esc(roster.OfficeName(c))
	}
	return strings.Join(names, ", ")
}

func unreadableNote(w *Worklist) string {
	if len(w.Unreadable) == 0 {
		return ""
	}
	return fmt.Sprintf(":warning: I could not read the roster of %s just now, so asks waiting on it may be missing. Try again in a minute.", esc(strings.Join(w.Unreadable, ", ")))
}
