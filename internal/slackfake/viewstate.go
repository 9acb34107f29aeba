package slackfake

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Input is what a person enters in one input block of a modal. The element's type comes
// from the view, so the same fields serve every element:
//
//   - Value: text typed (plain_text_input and the other text inputs), the value of the
//     option picked (static_select, radio_buttons, external_select), a date "2006-01-02"
//     (datepicker), a time "15:04" (timepicker), or a user, channel or conversation id
//     (users_select, channels_select, conversations_select);
//   - Values: the option values or ids picked in multi-selects and checkboxes.
type Input struct {
	BlockID  string
	ActionID string // optional: the input block has one element
	Value    string
	Values   []string
}

// Single-value state fields by element type, and the element field with the initial value.
var singleState = map[string][2]string{
	"datepicker":           {"selected_date", "initial_date"},
	"timepicker":           {"selected_time", "initial_time"},
	"users_select":         {"selected_user", "initial_user"},
	"channels_select":      {"selected_channel", "initial_channel"},
	"conversations_select": {"selected_conversation", "initial_conversation"},
}

// Multi-value state fields by element type, and the element field with the initial values.
var multiState = map[string][2]string{
	"multi_users_select":         {"selected_users", "initial_users"},
	"multi_channels_select":      {"selected_channels", "initial_channels"},
	"multi_conversations_select": {"selected_conversations", "initial_conversations"},
}

// stateValues builds view.state.values the way Slack does: an entry for every input
// block element, holding what the person entered or else the initial value. When
// submitting, required inputs must have a value. Call with s.mu held.
func (s *Server) stateValues(v *viewRecord, inputs []Input, submitting bool) (map[string]any, error) {
	blocks, _ := v.spec["blocks"].([]any)
	given := map[string]Input{}
	for _, in := range inputs {
		given[in.BlockID] = in
	}
	values := map[string]any{}
	for _, e := range elementsOf(blocks) {
		if e.block["type"] != "input" {
			continue
		}
		in, ok := given[e.blockID()]
		delete(given, e.blockID())
		if ok && in.ActionID != "" && in.ActionID != e.actionID() {
			return nil, fmt.Errorf("%w: block %s has no action_id %s", ErrInvalidInput, in.BlockID, in.ActionID)
		}
		st, empty, err := s.elementState(e, in, ok)
		if err != nil {
			return nil, fmt.Errorf("%w: block %s: %v", ErrInvalidInput, e.blockID(), err)
		}
		if submitting && empty && e.block["optional"] != true {
			return nil, fmt.Errorf("%w: block %s is required", ErrInvalidInput, e.blockID())
		}
		values[e.blockID()] = map[string]any{e.actionID(): st}
	}
	for id := range given {
		return nil, fmt.Errorf("%w: no input block %s in view %s", ErrInvalidInput, id, v.id)
	}
	return values, nil
}

// elementState is one element's state: the entered value if given, else its initial
// value. empty reports that nothing is selected or typed.
func (s *Server) elementState(e element, in Input, given bool) (map[string]any, bool, error) {
	typ := e.kind()
	st := map[string]any{"type": typ}
	switch {
	case typ == "static_select" || typ == "radio_buttons" || typ == "external_select":
		value := in.Value
		if !given {
			value = str(mapOf(e.el["initial_option"])["value"])
		}
		if value == "" {
			st["selected_option"] = nil
			return st, true, nil
		}
		opt := findOption(e.el, value)
		if opt == nil && typ == "external_select" {
			opt = map[string]any{"text": map[string]any{"type": "plain_text", "text": value}, "value": value}
		}
		if opt == nil {
			return nil, false, fmt.Errorf("option %q is not offered", value)
		}
		st["selected_option"] = opt
		return st, false, nil
	case typ == "multi_static_select" || typ == "checkboxes":
		values := in.Values
		if !given {
			for _, o := range listOf(e.el["initial_options"]) {
				values = append(values, str(mapOf(o)["value"]))
			}
		}
		opts := []any{}
		for _, value := range values {
			opt := findOption(e.el, value)
			if opt == nil {
				return nil, false, fmt.Errorf("option %q is not offered", value)
			}
			opts = append(opts, opt)
		}
		st["selected_options"] = opts
		return st, len(opts) == 0, nil
	case singleState[typ] != [2]string{}:
		field := singleState[typ]
		value := in.Value
		if !given {
			value = str(e.el[field[1]])
		}
		if err := s.checkPick(typ, value); err != nil {
			return nil, false, err
		}
		st[field[0]] = nilIfEmpty(value)
		return st, value == "", nil
	case multiState[typ] != [2]string{}:
		field := multiState[typ]
		values := slices.Clone(in.Values)
		if !given {
			for _, x := range listOf(e.el[field[1]]) {
				values = append(values, str(x))
			}
		}
		for _, value := range values {
			if err := s.checkPick(typ, value); err != nil {
				return nil, false, err
			}
		}
		if values == nil {
			values = []string{}
		}
		st[field[0]] = values
		return st, len(values) == 0, nil
	}
	value := in.Value // plain_text_input and the other text inputs
	if !given {
		value = str(e.el["initial_value"])
	}
	if maxLen, ok := e.el["max_length"].(float64); ok && utf8.RuneCountInString(value) > int(maxLen) {
		return nil, false, fmt.Errorf("text longer than max_length %d", int(maxLen))
	}
	if minLen, ok := e.el["min_length"].(float64); ok && value != "" && utf8.RuneCountInString(value) < int(minLen) {
		return nil, false, fmt.Errorf("text shorter than min_length %d", int(minLen))
	}
	st["value"] = nilIfEmpty(value)
	return st, value == "", nil
}

// checkPick checks a date, time or id a person picked exists or is well formed.
// Call with s.mu held.
func (s *Server) checkPick(typ, value string) error {
	if value == "" {
		return nil
	}
	switch typ {
	case "datepicker":
		_, err := time.Parse(time.DateOnly, value)
		return err
	case "timepicker":
		_, err := time.Parse("15:04", value)
		return err
	case "users_select", "multi_users_select":
		if s.st.people[value] == nil {
			return fmt.Errorf("no user %s to pick", value)
		}
	case "channels_select", "multi_channels_select", "conversations_select", "multi_conversations_select":
		if s.st.channels[value] == nil {
			return fmt.Errorf("no conversation %s to pick", value)
		}
	}
	return nil
}

// findOption finds the option with value among an element's options and option groups.
func findOption(el map[string]any, value string) map[string]any {
	opts := listOf(el["options"])
	for _, g := range listOf(el["option_groups"]) {
		opts = append(opts, listOf(mapOf(g)["options"])...)
	}
	for _, o := range opts {
		if om := mapOf(o); str(om["value"]) == value {
			return om
		}
	}
	return nil
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return slices.Clone(l)
}
