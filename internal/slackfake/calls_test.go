package slackfake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func TestAuthTest(t *testing.T) {
	f, api := newFake(t)
	got := must[*slack.AuthTestResponse](t)(api.AuthTest())
	if got.UserID != slackfake.DefaultBotUserID || got.TeamID != slackfake.DefaultTeamID {
		t.Errorf("got user %q team %q; want %q %q", got.UserID, got.TeamID, slackfake.DefaultBotUserID, slackfake.DefaultTeamID)
	}
	if f.APIURL()[len(f.APIURL())-5:] != "/api/" {
		t.Errorf("APIURL %q does not end in /api/", f.APIURL())
	}
}

func TestAuthErrors(t *testing.T) {
	f, _ := newFake(t)
	tests := []struct {
		name string
		api  *slack.Client
		call func(*slack.Client) error
		want string
	}{
		{"no token", slack.New("", slack.OptionAPIURL(f.APIURL())),
			func(c *slack.Client) error { _, err := c.AuthTest(); return err }, "not_authed"},
		{"wrong token", slack.New("xoxb-other", slack.OptionAPIURL(f.APIURL())),
			func(c *slack.Client) error { _, err := c.AuthTest(); return err }, "invalid_auth"},
		{"app token on a bot method", slack.New(f.AppToken(), slack.OptionAPIURL(f.APIURL())),
			func(c *slack.Client) error { _, err := c.AuthTest(); return err }, "not_allowed_token_type"},
		{"bot token on apps.connections.open", slack.New(f.BotToken(), slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken(f.BotToken())),
			func(c *slack.Client) error { _, _, err := c.StartSocketModeContext(t.Context()); return err }, "not_allowed_token_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantSlackError(t, tt.call(tt.api), tt.want)
		})
	}
}

func TestUnknownMethod(t *testing.T) {
	f, _ := newFake(t)
	resp, err := http.PostForm(f.APIURL()+"chat.nonsense", url.Values{"token": {f.BotToken()}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || body["ok"] != false || body["error"] != "unknown_method" {
		t.Errorf("got %d %v; want 200 unknown_method", resp.StatusCode, body)
	}
	if calls := f.CallsTo("chat.nonsense"); len(calls) != 1 || calls[0].Error != "unknown_method" {
		t.Errorf("got calls %+v; want one unknown_method", calls)
	}
}

func TestCallsRecorded(t *testing.T) {
	c := newClock()
	f, api := newFake(t, slackfake.WithClock(c.Now))
	_, _ = api.CreateConversation(slack.CreateConversationParams{ChannelName: "Bad Name"})
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ok", IsPrivate: true}))
	trigger := "no-such-trigger"
	_, _ = api.OpenView(trigger, slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "T", false, false)})

	calls := f.CallsTo("conversations.create")
	if len(calls) != 2 {
		t.Fatalf("got %d conversations.create calls; want 2", len(calls))
	}
	if calls[0].Error != "invalid_name_specials" || calls[1].Error != "" {
		t.Errorf("got errors %q, %q; want invalid_name_specials, \"\"", calls[0].Error, calls[1].Error)
	}
	if got := calls[1].Params.Get("is_private"); got != "true" {
		t.Errorf("got is_private %q; want true", got)
	}
	if !calls[1].At.Equal(c.Now()) {
		t.Errorf("got At %v; want the fake clock's %v", calls[1].At, c.Now())
	}
	open := f.CallsTo("views.open")
	if len(open) != 1 || open[0].Param("trigger_id") != trigger || open[0].JSON["view"] == nil {
		t.Errorf("got views.open calls %+v; want one with the JSON body recorded", open)
	}
	if got := len(f.Calls()); got != 3 {
		t.Errorf("got %d calls; want 3", got)
	}
	f.Reset()
	if got := len(f.Calls()); got != 0 {
		t.Errorf("got %d calls after Reset; want 0", got)
	}
	if _, ok := f.Channel(ch.ID); !ok {
		t.Error("Reset dropped the channel; it must keep state")
	}
}
