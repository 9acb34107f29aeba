package bot

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/slack-go/slack"
)

// The New referral form opens before the analyst has typed the classification, so
// the staffing rules cannot choose the offices then. With rules configured, the
// classification, destination and value inputs dispatch a block action when the
// analyst presses Enter in them (dispatch_action); the bot runs the rules on what
// the form holds and updates the view (views.update) with the offices they choose
// pre-selected and a line saying which rule chose each. The analyst can still
// change the selection before submitting.

// ActionStaffedPrefix starts the action_id of the offices select once the rules have
// chosen offices. Slack keeps what a person entered in an input across views.update
// when block_id and action_id stay the same, so the rules' choice would never show;
// a new action_id per choice makes Slack show the new initial options.
const ActionStaffedPrefix = "offices_by_rules_"

// BlockStaffingReasons is the context block saying which rule chose which office.
const BlockStaffingReasons = "staffing_reasons"

// StaffingForm is what the New referral form shows of the staffing rules.
type StaffingForm struct {
	// Rules: the operator has staffing rules, so the inputs they read dispatch.
	Rules bool
	// Applied: the rules were run on what the form holds; Suggested is their answer.
	Applied   bool
	Suggested []OfficeSuggestion
}

// staffingMeta is the form's private metadata once the rules chose offices, so the
// submission can record which rule chose each office the analyst kept.
type staffingMeta struct {
	StaffedBy []OfficeSuggestion `json:"staffed_by"`
}

// chooses reports whether the form pre-selects an office: every office, unless
// the rules chose some.
func (f StaffingForm) chooses(code string) bool {
	return len(f.Suggested) == 0 || slices.ContainsFunc(f.Suggested, func(s OfficeSuggestion) bool { return s.Office == code })
}

func (f StaffingForm) officesAction() string {
	if len(f.Suggested) == 0 {
		return InputAction
	}
	h := fnv.New64a()
	h.Write([]byte(strings.Join(SuggestionCodes(f.Suggested), ",")))
	return fmt.Sprintf("%s%016x", ActionStaffedPrefix, h.Sum64())
}

func (f StaffingForm) dispatch(b *slack.InputBlock) *slack.InputBlock {
	return b.WithDispatchAction(f.Rules)
}

func (f StaffingForm) enterHint() string {
	if !f.Rules {
		return ""
	}
	return " Press Enter here (or in the destination or value) to have the staffing rules choose the offices."
}

// reasons is the context block under the offices: which rule chose each.
func (f StaffingForm) reasons(roster *Roster) []slack.Block {
	if !f.Applied {
		return nil
	}
	text := "No staffing rule matches what the form holds so far: the rules suggest no offices."
	if len(f.Suggested) > 0 {
		text = "Chosen by the staffing rules (change them freely): " + strings.Join(SuggestionReasons(roster, f.Suggested), "; ") + "."
	}
	return []slack.Block{slack.NewContextBlock(BlockStaffingReasons, plain(truncate(text, 2000)))}
}

func (f StaffingForm) metadata() string {
	if len(f.Suggested) == 0 {
		return ""
	}
	raw, _ := json.Marshal(staffingMeta{StaffedBy: f.Suggested})
	if len(raw) > 3000 { // private_metadata's limit: the record then names no rules
		return ""
	}
	return string(raw)
}

// StaffedByOf reads which rule chose which office from the New referral form's
// private metadata; none when the rules chose nothing.
func StaffedByOf(metadata string) []OfficeSuggestion {
	var m staffingMeta
	if metadata == "" || json.Unmarshal([]byte(metadata), &m) != nil {
		return nil
	}
	return m.StaffedBy
}

// HasStaffingRules reports whether the operator configured any staffing rules.
func (s *Service) HasStaffingRules() bool { return s.staffing != nil && len(s.staffing.Rules) > 0 }
