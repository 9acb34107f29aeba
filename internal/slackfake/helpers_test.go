package slackfake_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// newFake starts a fake and a slack-go client pointed at it.
func newFake(t *testing.T, opts ...slackfake.Option) (*slackfake.Server, *slack.Client) {
	t.Helper()
	f := slackfake.New(opts...)
	t.Cleanup(f.Close)
	return f, slack.New(f.BotToken(), slack.OptionAPIURL(f.APIURL()))
}

// newClock is a clock the test moves by hand.
func newClock() *clock.Manual { return clock.NewManual(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)) }

// wantSlackError fails unless err is a Slack API error with code.
func wantSlackError(t *testing.T, err error, code string) {
	t.Helper()
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		t.Fatalf("got error %v (%T); want Slack error %q", err, err, code)
	}
	if se.Err != code {
		t.Fatalf("got Slack error %q; want %q", se.Err, code)
	}
}

// respond posts a JSON message to a response_url, with only the fields it names (as
// the bot does: slack-go's own response_url sender adds an empty metadata object and
// "blocks": null, which Slack refuses), and returns the HTTP status.
func respond(t *testing.T, url, body string) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// recorder is a Transport that keeps deliveries and answers with ack (200, empty
// body, by default).
type recorder struct {
	mu  sync.Mutex
	got []slackfake.Delivery
	ack func(slackfake.Delivery) slackfake.Ack
}

func (r *recorder) Deliver(_ context.Context, d slackfake.Delivery) (slackfake.Ack, error) {
	r.mu.Lock()
	r.got = append(r.got, d)
	ack := r.ack
	r.mu.Unlock()
	if ack == nil {
		return slackfake.Ack{Status: 200}, nil
	}
	return ack(d), nil
}

func (r *recorder) last(t *testing.T) slackfake.Delivery {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		t.Fatal("nothing delivered")
	}
	return r.got[len(r.got)-1]
}

// triggerFor has userID type a slash command in channelID and returns its trigger_id.
func triggerFor(t *testing.T, f *slackfake.Server, userID, channelID string) string {
	t.Helper()
	var r recorder
	if _, err := f.SlashCommand(&r, userID, channelID, "/referral", ""); err != nil {
		t.Fatal(err)
	}
	return r.last(t).Form.Get("trigger_id")
}

// workspace seeds two people and a public channel #general with them in it.
func workspace(t *testing.T, f *slackfake.Server) (general string) {
	t.Helper()
	f.AddUser("U1", "alice")
	f.AddUser("U2", "bob")
	return f.AddChannel("general", false, "U1", "U2")
}
