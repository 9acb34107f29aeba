package slackapi_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackapi"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// calls are the client's methods, each with the Slack method it calls first.
var calls = []struct {
	method string
	call   func(ctx context.Context, c *slackapi.Client) error
}{
	{"conversations.create", func(ctx context.Context, c *slackapi.Client) error {
		_, err := c.CreateChannel(ctx, "ref-a")
		return err
	}},
	{"conversations.list", func(ctx context.Context, c *slackapi.Client) error {
		_, _, err := c.FindOwnChannel(ctx, "ref-a")
		return err
	}},
	{"conversations.setTopic", func(ctx context.Context, c *slackapi.Client) error { return c.SetTopic(ctx, "C1", "topic") }},
	{"conversations.invite", func(ctx context.Context, c *slackapi.Client) error {
		return c.Invite(ctx, "C1", []string{"U1"})
	}},
	{"chat.postMessage", func(ctx context.Context, c *slackapi.Client) error {
		_, err := c.PostMessage(ctx, "C1", bot.Message{Text: "hi"})
		return err
	}},
	{"chat.update", func(ctx context.Context, c *slackapi.Client) error {
		return c.UpdateMessage(ctx, "C1", "1.0", bot.Message{Text: "hi"})
	}},
	{"chat.postEphemeral", func(ctx context.Context, c *slackapi.Client) error {
		return c.PostEphemeral(ctx, "C1", "U1", bot.Message{Text: "hi"})
	}},
	{"conversations.history", func(ctx context.Context, c *slackapi.Client) error {
		_, _, err := c.FindMessage(ctx, "C1", "key")
		return err
	}},
	{"views.open", func(ctx context.Context, c *slackapi.Client) error {
		return c.OpenView(ctx, "T1", slack.ModalViewRequest{Type: slack.VTModal})
	}},
	{"conversations.open", func(ctx context.Context, c *slackapi.Client) error {
		_, err := c.OpenDM(ctx, "U1")
		return err
	}},
	{"usergroups.users.list", func(ctx context.Context, c *slackapi.Client) error {
		_, err := c.UserGroupMembers(ctx, "S1")
		return err
	}},
	{"views.publish", func(ctx context.Context, c *slackapi.Client) error {
		return c.PublishHome(ctx, "U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab})
	}},
	{"files.getUploadURLExternal", func(ctx context.Context, c *slackapi.Client) error {
		return c.UploadFile(ctx, "C1", "a.md", "A", []byte("a"))
	}},
}

func newClient(t *testing.T) (*slackfake.Server, *slackapi.Client) {
	t.Helper()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	return fake, slackapi.New(slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL())), fake.BotUserID())
}

// Every method reports Slack's answers as the bot's errors.
func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	for _, tt := range calls {
		t.Run(tt.method, func(t *testing.T) {
			fake, c := newClient(t)
			fake.FailNext(tt.method, "channel_not_found", 1)
			fake.RateLimitNext(tt.method, 7*time.Second)
			fake.FailNextHTTP(tt.method, 503, 1)

			var se *bot.SlackError
			if err := tt.call(ctx, c); !errors.Is(err, bot.ErrSlackNotFound) || !errors.As(err, &se) || se.Code != "channel_not_found" {
				t.Errorf("got %v; want not found, channel_not_found", err)
			}
			if err := tt.call(ctx, c); !errors.As(err, &se) || se.Kind != bot.ErrSlackRateLimited || se.RetryAfter != 7*time.Second {
				t.Errorf("got %v; want rate limited for 7s", err)
			}
			if err := tt.call(ctx, c); !errors.As(err, &se) || se.Kind != bot.ErrSlackTransient || se.Refused() {
				t.Errorf("got %v; want transient, not refused", err)
			}
		})
	}
}

// Without an answer from Slack the failure is transient, and not a refusal: the
// call may have done its work.
func TestClientUnreachable(t *testing.T) {
	fake, c := newClient(t)
	fake.Close()
	_, err := c.PostMessage(context.Background(), "C1", bot.Message{Text: "hi"})
	var se *bot.SlackError
	if !errors.As(err, &se) || se.Kind != bot.ErrSlackTransient || se.Refused() {
		t.Errorf("got %v; want transient, not refused", err)
	}
}

// Inviting users who are all in the channel already is success.
func TestInviteAlreadyInChannel(t *testing.T) {
	fake, c := newClient(t)
	fake.FailNext("conversations.invite", "already_in_channel", 1)
	if err := c.Invite(context.Background(), "C1", []string{"U1"}); err != nil {
		t.Errorf("got %v; want nil", err)
	}
}

// inviteWorld is a private channel of the bot's with U1 in it, and U2 and U3
// in the workspace but not in the channel.
func inviteWorld(t *testing.T) (*slackfake.Server, *slackapi.Client, string) {
	t.Helper()
	fake, c := newClient(t)
	for _, u := range []string{"U1", "U2", "U3"} {
		fake.AddUser(u, u)
	}
	return fake, c, fake.AddChannel("ref-a", true, fake.BotUserID(), "U1")
}

func members(t *testing.T, fake *slackfake.Server, channelID string) []string {
	t.Helper()
	ch, ok := fake.Channel(channelID)
	if !ok {
		t.Fatalf("no channel %s", channelID)
	}
	return ch.Members
}

// Slack fails a multi-user invite as a whole when one user is already in; Invite
// still gets everyone in, in one call.
func TestInviteSomeAlreadyInChannel(t *testing.T) {
	fake, c, ch := inviteWorld(t)
	if err := c.Invite(context.Background(), ch, []string{"U1", "U2", fake.BotUserID(), "U3", "U2"}); err != nil {
		t.Fatalf("got %v; want nil", err)
	}
	if got := members(t, fake, ch); !slices.Contains(got, "U2") || !slices.Contains(got, "U3") {
		t.Errorf("members %v; want U2 and U3 invited", got)
	}
	calls := fake.CallsTo("conversations.invite")
	if len(calls) != 1 || calls[0].Param("users") != "U1,U2,U3" || calls[0].Param("force") != "true" {
		t.Errorf("calls %+v; want one, force=true, users U1,U2,U3", calls)
	}
}

// A user Slack refuses is reported; the others are in the channel all the same.
func TestInviteRefusedUser(t *testing.T) {
	fake, c, ch := inviteWorld(t)
	err := c.Invite(context.Background(), ch, []string{"U1", "U404", "U2"})
	var se *bot.SlackError
	if !errors.Is(err, bot.ErrSlackNotFound) || !errors.As(err, &se) || se.Code != "user_not_found" || !strings.Contains(err.Error(), "U404") {
		t.Errorf("got %v; want user_not_found naming U404", err)
	}
	if got := members(t, fake, ch); !slices.Contains(got, "U2") {
		t.Errorf("members %v; want U2 invited", got)
	}
}

// An already_in_channel answer that does not say who: each user is invited alone.
func TestInviteAlreadyInChannelUnexplained(t *testing.T) {
	fake, c, ch := inviteWorld(t)
	fake.FailNext("conversations.invite", "already_in_channel", 1)
	if err := c.Invite(context.Background(), ch, []string{"U1", "U2"}); err != nil {
		t.Fatalf("got %v; want nil", err)
	}
	if got := members(t, fake, ch); !slices.Contains(got, "U2") {
		t.Errorf("members %v; want U2 invited", got)
	}
	if n := len(fake.CallsTo("conversations.invite")); n != 3 {
		t.Errorf("%d invite calls; want 3: both, then each alone", n)
	}
}

// Messages send only the fields they set: no blocks when there are none (an update
// sends "[]", clearing the old ones), no metadata on an ephemeral message.
func TestMessagesOmitEmptyFields(t *testing.T) {
	fake, c := newClient(t)
	fake.AddUser("U1", "U1")
	ch := fake.AddChannel("ref-a", true, fake.BotUserID(), "U1")
	ctx := context.Background()
	ts, err := c.PostMessage(ctx, ch, bot.Message{Text: "hi", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateMessage(ctx, ch, ts, bot.Message{Text: "hello", Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if err := c.PostEphemeral(ctx, ch, "U1", bot.Message{Text: "psst", Key: "k"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method         string
		blocks, hasMD  bool
		wantBlocksText string
	}{
		{"chat.postMessage", false, true, ""},
		{"chat.update", true, true, "[]"},
		{"chat.postEphemeral", false, false, ""},
	} {
		calls := fake.CallsTo(tt.method)
		if len(calls) != 1 {
			t.Fatalf("%d calls to %s", len(calls), tt.method)
		}
		p := calls[0].Params
		if p.Has("blocks") != tt.blocks || p.Get("blocks") != tt.wantBlocksText || p.Has("metadata") != tt.hasMD {
			t.Errorf("%s sent %v; want blocks %v (%q), metadata %v", tt.method, p, tt.blocks, tt.wantBlocksText, tt.hasMD)
		}
	}
}
