package bot

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// CallbackAmend identifies the modal that amends the final recommendation.
const CallbackAmend = "amend"

// AmendMeta is the private metadata of the amendment modal.
type AmendMeta struct {
	ReferralID int64 `json:"referral"`
	Seen       int   `json:"seen"` // the version shown when the modal opened
}

// AmendModal shows the final recommendation as it stands, prefilled, and asks
// for the amended outcome, provisos (conditions), rationale and the reason.
func AmendModal(t *Tally) slack.ModalViewRequest {
	r, cur := t.Referral, t.Recommendation
	var outcomes []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, o := range Outcomes {
		opt := slack.NewOptionBlockObject(string(o), plain(o.LabelFor(r.Agency)), nil)
		if o == cur.Outcome {
			initial = opt
		}
		outcomes = append(outcomes, opt)
	}
	radio := slack.NewRadioButtonsBlockElement(InputAction, outcomes...)
	radio.InitialOption = initial
	var provisos []string
	for _, p := range cur.Provisos {
		provisos = append(provisos, p.Text)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(truncate(fmt.Sprintf("*%s* · final recommendation *%s* (version %d), recorded by <@%s>, %s.",
			esc(caseTitle(r)), cur.Outcome.LabelFor(r.Agency), max(cur.Version, 1), cur.RecordedBy, SlackTime(cur.RecordedAt)), maxSectionText)), nil, nil),
		slack.NewContextBlock("", mrkdwn("The amendment is recorded as a new version; every earlier version stays in the record.")),
		slack.NewInputBlock(FieldOutcome, plain("Amended DoD recommendation"), nil, radio),
		textInput(FieldAmendProvisos, r.Agency.TermsTitle(), fmt.Sprintf(
			"One per line. A line kept word for word keeps its originating office; a new or reworded one is DTSA's. Kept only with %s.",
			OutcomeApproveWithProvisos.LabelFor(r.Agency)), "", 3000, true, true, strings.Join(provisos, "\n")),
		textInput(FieldRationale, "Rationale", "Required for Return without action and Deny.", "", MaxLongText, true, true, cur.Rationale),
	}
	if r.Agency == AgencyCommerce {
		blocks = append(blocks, basisInput("Required with Deny on a Commerce referral (EO 12981).", cur.Basis, true))
	}
	blocks = append(blocks, textInput(FieldAmendReason, "Reason for the amendment", "Shown with the amended recommendation and kept in the record.",
		"", MaxLongText, true, false, ""))
	meta, _ := json.Marshal(AmendMeta{ReferralID: r.ID, Seen: max(cur.Version, 1)})
	return modal(CallbackAmend, "Amend recommendation", "Amend", string(meta), blocks)
}

// finalVersionKey tags the announcement of one version of the final
// recommendation, so that an amendment is posted as a message of its own.
func finalVersionKey(r *Referral, rec *Recommendation) string {
	if rec.Version <= 1 {
		return finalKey(r.ID)
	}
	return finalKey(r.ID) + ":v" + strconv.Itoa(rec.Version)
}

// finalHeader is the final announcement's header: amended versions say so.
func finalHeader(rec *Recommendation) string {
	if rec.Version > 1 {
		return "Final DoD recommendation (amended)"
	}
	return "Final DoD recommendation"
}

// finalNotes are the final announcement's notes on an amendment (why, and which
// version it replaces) and on the supervisor's second signature.
func finalNotes(rec *Recommendation) []slack.Block {
	var blocks []slack.Block
	if rec.Version > 1 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(fmt.Sprintf(
			":pencil2: *Amended* (version %d; version %d and earlier stay in the record). *Why:* %s",
			rec.Version, rec.Version-1, esc(rec.AmendReason)), maxSectionText)), nil, nil))
	}
	if rec.SignOff == SignOffSigned {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(
			":writing_hand: Signed off by supervisor <@%s>, %s.", rec.SignedBy, SlackTime(rec.SignedAt)))))
	}
	return blocks
}

// SignOffRequestMessage asks a supervisor, in the referral's channel, to sign off
// a recommendation; once signed it says who signed and when, and has no button.
func SignOffRequestMessage(r *Referral, rec *Recommendation, roster *Roster) Message {
	who := ""
	if g := roster.Supervisors.UserGroup; g != "" {
		who = fmt.Sprintf(" <!subteam^%s>", g)
	}
	what := "recommendation"
	if rec.Version > 1 {
		what = fmt.Sprintf("amended recommendation (version %d)", rec.Version)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(truncate(fmt.Sprintf(":writing_hand: *Supervisor's sign-off needed*%s — <@%s> recorded the %s *%s* on %s, %s. It is not final until a supervisor other than the analyst signs it off.",
			who, rec.RecordedBy, what, rec.Outcome.LabelFor(r.Agency), esc(caseTitle(r)), SlackTime(rec.RecordedAt)), maxSectionText)), nil, nil),
	}
	if rec.Rationale != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate("*Rationale:* "+esc(rec.Rationale), maxSectionText)), nil, nil))
	}
	if rec.Basis != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate("*Statutory and regulatory basis:* "+esc(rec.Basis), maxSectionText)), nil, nil))
	}
	text := fmt.Sprintf("Sign-off needed on %s: %s", r.CaseNumber, rec.Outcome.LabelFor(r.Agency))
	if rec.SignOff == SignOffSigned {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(":white_check_mark: Signed off by <@%s>, %s.", rec.SignedBy, SlackTime(rec.SignedAt)))))
		text = fmt.Sprintf("Signed off on %s: %s", r.CaseNumber, rec.Outcome.LabelFor(r.Agency))
	} else {
		blocks = append(blocks, slack.NewActionBlock("sign_off_"+strconv.FormatInt(rec.ID, 10), signOffButton(r, rec)))
	}
	return Message{Text: text, Blocks: blocks, Key: "signoff:" + strconv.FormatInt(rec.ID, 10)}
}

// SignOffDM tells a supervisor that a recommendation awaits their sign-off: the
// case number and the button, no details (they stay in the referral's channel).
func SignOffDM(r *Referral, rec *Recommendation) Message {
	text := fmt.Sprintf("%s case %s: a %s recommendation by <@%s> awaits a supervisor's sign-off.",
		r.Agency.ShortName(), r.CaseNumber, rec.Outcome.LabelFor(r.Agency), rec.RecordedBy)
	if r.ChannelID != "" {
		text += fmt.Sprintf(" The details are in <#%s>.", r.ChannelID)
	}
	return Message{Text: text, Blocks: []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
		slack.NewActionBlock("sign_off_"+strconv.FormatInt(rec.ID, 10), signOffButton(r, rec)),
	}}
}

func signOffButton(r *Referral, rec *Recommendation) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(ActionSignOff, SignOffValue(rec), plain("Sign off")).WithStyle(slack.StylePrimary).
		WithConfirm(confirmDialog("Sign off?", truncate(fmt.Sprintf(
			"This records your second signature on %s for %s, under your name, and makes it final.",
			rec.Outcome.LabelFor(r.Agency), caseTitle(r)), maxConfirmText), "Sign off", "Cancel"))
}
