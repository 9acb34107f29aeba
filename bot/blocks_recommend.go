package bot

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// RecommendationMeta is the private metadata of the recommendation modal.
type RecommendationMeta struct {
	ReferralID int64 `json:"referral"`
	// Seen is each office's position version the form showed: the fates were
	// chosen against those provisos (RecommendationInput.Seen).
	Seen map[string]int `json:"seen,omitempty"`
}

// maxViewBlocks is Slack's limit on blocks in a modal (SLACK.md).
const maxViewBlocks = 100

// RecommendationModal shows every office's current position and, for each of its
// provisos (conditions, on a Commerce referral), a choice to keep, modify or drop
// it; it takes the analyst's outcome, DTSA's own provisos and the rationale.
// CheckRecommend refuses a referral whose provisos would not fit one form.
func RecommendationModal(t *Tally, roster *Roster) slack.ModalViewRequest {
	r := t.Referral
	meta, _ := json.Marshal(RecommendationMeta{ReferralID: r.ID, Seen: PositionVersions(t.Asks)})
	return modal(CallbackRecommendation, "Final recommendation", "Record", string(meta), recommendationBlocks(t, roster))
}

// RecommendationFits refuses (EINVALID) a referral whose offices' provisos need
// more blocks than one form may hold: three inputs each (fate, wording, reason).
func RecommendationFits(t *Tally, roster *Roster) error {
	n := len(recommendationBlocks(t, roster))
	if n <= maxViewBlocks {
		return nil
	}
	count := 0
	for _, a := range t.Asks {
		if a.Current != nil && a.State != AskWithdrawn {
			count += len(a.Current.Provisos)
		}
	}
	fit := count - (n-maxViewBlocks+2)/3
	r := t.Referral
	return Errorf(EINVALID, "The offices' %d %s on %s are more than one recommendation form can show (Slack allows %d blocks in a form: about %d %s here, three inputs each). Nothing was recorded. Ask the offices to combine their %s: an office may change its position until the final recommendation.",
		count, r.Agency.Terms(), r.CaseNumber, maxViewBlocks, fit, r.Agency.Terms(), r.Agency.Terms())
}

func recommendationBlocks(t *Tally, roster *Roster) []slack.Block {
	r := t.Referral
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* · %s · DoD due *%s*", esc(caseTitle(r)), esc(r.Applicant), FormatDate(r.DoDDueDate))), nil, nil),
		slack.NewDividerBlock(),
	}
	var waiting []string
	for _, a := range t.Asks {
		name := roster.OfficeName(a.OfficeCode)
		p := a.Current
		if p == nil || a.State == AskWithdrawn {
			if a.State != AskWithdrawn {
				waiting = append(waiting, esc(name))
			}
			continue
		}
		detail := positionDetail(&Position{Questions: p.Questions, Reasons: p.Reasons, Basis: p.Basis, Comment: p.Comment}, maxSectionText-400)
		head := fmt.Sprintf("*%s* — %s%s", esc(name), positionLine(p, r.Agency), detail)
		if len(p.Provisos) > 0 {
			head += fmt.Sprintf("\n_Keep, modify or drop each of %s's %s (with an approval). Modifying or dropping one partially overrides %s, who is told in its ask's thread._",
				esc(name), r.Agency.Terms(), esc(name))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(head, maxSectionText)), nil, nil))
		for i, pr := range p.Provisos {
			blocks = append(blocks, fateInputs(a.OfficeCode, name, i+1, pr, r.Agency)...)
		}
	}
	if len(waiting) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(":hourglass_flowing_sand: *No position yet:* "+strings.Join(waiting, ", "), maxSectionText)), nil, nil))
	}
	var outcomes []*slack.OptionBlockObject
	for _, o := range Outcomes {
		outcomes = append(outcomes, slack.NewOptionBlockObject(string(o), plain(o.LabelFor(r.Agency)), nil))
	}
	terms := r.Agency.Terms()
	blocks = append(blocks,
		slack.NewDividerBlock(),
		slack.NewInputBlock(FieldOutcome, plain("DoD recommendation"), nil,
			slack.NewRadioButtonsBlockElement(InputAction, outcomes...)),
		textInput(FieldAddProvisos, "Additional "+terms+" (DTSA)", fmt.Sprintf("One per line; recorded as the analyst's own. %s are kept only with %s.",
			r.Agency.TermsTitle(), OutcomeApproveWithProvisos.LabelFor(r.Agency)), "", 3000, true, true, ""),
	)
	rationaleHint := "Required for Return without action and Deny; for Deny, the statement of reasons."
	if r.Agency == AgencyCommerce {
		rationaleHint = "Required for Return without action and Deny; for Deny, the statement of reasons (EO 12981)."
	}
	blocks = append(blocks, textInput(FieldRationale, "Rationale", rationaleHint, "", MaxLongText, true, true, ""), recQuestionsInput(t, roster))
	if r.Agency == AgencyCommerce {
		blocks = append(blocks, basisInput("Required with Deny on a Commerce referral (EO 12981), as well as the rationale: the EAR provisions and the statute the denial rests on.", "", true))
	}
	return blocks
}
