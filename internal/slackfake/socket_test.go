package slackfake_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/referralbot/referralbot/internal/slackfake"
)

// runSocketApp runs slack-go's real Socket Mode client against the fake: it acks slash
// commands with a message, button clicks empty, and records events' retry attempts.
func runSocketApp(t *testing.T, f *slackfake.Server) (retries func() []int) {
	api := slack.New(f.BotToken(), slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken(f.AppToken()))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	wg.Go(func() { _ = client.RunContext(ctx) })
	var mu sync.Mutex
	var attempts []int
	wg.Go(func() {
		for {
			var evt socketmode.Event
			select {
			case <-ctx.Done():
				return
			case evt = <-client.Events:
			}
			switch evt.Type {
			case socketmode.EventTypeSlashCommand:
				cmd := evt.Data.(slack.SlashCommand)
				_ = client.Ack(*evt.Request, map[string]any{"text": "Opening " + cmd.Text + " for " + cmd.UserName})
			case socketmode.EventTypeInteractive:
				_ = client.Ack(*evt.Request)
			case socketmode.EventTypeEventsAPI:
				if evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Type == "app_mention" {
					mu.Lock()
					attempts = append(attempts, evt.Request.RetryAttempt)
					mu.Unlock()
				}
				_ = client.Ack(*evt.Request)
			}
		}
	})
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := f.WaitSocketConnected(wait); err != nil {
		t.Fatal(err)
	}
	return func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), attempts...)
	}
}

func TestSocketModeRoundTrip(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	retries := runSocketApp(t, f)
	sock := f.SocketMode()

	ack, err := f.SlashCommand(sock, "U1", general, "/referral", "Z123456")
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Text string }
	if err := ack.Decode(&body); err != nil || body.Text != "Opening Z123456 for alice" {
		t.Errorf("got ack %s %v; want the payload the app acked with", ack.Body, err)
	}
	if eph := f.Ephemerals(general); len(eph) != 1 || eph[0].Text != "Opening Z123456 for alice" {
		t.Errorf("got ephemerals %+v", eph)
	}

	f.JoinChannel(general, f.BotUserID())
	_, ts, _ := api.PostMessage(general, slack.MsgOptionBlocks(slack.NewActionBlock("b", slack.NewButtonBlockElement("ok", "1", plain("OK")))))
	if ack, err := f.ClickButton(sock, "U2", general, ts, "ok"); err != nil || len(ack.Body) != 0 {
		t.Errorf("click: got %s %v; want an empty ack", ack.Body, err)
	}

	id, _, err := f.SendEvent(sock, "app_mention", map[string]any{"user": "U1", "channel": general, "text": "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Redeliver(sock, id); err != nil {
		t.Fatal(err)
	}
	if got := retries(); len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Errorf("retry_attempt seen %v; want [0 1]", got)
	}
}

func TestSocketModeLimits(t *testing.T) {
	f, _ := newFake(t)
	general := workspace(t, f)
	sock := f.SocketMode()
	if _, err := f.SlashCommand(sock, "U1", general, "/referral", ""); !errors.Is(err, slackfake.ErrNotConnected) {
		t.Errorf("no app connected: got %v; want ErrNotConnected", err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.WaitSocketConnected(gone); err == nil {
		t.Error("WaitSocketConnected with nobody connecting returned nil")
	}

	api := slack.New("", slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken(f.AppToken()))
	_, url, err := api.StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var hello socketmode.Request
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.NumConnections != 1 || hello.ConnectionInfo.AppID != f.AppID() {
		t.Fatalf("got %+v %v; want hello", hello, err)
	}
	if _, resp, err := websocket.DefaultDialer.Dial(url, nil); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("reusing the URL: got %v; want 401", err)
	}

	// answer runs a slash command and plays the app's side with reply.
	answer := func(reply func(env socketmode.Request)) error {
		res := make(chan error, 1)
		go func() { _, err := f.SlashCommand(sock, "U1", general, "/referral", "x"); res <- err }()
		var env socketmode.Request
		read := make(chan error, 1)
		go func() { read <- ws.ReadJSON(&env) }()
		select {
		case err := <-read:
			if err != nil {
				t.Fatal(err)
			}
		case err := <-res:
			// Delivered (the ack's outcome came first): the envelope is on its way.
			// Not delivered: none will come, so fail rather than wait for it.
			if errors.Is(err, slackfake.ErrNotConnected) {
				t.Fatalf("the slash command was not delivered: %v", err)
			}
			if err := <-read; err != nil {
				t.Fatal(err)
			}
			res <- err
		}
		if env.Type != "slash_commands" || !env.AcceptsResponsePayload || !strings.Contains(string(env.Payload), `"command":"/referral"`) {
			t.Errorf("got envelope %+v", env)
		}
		reply(env)
		return <-res
	}
	err = answer(func(env socketmode.Request) {
		_ = ws.WriteJSON(map[string]any{"envelope_id": env.EnvelopeID, "payload": map[string]string{"text": strings.Repeat("x", 20*1024)}})
	})
	if !errors.Is(err, slackfake.ErrAckTooLarge) {
		t.Errorf("20 KB ack: got %v; want ErrAckTooLarge", err)
	}
	sock.Timeout = 50 * time.Millisecond
	if err := answer(func(socketmode.Request) {}); !errors.Is(err, slackfake.ErrAckTimeout) {
		t.Errorf("no ack: got %v; want ErrAckTimeout", err)
	}

	f.RefreshSockets()
	var disconnect socketmode.Request
	if err := ws.ReadJSON(&disconnect); err != nil || disconnect.Type != "disconnect" || disconnect.Reason != "refresh_requested" {
		t.Errorf("got %+v %v; want a disconnect message", disconnect, err)
	}

	sock.Timeout = 10 * time.Second
	if err := answer(func(socketmode.Request) { ws.Close() }); !errors.Is(err, slackfake.ErrNotConnected) {
		t.Errorf("connection dropped before the ack: got %v; want ErrNotConnected at once", err)
	}
}
