package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// precedentTitles name each way of matching on the panel.
var precedentTitles = map[PrecedentDim]string{
	DimApplicant:   "Same applicant",
	DimEndUser:     "Same end user / consignee",
	DimClass:       "Same classification",
	DimFamily:      "Same family",
	DimDestination: "Same destination",
}

// PrecedentBlocks is the precedent panel as a message (/referral precedents, and
// the analyst's note when a referral opens): a header and one section per way of
// matching, at most seven blocks, each section within Slack's text limit.
func PrecedentBlocks(p *Precedents) []slack.Block {
	r := p.Referral
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(fmt.Sprintf(
		":books: *Precedents for %s* — DoD's final recommendations on earlier referrals that match it.", esc(caseTitle(r)))), nil, nil)}
	var none []string
	for _, m := range p.Matches {
		if m.Total == 0 && len(m.Recent) == 0 {
			none = append(none, strings.ToLower(precedentTitles[m.Dim][:1])+precedentTitles[m.Dim][1:])
			continue
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(precedentText(p, m, "\n"), maxSectionText)), nil, nil))
	}
	var notes []string
	if len(none) > 0 {
		notes = append(notes, "No earlier recommendation with the "+strings.Join(none, ", ")+".")
	}
	if p.Restricted {
		notes = append(notes, "You see only earlier referrals your office was asked on; counts and provisos across DoD are shown to licensing analysts.")
	}
	if len(notes) > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(strings.Join(notes, " "), maxSectionText))))
	}
	return blocks
}

// PrecedentSummary is the panel in one block, for a form that has room for little
// more than its inputs (the recommendation modal).
func PrecedentSummary(p *Precedents) slack.Block {
	var parts []string
	for _, m := range p.Matches {
		if m.Total > 0 || len(m.Recent) > 0 {
			parts = append(parts, precedentText(p, m, " · "))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "_No earlier final recommendation matches its applicant, end user, classification or destination._")
	}
	return slack.NewSectionBlock(mrkdwn(truncate(":books: *Precedents*\n"+strings.Join(parts, "\n"), maxSectionText)), nil, nil)
}

// AddPrecedents puts the panel's summary under the recommendation form's header,
// when the form has room for one more block (Slack allows 100 in a modal).
func AddPrecedents(v *slack.ModalViewRequest, p *Precedents) {
	set := v.Blocks.BlockSet
	if p == nil || len(set) < 2 || len(set)+2 > maxViewBlocks {
		return
	}
	v.Blocks.BlockSet = append(append(set[:2:2], PrecedentSummary(p), slack.NewDividerBlock()), set[2:]...)
}

// precedentText is one match: what matched, the counts, the newest referrals and
// the most used provisos, its parts joined by sep.
func precedentText(p *Precedents, m PrecedentMatch, sep string) string {
	agency := p.Referral.Agency
	head := fmt.Sprintf("*%s* (%s)", precedentTitles[m.Dim], esc(truncate(m.Key, 120)))
	if !p.Restricted {
		var counts []string
		for _, o := range Outcomes {
			if n := m.ByOutcome[o]; n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", n, o.LabelFor(agency)))
			}
		}
		head += fmt.Sprintf(": %d referral%s", m.Total, plural(m.Total))
		if len(counts) > 0 {
			head += " — " + strings.Join(counts, ", ")
		}
	}
	parts := []string{head}
	var recent []string
	for _, c := range m.Recent {
		line := fmt.Sprintf("`%s` %s %s", esc(c.CaseNumber), slackDate(c.DecidedAt), c.Outcome.LabelFor(c.Agency))
		if c.ChannelID != "" {
			line += " <#" + c.ChannelID + ">"
		}
		recent = append(recent, line)
	}
	if len(recent) > 0 {
		parts = append(parts, "Latest: "+strings.Join(recent, "; "))
	}
	var used []string
	for _, u := range m.Provisos {
		used = append(used, fmt.Sprintf("“%s” (%d×)", esc(truncate(u.Text, 200)), u.N))
	}
	if len(used) > 0 {
		parts = append(parts, "Most used "+agency.Terms()+": "+strings.Join(used, "; "))
	}
	return strings.Join(parts, sep)
}

// slackDate shows the day of an instant in the reader's own time zone.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short}|%s>", t.Unix(), t.UTC().Format("2006-01-02"))
}
