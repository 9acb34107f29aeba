package slackfake

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits Slack enforces (see SLACK.md).
const (
	maxMessageBlocks   = 50
	maxViewBlocks      = 100
	maxSectionText     = 3000
	maxSectionFields   = 10
	maxFieldText       = 2000
	maxIDLength        = 255 // block_id, action_id, external_id
	maxButtonText      = 75
	maxButtonValue     = 2000
	maxURLLength       = 3000
	maxActionsElements = 25
	maxHeaderText      = 150
	maxContextElements = 10
	maxModalText       = 24 // modal title, submit and close
	maxPrivateMetadata = 3000
	maxCallbackID      = 255
	maxViewBytes       = 250 * 1024
	maxInputLength     = 3000 // plain_text_input max_length
	maxLabelText       = 2000
	maxPlaceholder     = 150
	maxOptions         = 100 // static selects
	maxChoiceOptions   = 10  // radio buttons and checkboxes
	maxOverflowOptions = 5
	maxOptionText      = 75
	maxOptionValue     = 150
	maxAltText         = 2000
	maxConfirmTitle    = 100 // a confirm dialog's title
	maxConfirmText     = 300 // its explanatory text
	maxConfirmButton   = 30  // its confirm and deny buttons
)

// Problem is one Block Kit rule a payload breaks, located by a JSON pointer the way
// Slack reports it in response_metadata.messages.
type Problem struct {
	Pointer string // e.g. "/blocks/0/text/text"
	Message string // e.g. "must be less than 3001 characters"
}

// String is the problem in Slack's wording: "message [json-pointer:/pointer]".
func (p Problem) String() string { return p.Message + " [json-pointer:" + p.Pointer + "]" }

// ValidateMessageBlocks checks a message's blocks (a JSON array) against Slack's rules;
// chat.postMessage answers invalid_blocks when there is any problem.
func ValidateMessageBlocks(blocks []byte) []Problem {
	var list any
	if err := json.Unmarshal(blocks, &list); err != nil {
		return []Problem{{"/blocks", "must be valid JSON"}}
	}
	var v validator
	v.blockList("/blocks", list, maxMessageBlocks)
	return v.problems
}

// ValidateView checks a modal or Home tab view (a JSON object) against Slack's rules;
// views.* answer invalid_arguments when there is any problem. Size (view_too_large) is
// checked separately.
func ValidateView(view []byte) []Problem {
	var m map[string]any
	if err := json.Unmarshal(view, &m); err != nil || m == nil {
		return []Problem{{"/view", "must be a JSON object"}}
	}
	var v validator
	switch str(m["type"]) {
	case "modal":
		v.text("/view/title", m["title"], maxModalText, true)
		for _, name := range []string{"submit", "close"} {
			if x, ok := m[name]; ok && x != nil {
				v.text("/view/"+name, x, maxModalText, true)
			}
		}
		if m["submit"] == nil && hasInputBlock(m["blocks"]) {
			v.add("/view/submit", "must provide submit when the view contains an input block")
		}
	case "home":
	case "":
		v.add("/view/type", "missing required field: type")
	default:
		v.add("/view/type", "must be a valid enum value")
	}
	v.maxLen("/view/private_metadata", m["private_metadata"], maxPrivateMetadata)
	v.maxLen("/view/callback_id", m["callback_id"], maxCallbackID)
	v.maxLen("/view/external_id", m["external_id"], maxIDLength)
	v.blockList("/view/blocks", m["blocks"], maxViewBlocks)
	return v.problems
}

func hasInputBlock(blocks any) bool {
	list, _ := blocks.([]any)
	for _, b := range list {
		if bm, ok := b.(map[string]any); ok && bm["type"] == "input" {
			return true
		}
	}
	return false
}

// validator collects the problems of one message or view.
type validator struct {
	problems []Problem
	blockIDs map[string]bool
}

func (v *validator) add(pointer, msg string) {
	v.problems = append(v.problems, Problem{Pointer: pointer, Message: msg})
}

func (v *validator) maxLen(p string, x any, limit int) {
	if s, ok := x.(string); ok && utf8.RuneCountInString(s) > limit {
		v.add(p, fmt.Sprintf("must be less than %d characters", limit+1))
	}
}

// items checks that x is an array of at least least and at most most items.
func (v *validator) items(p string, x any, least, most int) []any {
	list, ok := x.([]any)
	switch {
	case x == nil:
		v.add(p, "missing required field")
	case !ok:
		v.add(p, "must be an array")
	case len(list) < least:
		v.add(p, fmt.Sprintf("must provide at least %d item(s)", least))
	case len(list) > most:
		v.add(p, fmt.Sprintf("no more than %d items allowed", most))
	}
	return list
}

// text checks a required text object; plainOnly refuses mrkdwn.
func (v *validator) text(p string, x any, limit int, plainOnly bool) {
	if x == nil {
		v.add(p, "missing required field")
		return
	}
	t, ok := x.(map[string]any)
	if !ok {
		v.add(p, "must be an object")
		return
	}
	switch str(t["type"]) {
	case "plain_text":
	case "mrkdwn":
		if plainOnly {
			v.add(p+"/type", "must be a valid enum value")
		}
	default:
		v.add(p+"/type", "must be a valid enum value")
	}
	s, _ := t["text"].(string)
	if s == "" {
		v.add(p+"/text", "must be more than 0 characters")
	}
	v.maxLen(p+"/text", s, limit)
}

func (v *validator) blockList(p string, x any, limit int) {
	list := v.items(p, x, 0, limit)
	v.blockIDs = map[string]bool{}
	for i, b := range list {
		v.block(fmt.Sprintf("%s/%d", p, i), b)
	}
}

func (v *validator) block(p string, x any) {
	b, ok := x.(map[string]any)
	if !ok {
		v.add(p, "must be an object")
		return
	}
	if id, ok := b["block_id"].(string); ok {
		v.maxLen(p+"/block_id", id, maxIDLength)
		if v.blockIDs[id] {
			v.add(p+"/block_id", "duplicate block_id")
		}
		v.blockIDs[id] = true
	}
	switch str(b["type"]) {
	case "section":
		v.section(p, b)
	case "header":
		v.text(p+"/text", b["text"], maxHeaderText, true)
	case "context":
		for i, e := range v.items(p+"/elements", b["elements"], 1, maxContextElements) {
			v.contextElement(fmt.Sprintf("%s/elements/%d", p, i), e)
		}
	case "actions":
		ids := map[string]bool{}
		for i, e := range v.items(p+"/elements", b["elements"], 1, maxActionsElements) {
			v.element(fmt.Sprintf("%s/elements/%d", p, i), e, ids)
		}
	case "input":
		v.text(p+"/label", b["label"], maxLabelText, true)
		if h, ok := b["hint"]; ok {
			v.text(p+"/hint", h, maxLabelText, true)
		}
		if b["element"] == nil {
			v.add(p+"/element", "missing required field")
		} else {
			v.element(p+"/element", b["element"], map[string]bool{})
		}
	case "image":
		v.image(p, b)
	case "divider", "rich_text", "markdown", "file", "video", "table":
	case "":
		v.add(p+"/type", "missing required field: type")
	default:
		v.add(p+"/type", "must be a valid enum value")
	}
}

func (v *validator) section(p string, b map[string]any) {
	text, hasText := b["text"]
	fields, hasFields := b["fields"]
	if !hasText && !hasFields {
		v.add(p, "must provide either text or fields")
	}
	if hasText {
		v.text(p+"/text", text, maxSectionText, false)
	}
	if hasFields {
		for i, f := range v.items(p+"/fields", fields, 1, maxSectionFields) {
			v.text(fmt.Sprintf("%s/fields/%d", p, i), f, maxFieldText, false)
		}
	}
	if acc, ok := b["accessory"]; ok {
		v.element(p+"/accessory", acc, map[string]bool{})
	}
}

func (v *validator) contextElement(p string, x any) {
	e, _ := x.(map[string]any)
	switch str(e["type"]) {
	case "plain_text", "mrkdwn":
		v.text(p, e, maxSectionText, false)
	case "image":
		v.image(p, e)
	default:
		v.add(p+"/type", "must be a valid enum value")
	}
}

func (v *validator) image(p string, e map[string]any) {
	if str(e["image_url"]) == "" && e["slack_file"] == nil {
		v.add(p+"/image_url", "missing required field")
	}
	v.maxLen(p+"/image_url", e["image_url"], maxURLLength)
	if str(e["alt_text"]) == "" {
		v.add(p+"/alt_text", "must be more than 0 characters")
	}
	v.maxLen(p+"/alt_text", e["alt_text"], maxAltText)
}
