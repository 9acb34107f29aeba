package slackfake

import (
	"encoding/json"
	"strings"
)

// interactiveTypes are the element types Slack gives an action_id when the app leaves
// it out.
var interactiveTypes = map[string]bool{
	"button": true, "overflow": true, "datepicker": true, "timepicker": true, "datetimepicker": true,
	"checkboxes": true, "radio_buttons": true, "plain_text_input": true, "number_input": true,
	"email_text_input": true, "url_text_input": true, "rich_text_input": true, "file_input": true,
	"static_select": true, "external_select": true, "users_select": true, "conversations_select": true,
	"channels_select": true, "multi_static_select": true, "multi_external_select": true,
	"multi_users_select": true, "multi_conversations_select": true, "multi_channels_select": true,
	"workflow_button": true,
}

// element is an interactive element found in a list of blocks.
type element struct {
	blockIndex int
	block      map[string]any
	el         map[string]any
}

func (e element) blockID() string  { return str(e.block["block_id"]) }
func (e element) actionID() string { return str(e.el["action_id"]) }
func (e element) kind() string     { return str(e.el["type"]) }

// elementsOf lists the interactive elements of blocks: actions elements, section
// accessories and input elements, in order.
func elementsOf(blocks []any) []element {
	var out []element
	for i, b := range blocks {
		bm, ok := b.(map[string]any)
		if !ok {
			continue
		}
		var els []any
		switch str(bm["type"]) {
		case "actions":
			els, _ = bm["elements"].([]any)
		case "section":
			els = []any{bm["accessory"]}
		case "input":
			els = []any{bm["element"]}
		}
		for _, e := range els {
			if em, ok := e.(map[string]any); ok && interactiveTypes[str(em["type"])] {
				out = append(out, element{blockIndex: i, block: bm, el: em})
			}
		}
	}
	return out
}

// decodeBlocks reads stored blocks JSON; nil for none.
func decodeBlocks(raw []byte) []any {
	var blocks []any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &blocks)
	}
	return blocks
}

// fillIDs gives every block and interactive element that has no id one, as Slack does,
// and returns the blocks as JSON; nil when there are none. Call with s.mu held.
func (s *Server) fillIDs(blocks []any) []byte {
	if len(blocks) == 0 {
		return nil
	}
	for _, b := range blocks {
		if bm, ok := b.(map[string]any); ok && str(bm["block_id"]) == "" {
			bm["block_id"] = s.newID("auto-")
		}
	}
	for _, e := range elementsOf(blocks) {
		if e.actionID() == "" {
			e.el["action_id"] = s.newID("auto-")
		}
	}
	raw, _ := json.Marshal(blocks)
	return raw
}

// invalidBlocks is Slack's invalid_blocks answer listing what is wrong.
func invalidBlocks(problems []Problem) error {
	errs, msgs := make([]string, len(problems)), make([]string, len(problems))
	for i, p := range problems {
		errs[i], msgs[i] = p.String(), "[ERROR] "+p.String()
	}
	return &apiError{Code: "invalid_blocks", Extra: map[string]any{
		"errors":            errs,
		"response_metadata": map[string]any{"messages": msgs},
	}}
}

// invalidView is Slack's invalid_arguments answer to a view that breaks Block Kit rules.
func invalidView(problems []Problem) error {
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = "[ERROR] " + p.String()
	}
	return apiErrMessages("invalid_arguments", msgs...)
}

// str is v as a string, "" when it is not one.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// textOf is the text of a text object such as a button's text, "" when absent.
func textOf(v any) string {
	m, _ := v.(map[string]any)
	return strings.TrimSpace(str(m["text"]))
}
