package slackfake

import (
	"fmt"
	"unicode/utf8"
)

// element checks an interactive element; ids holds the action_ids already used in the
// same block, which must be unique.
func (v *validator) element(p string, x any, ids map[string]bool) {
	e, ok := x.(map[string]any)
	if !ok {
		v.add(p, "must be an object")
		return
	}
	if id, ok := e["action_id"].(string); ok {
		v.maxLen(p+"/action_id", id, maxIDLength)
		if ids[id] {
			v.add(p+"/action_id", "duplicate action_id")
		}
		ids[id] = true
	}
	if ph, ok := e["placeholder"]; ok {
		v.text(p+"/placeholder", ph, maxPlaceholder, true)
	}
	if c, ok := e["confirm"]; ok {
		v.confirm(p+"/confirm", c)
	}
	switch typ := str(e["type"]); typ {
	case "button":
		v.text(p+"/text", e["text"], maxButtonText, true)
		v.maxLen(p+"/value", e["value"], maxButtonValue)
		v.maxLen(p+"/url", e["url"], maxURLLength)
		if style, ok := e["style"]; ok && style != "primary" && style != "danger" {
			v.add(p+"/style", "must be a valid enum value")
		}
	case "plain_text_input":
		v.textInput(p, e)
	case "static_select", "multi_static_select":
		if e["options"] == nil && e["option_groups"] == nil {
			v.add(p, "must provide either options or option_groups")
		}
		if e["options"] != nil {
			v.options(p+"/options", e["options"], maxOptions)
		}
		if e["option_groups"] != nil {
			for i, g := range v.items(p+"/option_groups", e["option_groups"], 1, maxOptions) {
				gm, _ := g.(map[string]any)
				gp := fmt.Sprintf("%s/option_groups/%d", p, i)
				v.text(gp+"/label", gm["label"], maxOptionText, true)
				v.options(gp+"/options", gm["options"], maxOptions)
			}
		}
	case "radio_buttons", "checkboxes":
		v.options(p+"/options", e["options"], maxChoiceOptions)
	case "overflow":
		v.options(p+"/options", e["options"], maxOverflowOptions)
	case "":
		v.add(p+"/type", "missing required field: type")
	default:
		if !interactiveTypes[typ] {
			v.add(p+"/type", "must be a valid enum value")
		}
	}
}

// confirm checks a confirmation dialog object: title, text, confirm and deny are
// all required plain_text (title at most 100 characters, text 300, the buttons 30
// each), style primary or danger.
func (v *validator) confirm(p string, x any) {
	c, ok := x.(map[string]any)
	if !ok {
		v.add(p, "must be an object")
		return
	}
	v.text(p+"/title", c["title"], maxConfirmTitle, true)
	v.text(p+"/text", c["text"], maxConfirmText, true)
	v.text(p+"/confirm", c["confirm"], maxConfirmButton, true)
	v.text(p+"/deny", c["deny"], maxConfirmButton, true)
	if style, ok := c["style"]; ok && style != "primary" && style != "danger" {
		v.add(p+"/style", "must be a valid enum value")
	}
}

// textInput checks plain_text_input lengths: max_length at most 3000, and an
// initial_value no longer than max_length.
func (v *validator) textInput(p string, e map[string]any) {
	limit := maxInputLength
	if x, ok := e["max_length"]; ok {
		n, isNum := x.(float64)
		switch {
		case !isNum || n != float64(int(n)):
			v.add(p+"/max_length", "must be an integer")
		case n < 1 || n > maxInputLength:
			v.add(p+"/max_length", fmt.Sprintf("must be between 1 and %d", maxInputLength))
		default:
			limit = int(n)
		}
	}
	if x, ok := e["min_length"]; ok {
		n, isNum := x.(float64)
		if !isNum || n < 0 || n > float64(limit) {
			v.add(p+"/min_length", fmt.Sprintf("must be between 0 and %d", limit))
		}
	}
	if s, ok := e["initial_value"].(string); ok && utf8.RuneCountInString(s) > limit {
		v.add(p+"/initial_value", fmt.Sprintf("must be less than %d characters", limit+1))
	}
}

// options checks a list of option objects: text at most 75 characters, value at most 150.
func (v *validator) options(p string, x any, most int) {
	for i, o := range v.items(p, x, 1, most) {
		op := fmt.Sprintf("%s/%d", p, i)
		om, ok := o.(map[string]any)
		if !ok {
			v.add(op, "must be an object")
			continue
		}
		v.text(op+"/text", om["text"], maxOptionText, false)
		v.maxLen(op+"/value", om["value"], maxOptionValue)
		if d, ok := om["description"]; ok {
			v.text(op+"/description", d, maxOptionText, false)
		}
	}
}
