package slackfake_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject("plain_text", s, false, false)
}

// positionModal is a modal like the bot's "record a position" form.
func positionModal() slack.ModalViewRequest {
	input := slack.NewInputBlock("comment", plain("Comment"), nil,
		slack.NewPlainTextInputBlockElement(plain("Why?"), "comment_text"))
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("Record position"), Submit: plain("Save"), Close: plain("Cancel"),
		CallbackID: "position", PrivateMetadata: "ref=42",
		Blocks: slack.Blocks{BlockSet: []slack.Block{section("Z123456"), input}},
	}
}

func TestOpenView(t *testing.T) {
	c := newClock()
	f, api := newFake(t, slackfake.WithClock(c.Now))
	general := workspace(t, f)

	trigger := triggerFor(t, f, "U1", general)
	resp, err := api.OpenView(trigger, positionModal())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.ID, "V") || resp.Hash == "" || resp.CallbackID != "position" || resp.RootViewID != resp.ID {
		t.Errorf("got %+v; want an id V…, a hash, the callback_id, itself as root", resp.View)
	}
	v, ok := f.View(resp.ID)
	if !ok || v.UserID != "U1" || v.Title != "Record position" || v.PrivateMetadata != "ref=42" || v.Closed {
		t.Errorf("stored %+v; want it bound to U1 and open", v)
	}
	if last, _ := f.LastView("U1"); last.ID != resp.ID {
		t.Errorf("LastView: got %q; want %q", last.ID, resp.ID)
	}
	_, err = api.OpenView(trigger, positionModal())
	wantSlackError(t, err, "exchanged_trigger_id")
	_, err = api.OpenView("1.2.made-up", positionModal())
	wantSlackError(t, err, "invalid_trigger_id")

	late := triggerFor(t, f, "U1", general)
	c.Advance(3 * time.Second)
	_, err = api.OpenView(late, positionModal())
	wantSlackError(t, err, "expired_trigger_id")

	justInTime := triggerFor(t, f, "U1", general)
	c.Advance(2999 * time.Millisecond)
	if _, err := api.OpenView(justInTime, positionModal()); err != nil {
		t.Errorf("2.999 s old: %v; want ok", err)
	}
}

func TestOpenViewInvalid(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)

	long := positionModal()
	long.Title = plain(strings.Repeat("x", 25))
	_, err := api.OpenView(triggerFor(t, f, "U1", general), long)
	wantSlackError(t, err, "invalid_arguments")
	var se slack.SlackErrorResponse
	errors.As(err, &se)
	if want := "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"; len(se.ResponseMetadata.Messages) == 0 || se.ResponseMetadata.Messages[0] != want {
		t.Errorf("got %q; want %q", se.ResponseMetadata.Messages, want)
	}

	noSubmit := positionModal()
	noSubmit.Submit = nil
	_, err = api.OpenView(triggerFor(t, f, "U1", general), noSubmit)
	wantSlackError(t, err, "invalid_arguments")

	huge := positionModal()
	huge.Blocks.BlockSet = nil
	for range 100 {
		huge.Blocks.BlockSet = append(huge.Blocks.BlockSet, section(strings.Repeat("y", 2900)))
	}
	_, err = api.OpenView(triggerFor(t, f, "U1", general), huge)
	wantSlackError(t, err, "view_too_large")

	if got := len(f.Views()); got != 0 {
		t.Errorf("refused views stored: %d", got)
	}
}

func TestUpdateAndPushView(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	opened := must[*slack.ViewResponse](t)(api.OpenView(triggerFor(t, f, "U1", general), positionModal()))

	changed := positionModal()
	changed.Title = plain("Changed")
	updated, err := api.UpdateView(changed, "", opened.Hash, opened.ID)
	if err != nil || updated.ID != opened.ID || updated.Hash == opened.Hash || updated.Title.Text != "Changed" {
		t.Fatalf("got %+v %v; want the same id, a new hash, the new title", updated, err)
	}
	if v, _ := f.View(opened.ID); v.Updates != 1 || v.Title != "Changed" {
		t.Errorf("stored %+v", v)
	}
	_, err = api.UpdateView(changed, "", opened.Hash, opened.ID)
	wantSlackError(t, err, "hash_conflict")
	_, err = api.UpdateView(changed, "", "", "VNOPE")
	wantSlackError(t, err, "not_found")

	pushed := must[*slack.ViewResponse](t)(api.PushView(triggerFor(t, f, "U1", general), positionModal()))
	if pushed.PreviousViewID != opened.ID || pushed.RootViewID != opened.ID {
		t.Errorf("pushed %+v; want previous and root %q", pushed.View, opened.ID)
	}
	must[*slack.ViewResponse](t)(api.PushView(triggerFor(t, f, "U1", general), positionModal()))
	_, err = api.PushView(triggerFor(t, f, "U1", general), positionModal())
	wantSlackError(t, err, "push_limit_reached")
}

func TestPublishView(t *testing.T) {
	f, api := newFake(t)
	workspace(t, f)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{section("Your referrals")}}}

	first := must[*slack.ViewResponse](t)(api.PublishView("U1", home, ""))
	second := must[*slack.ViewResponse](t)(api.PublishView("U1", home, first.Hash))
	if second.ID != first.ID {
		t.Errorf("republished as %q; want the same view %q", second.ID, first.ID)
	}
	v, ok := f.HomeView("U1")
	if !ok || v.Type != "home" || v.Updates != 1 || len(v.Blocks.BlockSet) != 1 {
		t.Errorf("got %+v", v)
	}
	_, err := api.PublishView("U1", home, first.Hash)
	wantSlackError(t, err, "hash_conflict")
	_, err = api.PublishView("U404", home, "")
	wantSlackError(t, err, "user_not_found")

	for range 100 {
		home.Blocks.BlockSet = append(home.Blocks.BlockSet, slack.NewDividerBlock())
	}
	_, err = api.PublishView("U1", home, "")
	wantSlackError(t, err, "invalid_arguments")
}
