package slackfake_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

// dispatchForm has a dispatching text input, a plain one, and a multi-select whose
// action_id the app changes to show new initial options.
func dispatchForm(pickAction string, initial string) slack.ModalViewRequest {
	raw := `{"type":"modal","callback_id":"new","title":{"type":"plain_text","text":"New"},"submit":{"type":"plain_text","text":"Open"},
	"blocks":[` +
		`{"type":"input","block_id":"class","dispatch_action":true,"label":{"type":"plain_text","text":"Class"},"element":{"type":"plain_text_input","action_id":"text"}},` +
		`{"type":"input","block_id":"quiet","label":{"type":"plain_text","text":"Quiet"},"element":{"type":"plain_text_input","action_id":"text"}},` +
		inputBlock("offices", true, `{"type":"multi_static_select","action_id":"`+pickAction+`","options":[`+opt("army")+`,`+opt("navy")+`],"initial_options":[`+opt(initial)+`]}`) +
		`]}`
	var m slack.ModalViewRequest
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		panic(err)
	}
	return m
}

func TestDispatchInput(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)
	var id, hash string
	a.onCommand = func(cmd slack.SlashCommand) any {
		resp, err := api.OpenView(cmd.TriggerID, dispatchForm("pick", "army"))
		if err != nil {
			t.Errorf("views.open: %v", err)
			return nil
		}
		id, hash = resp.ID, resp.Hash
		return nil
	}
	if _, err := f.SlashCommand(tr, "U1", general, "/new", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DispatchInput(tr, "U1", id, slackfake.Input{BlockID: "quiet", Value: "x"}); !errors.Is(err, slackfake.ErrInvalidInput) {
		t.Errorf("Enter in an input that does not dispatch: got %v; want ErrInvalidInput", err)
	}
	if _, err := f.DispatchInput(tr, "U1", id, slackfake.Input{BlockID: "class", Value: "XI(a)"},
		slackfake.Input{BlockID: "quiet", Value: "typed"}, slackfake.Input{BlockID: "offices", Values: []string{"navy"}}); err != nil {
		t.Fatal(err)
	}
	ic := a.lastInteraction(t)
	act := ic.ActionCallback.BlockActions
	if ic.Type != slack.InteractionTypeBlockActions || ic.View.ID != id || ic.View.Hash != hash || len(act) != 1 ||
		act[0].ActionID != "text" || act[0].BlockID != "class" || act[0].Value != "XI(a)" || act[0].Type != "plain_text_input" {
		t.Fatalf("got %+v; want block_actions for class with XI(a)", ic)
	}
	if st := ic.View.State.Values; st["quiet"]["text"].Value != "typed" || st["offices"]["pick"].SelectedOptions[0].Value != "navy" {
		t.Errorf("state %+v; want what was entered", st)
	}

	// Same ids: what was entered stays. A new action_id: the new initial options show.
	if _, err := api.UpdateView(dispatchForm("pick", "army"), "", hash, id); err != nil {
		t.Fatal(err)
	}
	a.onAction = func(slack.InteractionCallback) any { return nil }
	if _, err := f.DispatchInput(tr, "U1", id, slackfake.Input{BlockID: "class", Value: "XI(b)"}); err != nil {
		t.Fatal(err)
	}
	if st := a.lastInteraction(t).View.State.Values; st["quiet"]["text"].Value != "typed" || st["offices"]["pick"].SelectedOptions[0].Value != "navy" {
		t.Errorf("after an update keeping the ids: state %+v; want what was entered kept", st)
	}
	v, _ := f.View(id)
	if _, err := api.UpdateView(dispatchForm("pick2", "army"), "", v.Hash, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.SubmitView(tr, "U1", id); err != nil {
		t.Fatal(err)
	}
	st := a.lastInteraction(t).View.State.Values
	if st["class"]["text"].Value != "XI(b)" || st["quiet"]["text"].Value != "typed" {
		t.Errorf("submitted %+v; want the text entered before", st)
	}
	if got := st["offices"]["pick2"].SelectedOptions; len(got) != 1 || got[0].Value != "army" {
		t.Errorf("offices after a new action_id: got %+v; want the new initial option army", got)
	}
}
