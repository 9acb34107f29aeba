package bot

import (
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"
)

// Modal titles and buttons are at most 24 characters (SLACK.md).
const maxModalTitle = 24

func textInput(field, label, hint, placeholder string, max int, multiline, optional bool, initial string) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(nil, InputAction).WithMaxLength(max).WithMultiline(multiline)
	if placeholder != "" {
		el.Placeholder = plain(placeholder)
	}
	if initial != "" {
		el = el.WithInitialValue(truncate(initial, max))
	}
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint)
	}
	return slack.NewInputBlock(field, plain(label), h, el).WithOptional(optional)
}

func modal(callback, title, submit, metadata string, blocks []slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callback,
		Title:           plain(truncate(title, maxModalTitle)),
		Submit:          plain(submit),
		Close:           plain("Cancel"),
		PrivateMetadata: metadata,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// NewReferralModal is the "New referral" form. Due dates left empty get the defaults
// (shown in the hints); every office is asked unless the analyst removes some, or
// the staffing rules chose others (staffing; blocks_staffing.go).
func NewReferralModal(roster *Roster, today string, stateDue, commerceDue string, staffing StaffingForm) slack.ModalViewRequest {
	agencies := []*slack.OptionBlockObject{
		slack.NewOptionBlockObject(string(AgencyState), plain(AgencyState.Label()), nil),
		slack.NewOptionBlockObject(string(AgencyCommerce), plain(AgencyCommerce.Label()), nil),
	}
	var types []*slack.OptionBlockObject
	for _, a := range []Agency{AgencyState, AgencyCommerce} {
		for _, t := range LicenseTypes[a] {
			types = append(types, slack.NewOptionBlockObject(t, plain(t), nil))
		}
	}
	var offices, chosen []*slack.OptionBlockObject
	for _, o := range roster.Offices {
		opt := slack.NewOptionBlockObject(o.Code, plain(o.Name), nil)
		offices = append(offices, opt)
		if staffing.chooses(o.Code) {
			chosen = append(chosen, opt)
		}
	}
	received := slack.NewDatePickerBlockElement(InputAction)
	received.InitialDate = today
	blocks := []slack.Block{
		slack.NewInputBlock(FieldAgency, plain("Licensing agency"), nil,
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("State or Commerce"), InputAction, agencies...)),
		textInput(FieldCaseNumber, "Case number", "State: DDTC case number. Commerce: application control number, e.g. Z123456.", "Z123456", 20, false, false, ""),
		reReferralInput(),
		slack.NewInputBlock(FieldLicenseType, plain("License type"), nil,
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("DSP-5, TAA, BIS-748P…"), InputAction, types...)),
		textInput(FieldApplicant, "Applicant", "", "Company name", MaxShortText, false, false, ""),
		textInput(FieldCommodity, "Commodity", "", "Short description", 500, true, false, ""),
		staffing.dispatch(textInput(FieldClassification, "Classification", "USML category (State), e.g. XI(a)(3); or ECCN (Commerce), e.g. 5A002."+staffing.enterHint(), "", 40, false, false, "")),
		staffing.dispatch(textInput(FieldDestination, "Destination country", "ISO 3166 two-letter code, e.g. DE.", "DE", 2, false, false, "")),
		textInput(FieldEndUser, "End user and consignees", "", "", 500, true, true, ""),
		staffing.dispatch(textInput(FieldValue, "Value (US dollars)", "Whole dollars, e.g. 1250000.", "", 20, false, false, "")),
		textInput(FieldUSXPORTS, "USXPORTS reference", "DoD's case number in USXPORTS, if it has one yet, e.g. DTSA-2026-004512.", "", usxportsMax, false, true, ""),
		slack.NewInputBlock(FieldReceived, plain("Received by DoD"), nil, received),
		slack.NewInputBlock(FieldDoDDue, plain("DoD due date"), plain(fmt.Sprintf(
			"Leave empty for the default: %s for State, %s for Commerce (received today).", stateDue, commerceDue)),
			slack.NewDatePickerBlockElement(InputAction)).WithOptional(true),
		slack.NewInputBlock(FieldOfficeDue, plain("Office due date (suspense)"), plain(
			"Leave empty for the default: business days before the DoD due date, federal holidays excluded."),
			slack.NewDatePickerBlockElement(InputAction)).WithOptional(true),
		slack.NewInputBlock(FieldOffices, plain("Offices to ask"), plain(
			"Leave empty to close a low-concern case without staffing it: you then record the recommendation directly."),
			slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("Offices"), staffing.officesAction(), offices...).
				WithInitialOptions(chosen...)).WithOptional(true),
	}
	blocks = append(blocks, staffing.reasons(roster)...)
	blocks = append(blocks,
		slack.NewInputBlock(FieldAlsoInvite, plain("Also invite"), plain(
			"Only you are invited to the referral's channel; reviewers join from their office's queue. Name anyone else who should be there."),
			slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("People"), InputAction)).WithOptional(true),
	)
	return modal(CallbackOpenReferral, "New referral", "Open referral", staffing.metadata(), blocks)
}

// PositionMeta is the private metadata of the position modal.
type PositionMeta struct {
	AskID   int64   `json:"ask"`
	Seen    int     `json:"seen"` // the version of the position shown when the modal opened
	Outcome Outcome `json:"outcome"`
	Channel string  `json:"channel,omitempty"`
	// Agency words the form's problems (provisos or conditions); the rules follow the
	// referral's own agency, read again when the position is recorded.
	Agency Agency `json:"agency,omitempty"`
}

// PositionModal asks for what must come with a position: provisos (conditions, on a
// Commerce referral), questions, or reasons — with the statutory and regulatory
// basis on a Commerce denial — and an optional comment. It is prefilled from the
// office's current position when that has the same outcome.
// seen is the version of the position on the message the person pressed; lib
// offers the referral's agency's standard provisos (nil: none).
func PositionModal(r *Referral, a *Ask, outcome Outcome, roster *Roster, channel string, seen int, lib *ProvisoLibrary) slack.ModalViewRequest {
	name := roster.OfficeName(a.OfficeCode)
	var cur Position
	if a.Current != nil && a.Current.Outcome == outcome {
		cur = *a.Current
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* — %s on *%s*", esc(name), outcome.LabelFor(r.Agency), esc(caseTitle(r)))), nil, nil),
	}
	switch outcome {
	case OutcomeApproveWithProvisos:
		blocks = append(blocks, provisoInputs(r, lib, name, cur.Provisos)...)
	case OutcomeRWA:
		blocks = append(blocks, textInput(FieldQuestions, "Questions or missing information", "Why the office returns it without action: what must the applicant or agency answer before you can decide?", "", MaxLongText, true, false, cur.Questions))
	case OutcomeDeny:
		hint := "Required: the statement of reasons for the denial."
		if r.Agency == AgencyCommerce {
			hint = "Required: EO 12981 requires a statement of reasons for a denial."
		}
		blocks = append(blocks, textInput(FieldReasons, "Reasons for denial", hint, "", MaxLongText, true, false, cur.Reasons))
		if r.Agency == AgencyCommerce {
			blocks = append(blocks, basisInput("Required on a Commerce denial (EO 12981), as well as the reasons: the EAR provisions and the statute the denial rests on.", cur.Basis, false))
		}
	}
	blocks = append(blocks, textInput(FieldComment, "Comment", "", "", MaxLongText, true, true, cur.Comment))
	meta, _ := json.Marshal(PositionMeta{AskID: a.ID, Seen: seen, Outcome: outcome, Channel: channel, Agency: r.Agency})
	title := outcome.LabelFor(r.Agency)
	if outcome == OutcomeRWA {
		title = "Return without action"
	}
	return modal(CallbackPosition, title, "Record position", string(meta), blocks)
}

// basisInput is where a Commerce denial's statutory and regulatory basis is typed
// (EO 12981).
func basisInput(hint, initial string, optional bool) *slack.InputBlock {
	return textInput(FieldBasis, "Statutory and regulatory basis", hint, "e.g. 15 CFR 742.4 (national security); 50 U.S.C. 4813",
		MaxLongText, true, optional, initial)
}
