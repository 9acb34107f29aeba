package slackfake_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func rep(s string, n int) string { return strings.Repeat(s, n) }

func problemStrings(ps []slackfake.Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

// many returns n copies of block joined as a JSON array body.
func many(block string, n int) string { return strings.TrimSuffix(rep(block+",", n), ",") }

func TestValidateMessageBlocks(t *testing.T) {
	btn := func(text, value string) string {
		return fmt.Sprintf(`{"type":"button","action_id":"a","text":{"type":"plain_text","text":%q},"value":%q}`, text, value)
	}
	confirmed := func(title, text, confirm, deny, extra string) string {
		pt := func(s string) string { return fmt.Sprintf(`{"type":"plain_text","text":%q}`, s) }
		c := fmt.Sprintf(`"confirm":{"title":%s,"text":%s,"confirm":%s,"deny":%s%s}`, pt(title), pt(text), pt(confirm), pt(deny), extra)
		return `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"t"},` + c + `}]}]`
	}
	const cp = "/blocks/0/elements/0/confirm"
	tests := []struct {
		name   string
		blocks string
		want   []string // Problem.String()s; empty means valid
	}{
		{"valid section", `[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]`, nil},
		{"50 blocks", "[" + many(`{"type":"divider"}`, 50) + "]", nil},
		{"51 blocks", "[" + many(`{"type":"divider"}`, 51) + "]", []string{"no more than 50 items allowed [json-pointer:/blocks]"}},
		{"not an array", `{"type":"divider"}`, []string{"must be an array [json-pointer:/blocks]"}},
		{"section text 3000", `[{"type":"section","text":{"type":"mrkdwn","text":"` + rep("x", 3000) + `"}}]`, nil},
		{"section text 3001", `[{"type":"section","text":{"type":"mrkdwn","text":"` + rep("x", 3001) + `"}}]`,
			[]string{"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"}},
		{"section text counts characters not bytes", `[{"type":"section","text":{"type":"mrkdwn","text":"` + rep("é", 3000) + `"}}]`, nil},
		{"empty text", `[{"type":"section","text":{"type":"mrkdwn","text":""}}]`,
			[]string{"must be more than 0 characters [json-pointer:/blocks/0/text/text]"}},
		{"section without text or fields", `[{"type":"section"}]`, []string{"must provide either text or fields [json-pointer:/blocks/0]"}},
		{"11 fields", `[{"type":"section","fields":[` + many(`{"type":"mrkdwn","text":"f"}`, 11) + `]}]`,
			[]string{"no more than 10 items allowed [json-pointer:/blocks/0/fields]"}},
		{"field 2001", `[{"type":"section","fields":[{"type":"mrkdwn","text":"` + rep("x", 2001) + `"}]}]`,
			[]string{"must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]"}},
		{"block_id 256", `[{"type":"divider","block_id":"` + rep("b", 256) + `"}]`,
			[]string{"must be less than 256 characters [json-pointer:/blocks/0/block_id]"}},
		{"duplicate block_id", `[{"type":"divider","block_id":"x"},{"type":"divider","block_id":"x"}]`,
			[]string{"duplicate block_id [json-pointer:/blocks/1/block_id]"}},
		{"header 151", `[{"type":"header","text":{"type":"plain_text","text":"` + rep("h", 151) + `"}}]`,
			[]string{"must be less than 151 characters [json-pointer:/blocks/0/text/text]"}},
		{"header mrkdwn", `[{"type":"header","text":{"type":"mrkdwn","text":"h"}}]`,
			[]string{"must be a valid enum value [json-pointer:/blocks/0/text/type]"}},
		{"button text 75", `[{"type":"actions","elements":[` + btn(rep("t", 75), "v") + `]}]`, nil},
		{"button text 76", `[{"type":"actions","elements":[` + btn(rep("t", 76), "v") + `]}]`,
			[]string{"must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"}},
		{"button value 2001", `[{"type":"actions","elements":[` + btn("t", rep("v", 2001)) + `]}]`,
			[]string{"must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"}},
		{"button style", `[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"t"},"style":"green"}]}]`,
			[]string{"must be a valid enum value [json-pointer:/blocks/0/elements/0/style]"}},
		{"action_id 256", `[{"type":"actions","elements":[{"type":"button","action_id":"` + rep("a", 256) + `","text":{"type":"plain_text","text":"t"}}]}]`,
			[]string{"must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"}},
		{"duplicate action_id in a block", `[{"type":"actions","elements":[` + btn("t", "1") + `,` + btn("t", "2") + `]}]`,
			[]string{"duplicate action_id [json-pointer:/blocks/0/elements/1/action_id]"}},
		{"confirm at its limits", confirmed(rep("t", 100), rep("x", 300), rep("c", 30), rep("d", 30), `,"style":"danger"`), nil},
		{"confirm title 101", confirmed(rep("t", 101), "x", "c", "d", ""), []string{"must be less than 101 characters [json-pointer:" + cp + "/title/text]"}},
		{"confirm text 301", confirmed("t", rep("x", 301), "c", "d", ""), []string{"must be less than 301 characters [json-pointer:" + cp + "/text/text]"}},
		{"confirm button 31", confirmed("t", "x", rep("c", 31), "d", ""), []string{"must be less than 31 characters [json-pointer:" + cp + "/confirm/text]"}},
		{"deny button 31", confirmed("t", "x", "c", rep("d", 31), ""), []string{"must be less than 31 characters [json-pointer:" + cp + "/deny/text]"}},
		{"confirm style", confirmed("t", "x", "c", "d", `,"style":"green"`), []string{"must be a valid enum value [json-pointer:" + cp + "/style]"}},
		{"confirm title mrkdwn", strings.Replace(confirmed("t", "x", "c", "d", ""), `"title":{"type":"plain_text"`, `"title":{"type":"mrkdwn"`, 1),
			[]string{"must be a valid enum value [json-pointer:" + cp + "/title/type]"}},
		{"confirm without deny", strings.Replace(confirmed("t", "x", "c", "d", ""), `,"deny":{"type":"plain_text","text":"d"}`, "", 1),
			[]string{"missing required field [json-pointer:" + cp + "/deny]"}},
		{"confirm not an object", `[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"t"},"confirm":"sure?"}]}]`,
			[]string{"must be an object [json-pointer:" + cp + "]"}},
		{"26 actions", `[{"type":"actions","elements":[` + many(`{"type":"button","text":{"type":"plain_text","text":"t"}}`, 26) + `]}]`,
			[]string{"no more than 25 items allowed [json-pointer:/blocks/0/elements]"}},
		{"empty actions", `[{"type":"actions","elements":[]}]`, []string{"must provide at least 1 item(s) [json-pointer:/blocks/0/elements]"}},
		{"11 context elements", `[{"type":"context","elements":[` + many(`{"type":"mrkdwn","text":"c"}`, 11) + `]}]`,
			[]string{"no more than 10 items allowed [json-pointer:/blocks/0/elements]"}},
		{"unknown block type", `[{"type":"sparkle"}]`, []string{"must be a valid enum value [json-pointer:/blocks/0/type]"}},
		{"missing type", `[{}]`, []string{"missing required field: type [json-pointer:/blocks/0/type]"}},
		{"input without label", `[{"type":"input","element":{"type":"plain_text_input","action_id":"a"}}]`,
			[]string{"missing required field [json-pointer:/blocks/0/label]"}},
		{"input without element", `[{"type":"input","label":{"type":"plain_text","text":"l"}}]`,
			[]string{"missing required field [json-pointer:/blocks/0/element]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemStrings(slackfake.ValidateMessageBlocks([]byte(tt.blocks)))
			if want := append([]string{}, tt.want...); !slices.Equal(got, want) {
				t.Errorf("got %q; want %q", got, want)
			}
		})
	}
}

func TestValidateView(t *testing.T) {
	modal := func(extra, blocks string) string {
		return `{"type":"modal","title":{"type":"plain_text","text":"Record position"}` + extra + `,"blocks":[` + blocks + `]}`
	}
	input := func(element string) string {
		return `{"type":"input","block_id":"in","label":{"type":"plain_text","text":"L"},"element":` + element + `}`
	}
	submit := `,"submit":{"type":"plain_text","text":"Save"}`
	tests := []struct {
		name string
		view string
		want []string
	}{
		{"valid modal", modal(submit, input(`{"type":"plain_text_input","action_id":"a"}`)), nil},
		{"valid home", `{"type":"home","blocks":[{"type":"divider"}]}`, nil},
		{"title 25", `{"type":"modal","title":{"type":"plain_text","text":"` + rep("t", 25) + `"},"blocks":[]}`,
			[]string{"must be less than 25 characters [json-pointer:/view/title/text]"}},
		{"no title", `{"type":"modal","blocks":[]}`, []string{"missing required field [json-pointer:/view/title]"}},
		{"submit 25", modal(`,"submit":{"type":"plain_text","text":"`+rep("s", 25)+`"}`, ""),
			[]string{"must be less than 25 characters [json-pointer:/view/submit/text]"}},
		{"close 25", modal(`,"close":{"type":"plain_text","text":"`+rep("c", 25)+`"}`, ""),
			[]string{"must be less than 25 characters [json-pointer:/view/close/text]"}},
		{"input without submit", modal("", input(`{"type":"plain_text_input","action_id":"a"}`)),
			[]string{"must provide submit when the view contains an input block [json-pointer:/view/submit]"}},
		{"private_metadata 3001", modal(`,"private_metadata":"`+rep("p", 3001)+`"`, ""),
			[]string{"must be less than 3001 characters [json-pointer:/view/private_metadata]"}},
		{"callback_id 256", modal(`,"callback_id":"`+rep("c", 256)+`"`, ""),
			[]string{"must be less than 256 characters [json-pointer:/view/callback_id]"}},
		{"100 blocks", modal("", many(`{"type":"divider"}`, 100)), nil},
		{"101 blocks", modal("", many(`{"type":"divider"}`, 101)), []string{"no more than 100 items allowed [json-pointer:/view/blocks]"}},
		{"max_length 3000", modal(submit, input(`{"type":"plain_text_input","max_length":3000}`)), nil},
		{"max_length 3001", modal(submit, input(`{"type":"plain_text_input","max_length":3001}`)),
			[]string{"must be between 1 and 3000 [json-pointer:/view/blocks/0/element/max_length]"}},
		{"initial_value over max_length", modal(submit, input(`{"type":"plain_text_input","max_length":3,"initial_value":"four"}`)),
			[]string{"must be less than 4 characters [json-pointer:/view/blocks/0/element/initial_value]"}},
		{"select option text 76", modal(submit, input(`{"type":"static_select","options":[{"text":{"type":"plain_text","text":"`+rep("o", 76)+`"},"value":"v"}]}`)),
			[]string{"must be less than 76 characters [json-pointer:/view/blocks/0/element/options/0/text/text]"}},
		{"select without options", modal(submit, input(`{"type":"static_select"}`)),
			[]string{"must provide either options or option_groups [json-pointer:/view/blocks/0/element]"}},
		{"11 radio buttons", modal(submit, input(`{"type":"radio_buttons","options":[`+many(`{"text":{"type":"plain_text","text":"o"},"value":"v"}`, 11)+`]}`)),
			[]string{"no more than 10 items allowed [json-pointer:/view/blocks/0/element/options]"}},
		{"unknown type", `{"type":"dialog","blocks":[]}`, []string{"must be a valid enum value [json-pointer:/view/type]"}},
		{"not JSON", `{`, []string{"must be a JSON object [json-pointer:/view]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemStrings(slackfake.ValidateView([]byte(tt.view)))
			if want := append([]string{}, tt.want...); !slices.Equal(got, want) {
				t.Errorf("got %q; want %q", got, want)
			}
		})
	}
}
