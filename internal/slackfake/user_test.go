package slackfake_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackfake"
)

func TestHTTPTransportSignature(t *testing.T) {
	f, _ := newFake(t)
	general := workspace(t, f)
	_, good := newApp(t)

	ack, err := f.SlashCommand(good, "U1", general, "/referral", "")
	if err != nil || ack.Status != 200 {
		t.Errorf("signed with the right secret: got %d %v; want 200", ack.Status, err)
	}
	bad := good
	bad.SigningSecret = "wrong"
	if ack, err := f.SlashCommand(bad, "U1", general, "/referral", ""); err != nil || ack.Status != http.StatusUnauthorized {
		t.Errorf("wrong secret: got %d %v; want 401 from the app's verifier", ack.Status, err)
	}
	stale := good
	stale.Now = func() time.Time { return clock.Wall().Add(-6 * time.Minute) }
	if ack, err := f.SlashCommand(stale, "U1", general, "/referral", ""); err != nil || ack.Status != http.StatusUnauthorized {
		t.Errorf("stale timestamp: got %d %v; want 401", ack.Status, err)
	}
	if got := slackfake.Sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618",
		[]byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")); got != "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503" {
		t.Errorf("Sign on Slack's documented example: got %s", got)
	}
}

func TestSlashCommand(t *testing.T) {
	f, _ := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)
	a.onCommand = func(slack.SlashCommand) any { return "Working on it" }

	ack, err := f.SlashCommand(tr, "U1", general, "/referral", "open Z123456")
	if err != nil || string(ack.Body) != "Working on it" {
		t.Fatalf("got %q %v", ack.Body, err)
	}
	cmd := a.lastCommand(t)
	if cmd.Command != "/referral" || cmd.Text != "open Z123456" || cmd.UserID != "U1" || cmd.UserName != "alice" ||
		cmd.ChannelID != general || cmd.ChannelName != "general" || cmd.TeamID != f.TeamID() ||
		cmd.APIAppID != f.AppID() || cmd.TriggerID == "" || !strings.HasPrefix(cmd.ResponseURL, f.URL()) ||
		cmd.Token != slackfake.DefaultVerificationToken {
		t.Errorf("got %+v", cmd)
	}
	if eph := f.Ephemerals(general); len(eph) != 1 || eph[0].Text != "Working on it" || eph[0].User != "U1" {
		t.Errorf("the ack's text should show as an ephemeral to U1: got %+v", eph)
	}

	// The app answers later through the response_url, in the channel.
	if status := respond(t, cmd.ResponseURL, `{"response_type":"in_channel","text":"Referral opened"}`); status != 200 {
		t.Fatalf("in_channel response: got %d", status)
	}
	if msgs := f.Messages(general); len(msgs) != 1 || msgs[0].Text != "Referral opened" {
		t.Errorf("in_channel response: got %+v", msgs)
	}
	for i := range 4 {
		if status := respond(t, cmd.ResponseURL, `{"response_type":"ephemeral","text":"again"}`); status != 200 {
			t.Fatalf("use %d: got %d", i+2, status)
		}
	}
	if status := respond(t, cmd.ResponseURL, `{"response_type":"ephemeral","text":"sixth"}`); status != 404 {
		t.Errorf("sixth use: got %d; want 404", status)
	}
	posts := f.ResponseURLPosts()
	if len(posts) != 6 || posts[0].ChannelID != general || posts[5].Error != "used_url" {
		t.Errorf("got %d posts, last error %q; want 6 with used_url last", len(posts), posts[len(posts)-1].Error)
	}

	if _, err := f.SlashCommand(tr, "U404", general, "/referral", ""); !errors.Is(err, slackfake.ErrNoSuchUser) {
		t.Errorf("unknown user: got %v", err)
	}
	f.AddUser("U3", "carol")
	if _, err := f.SlashCommand(tr, "U3", general, "/referral", ""); !errors.Is(err, slackfake.ErrNotInChannel) {
		t.Errorf("outsider: got %v; want ErrNotInChannel", err)
	}
}

// Slack refuses a response message with fields sent empty: metadata without an
// event_type, and "blocks": null. slack-go's slack.Msg sends both.
func TestResponseRefusesEmptyFields(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)

	a.onCommand = func(slack.SlashCommand) any { return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: "hi"} }
	if _, err := f.SlashCommand(tr, "U1", general, "/referral", ""); !errors.Is(err, slackfake.ErrBadAck) {
		t.Errorf("ack as a slack.Msg: got %v; want ErrBadAck", err)
	}
	a.onCommand = func(slack.SlashCommand) any {
		return map[string]any{"response_type": "ephemeral", "text": "hi", "metadata": map[string]any{"event_type": "referralbot_message"}}
	}
	if _, err := f.SlashCommand(tr, "U1", general, "/referral", ""); err != nil {
		t.Errorf("ack with metadata: %v", err)
	}
	if eph := f.Ephemerals(general); len(eph) != 1 || eph[0].Text != "hi" {
		t.Errorf("ephemerals: got %+v; want the one valid ack", eph)
	}

	url := a.lastCommand(t).ResponseURL
	_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral), slack.MsgOptionText("via slack-go", false))
	var sce slack.StatusCodeError
	if !errors.As(err, &sce) || sce.Code != 400 {
		t.Errorf("slack-go's response_url post: got %v; want 400", err)
	}
	if status := respond(t, url, `{"text":"hi","blocks":null}`); status != 400 {
		t.Errorf(`"blocks": null: got %d; want 400`, status)
	}
	if status := respond(t, url, `{"text":"hi","metadata":{"event_type":"","event_payload":null}}`); status != 400 {
		t.Errorf("empty metadata: got %d; want 400", status)
	}
	if status := respond(t, url, `{"text":"hi","metadata":null}`); status != 400 {
		t.Errorf(`"metadata": null: got %d; want 400`, status)
	}
	var codes []string
	for _, p := range f.ResponseURLPosts() {
		codes = append(codes, p.Error)
	}
	if want := []string{"invalid_blocks_format", "invalid_blocks_format", "invalid_metadata_schema", "invalid_metadata_format"}; !slices.Equal(codes, want) {
		t.Errorf("response_url errors: got %q; want %q", codes, want)
	}
}
