package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func TestSubmitView(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)
	id := openForm(t, f, api, a, tr, general)
	answers := []any{slack.NewErrorsViewSubmissionResponse(map[string]string{"comment": "Say why"}), nil}
	a.onAction = func(slack.InteractionCallback) any { ans := answers[0]; answers = answers[1:]; return ans }

	ack, err := f.SubmitView(tr, "U1", id,
		slackfake.Input{BlockID: "position", Value: "deny"},
		slackfake.Input{BlockID: "provisos", Values: []string{"p1", "p3"}},
		slackfake.Input{BlockID: "analyst", Value: "U2"},
		slackfake.Input{BlockID: "reviewers", ActionID: "us", Values: []string{"U1", "U2"}},
	)
	if err != nil || !strings.Contains(string(ack.Body), `"response_action":"errors"`) {
		t.Fatalf("got %s %v", ack.Body, err)
	}
	ic := a.lastInteraction(t)
	if ic.Type != slack.InteractionTypeViewSubmission || ic.User.ID != "U1" || ic.View.ID != id ||
		ic.View.CallbackID != "position" || ic.View.PrivateMetadata != "ref=42" || ic.TriggerID == "" {
		t.Errorf("got %+v", ic)
	}
	st := ic.View.State.Values
	checks := []struct{ name, got, want string }{
		{"static_select", st["position"]["pick"].SelectedOption.Value, "deny"},
		{"static_select text", st["position"]["pick"].SelectedOption.Text.Text, "deny label"},
		{"multi_static_select", fmt.Sprint(len(st["provisos"]["pick"].SelectedOptions)), "2"},
		{"multi_static_select 2nd", st["provisos"]["pick"].SelectedOptions[1].Value, "p3"},
		{"empty plain_text_input", st["comment"]["text"].Value, ""},
		{"datepicker initial", st["due"]["date"].SelectedDate, "2024-03-15"},
		{"radio initial", st["urgency"]["r"].SelectedOption.Value, "high"},
		{"checkboxes none", fmt.Sprint(len(st["checks"]["c"].SelectedOptions)), "0"},
		{"users_select", st["analyst"]["u"].SelectedUser, "U2"},
		{"multi_users_select", fmt.Sprint(st["reviewers"]["us"].SelectedUsers), "[U1 U2]"},
		{"type", string(st["analyst"]["u"].Type), "users_select"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q; want %q", c.name, c.got, c.want)
		}
	}
	if v, _ := f.View(id); v.Closed || v.Errors["comment"] != "Say why" {
		t.Errorf("after an errors ack: got closed=%v errors=%v; want open with the error", v.Closed, v.Errors)
	}

	if _, err := f.SubmitView(tr, "U1", id, slackfake.Input{BlockID: "position", Value: "approve"},
		slackfake.Input{BlockID: "analyst", Value: "U2"}, slackfake.Input{BlockID: "comment", Value: "fine"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.View(id); !v.Closed || !f.ViewClosed(id) || v.Errors != nil {
		t.Errorf("after an empty ack: got %+v; want closed", v)
	}
	if _, err := f.SubmitView(tr, "U1", id); !errors.Is(err, slackfake.ErrViewNotOpen) {
		t.Errorf("submitting a closed view: got %v; want ErrViewNotOpen", err)
	}
}

func TestSubmitViewRefusesWhatAPersonCannotEnter(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)
	id := openForm(t, f, api, a, tr, general)
	base := []slackfake.Input{{BlockID: "position", Value: "approve"}, {BlockID: "analyst", Value: "U2"}}
	tests := []struct {
		name string
		user string
		in   []slackfake.Input
		want error
	}{
		{"someone else's view", "U2", base, slackfake.ErrNotYourView},
		{"required left empty", "U1", base[:1], slackfake.ErrInvalidInput},
		{"option not offered", "U1", append(base, slackfake.Input{BlockID: "provisos", Values: []string{"p9"}}), slackfake.ErrInvalidInput},
		{"no such block", "U1", append(base, slackfake.Input{BlockID: "nope", Value: "x"}), slackfake.ErrInvalidInput},
		{"not an input block", "U1", append(base, slackfake.Input{BlockID: "summary", Value: "x"}), slackfake.ErrInvalidInput},
		{"too long", "U1", append(base, slackfake.Input{BlockID: "comment", Value: strings.Repeat("x", 21)}), slackfake.ErrInvalidInput},
		{"no such user to pick", "U1", []slackfake.Input{{BlockID: "position", Value: "approve"}, {BlockID: "analyst", Value: "U404"}}, slackfake.ErrInvalidInput},
		{"bad date", "U1", append(base, slackfake.Input{BlockID: "due", Value: "15/03/2024"}), slackfake.ErrInvalidInput},
		{"wrong action_id", "U1", append(base, slackfake.Input{BlockID: "comment", ActionID: "other", Value: "x"}), slackfake.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.SubmitView(tr, tt.user, id, tt.in...); !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.interactions) != 0 {
		t.Errorf("refused submissions reached the app: %d", len(a.interactions))
	}
}

func TestViewSubmissionAcks(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)
	id := openForm(t, f, api, a, tr, general)
	filled := []slackfake.Input{{BlockID: "position", Value: "approve"}, {BlockID: "analyst", Value: "U2"}}
	next := slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Confirm"), Submit: plain("Confirm"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section("Sure?")}}}

	a.onAction = func(slack.InteractionCallback) any {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"summary": "x"})
	}
	if _, err := f.SubmitView(tr, "U1", id, filled...); !errors.Is(err, slackfake.ErrBadAck) {
		t.Errorf("errors keyed by a section: got %v; want ErrBadAck", err)
	}

	a.onAction = func(slack.InteractionCallback) any { return slack.NewUpdateViewSubmissionResponse(&next) }
	if _, err := f.SubmitView(tr, "U1", id, filled...); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.View(id); v.Closed || v.Title != "Confirm" || v.Updates != 1 {
		t.Errorf("after update: got %+v", v)
	}

	a.onAction = func(slack.InteractionCallback) any { return slack.NewPushViewSubmissionResponse(&next) }
	if _, err := f.SubmitView(tr, "U1", id); err != nil {
		t.Fatal(err)
	}
	top, _ := f.LastView("U1")
	if top.ID == id || top.PreviousViewID != id {
		t.Fatalf("after push: top %+v", top)
	}
	if _, err := f.SubmitView(tr, "U1", id); !errors.Is(err, slackfake.ErrViewNotOpen) {
		t.Errorf("submitting the covered view: got %v; want ErrViewNotOpen", err)
	}

	a.onAction = func(slack.InteractionCallback) any { return slack.NewClearViewSubmissionResponse() }
	if _, err := f.SubmitView(tr, "U1", top.ID); err != nil {
		t.Fatal(err)
	}
	if !f.ViewClosed(id) || !f.ViewClosed(top.ID) {
		t.Error("clear must close the whole stack")
	}
}

func TestSubmitViewRawState(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)
	id := openForm(t, f, api, a, tr, general)
	var payload map[string]any
	raw := slackfake.TransportFunc(func(_ context.Context, d slackfake.Delivery) (slackfake.Ack, error) {
		return slackfake.Ack{Status: 200}, json.Unmarshal(d.Payload, &payload)
	})
	if _, err := f.SubmitView(raw, "U1", id, slackfake.Input{BlockID: "position", Value: "approve"}, slackfake.Input{BlockID: "analyst", Value: "U2"}); err != nil {
		t.Fatal(err)
	}
	values := payload["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
	comment := values["comment"].(map[string]any)["text"].(map[string]any)
	if v, ok := comment["value"]; !ok || v != nil || comment["type"] != "plain_text_input" {
		t.Errorf("empty text input: got %v; want {type: plain_text_input, value: null} as Slack sends", comment)
	}
	if sel := values["checks"].(map[string]any)["c"].(map[string]any)["selected_options"]; fmt.Sprint(sel) != "[]" {
		t.Errorf("no checkboxes: got %v; want []", sel)
	}
}
