package slackfake_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func TestEventsAndRedelivery(t *testing.T) {
	f, _ := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)

	id, ack, err := f.SendEvent(tr, "app_mention", map[string]any{"user": "U1", "channel": general, "text": "<@UBOT> status"})
	if err != nil || ack.Status != 200 || !strings.HasPrefix(id, "Ev") {
		t.Fatalf("got %q %d %v", id, ack.Status, err)
	}
	if h := a.lastHeader(t); h.Get("X-Slack-Retry-Num") != "" {
		t.Errorf("first delivery carries X-Slack-Retry-Num %q", h.Get("X-Slack-Retry-Num"))
	}
	if _, err := f.Redeliver(tr, id); err != nil {
		t.Fatal(err)
	}
	h := a.lastHeader(t)
	if h.Get("X-Slack-Retry-Num") != "1" || h.Get("X-Slack-Retry-Reason") != "http_timeout" {
		t.Errorf("retry headers %q %q; want 1 http_timeout", h.Get("X-Slack-Retry-Num"), h.Get("X-Slack-Retry-Reason"))
	}
	a.mu.Lock()
	evs := a.events
	a.mu.Unlock()
	if len(evs) != 2 || evs[0].InnerEvent.Type != "app_mention" {
		t.Fatalf("got %+v", evs)
	}
	first, second := evs[0].Data.(*slackevents.EventsAPICallbackEvent), evs[1].Data.(*slackevents.EventsAPICallbackEvent)
	if first.EventID != id || second.EventID != id {
		t.Errorf("event ids %q, %q; want both %q", first.EventID, second.EventID, id)
	}
	if _, err := f.Redeliver(tr, "EvNOPE"); !errors.Is(err, slackfake.ErrNoSuchEvent) {
		t.Errorf("got %v; want ErrNoSuchEvent", err)
	}
}

func TestURLVerification(t *testing.T) {
	f, _ := newFake(t)
	var r recorder
	challenge, _, err := f.URLVerification(&r)
	if err != nil || challenge == "" {
		t.Fatalf("got %q %v", challenge, err)
	}
	ev, err := slackevents.ParseEvent(r.last(t).Payload, slackevents.OptionNoVerifyToken())
	if err != nil || ev.Type != slackevents.URLVerification {
		t.Fatalf("got %+v %v", ev, err)
	}
	if got := ev.Data.(*slackevents.EventsAPIURLVerificationEvent).Challenge; got != challenge {
		t.Errorf("got challenge %q; want %q", got, challenge)
	}
}

func TestAckTimeout(t *testing.T) {
	f, _ := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)
	release := make(chan struct{})
	defer close(release)
	a.onCommand = func(slack.SlashCommand) any { <-release; return nil }
	tr.Timeout = 50 * time.Millisecond
	if _, err := f.SlashCommand(tr, "U1", general, "/referral", ""); !errors.Is(err, slackfake.ErrAckTimeout) {
		t.Errorf("got %v; want ErrAckTimeout", err)
	}
}
