package bot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"
)

// standardProvisoOption shows a standard proviso in the menu as "CODE · text". Slack
// filters a static menu by what is typed, so both the code and the first words are
// searchable. A text too long for one option continues in its description: 2 × 75
// characters show most of a 280-character proviso, and the record keeps it whole.
func standardProvisoOption(sp StandardProviso) *slack.OptionBlockObject {
	full := []rune(sp.Code + " · " + sp.Text)
	if len(full) <= maxOptionText {
		return slack.NewOptionBlockObject(sp.Code, plain(string(full)), nil)
	}
	cut := maxOptionText - 1
	if i := strings.LastIndex(string(full[:cut]), " "); i > 0 && len([]rune(string(full[:cut])[:i])) > maxOptionText/2 {
		cut = len([]rune(string(full[:cut])[:i])) // at a word, when one ends in the second half
	}
	text := string(full[:cut]) + "…"
	desc := truncate("…"+strings.TrimSpace(string(full[cut:])), maxOptionText)
	return slack.NewOptionBlockObject(sp.Code, plain(text), plain(desc))
}

// provisoInputs are the position form's provisos (conditions): the agency's
// standard ones to choose from, when the library has any, and a box for the
// office's own, one per line. Chosen ones prefill from cur by code; typed ones
// (no code) prefill the box.
func provisoInputs(r *Referral, lib *ProvisoLibrary, name string, cur []Proviso) []slack.Block {
	var typed []string
	var chosen []string
	for _, p := range cur {
		if p.Code != "" {
			chosen = append(chosen, p.Code)
		} else {
			typed = append(typed, p.Text)
		}
	}
	standard := lib.For(r.Agency)
	if len(standard) == 0 {
		var lines []string
		for _, p := range cur {
			lines = append(lines, p.Text)
		}
		return []slack.Block{textInput(FieldProvisos, r.Agency.TermsTitle(), fmt.Sprintf(
			"One per line, at most %d, each under %d characters. Each stays attributed to %s.", MaxProvisos, MaxProvisoLen, name),
			"For stated end-use only", 3000, true, false, strings.Join(lines, "\n"))}
	}
	var options, initial []*slack.OptionBlockObject
	for _, sp := range standard {
		o := standardProvisoOption(sp)
		options = append(options, o)
		if slices.Contains(chosen, sp.Code) {
			initial = append(initial, o)
		}
	}
	for _, code := range chosen {
		if _, ok := lib.Lookup(r.Agency, code); !ok {
			// No longer in the library: offer its words to keep as typed text.
			for _, p := range cur {
				if p.Code == code {
					typed = append(typed, p.Text)
				}
			}
		}
	}
	menu := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("Search by code or words"), InputAction, options...).
		WithMaxSelectedItems(MaxProvisos)
	if len(initial) > 0 {
		menu = menu.WithInitialOptions(initial...)
	}
	return []slack.Block{
		slack.NewInputBlock(FieldStandardProvisos, plain("Standard "+r.Agency.Terms()), plain(
			"From the library; the record keeps each one's code."), menu).WithOptional(true),
		textInput(FieldProvisos, "Other "+r.Agency.Terms(), fmt.Sprintf(
			"Your own, one per line, each under %d characters: at least one chosen or typed, at most %d in all. Each stays attributed to %s.", MaxProvisoLen, MaxProvisos, name),
			"", 3000, true, true, strings.Join(typed, "\n")),
	}
}
