package slackapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackapi"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// The pacer counts calls per method in a sliding window of the clock it is given.
func TestPacerWindow(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	p := slackapi.NewPacer(map[string]int{"chat.update": 2}, 1, clk.Now)
	ctx := context.Background()
	for i := range 2 {
		if err := p.Wait(ctx, "chat.update"); err != nil {
			t.Fatalf("call %d: %v; want it through at once", i+1, err)
		}
	}
	// The window is full: a call whose context has ended gives up instead of waiting.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Wait(done, "chat.update"); !errors.Is(err, context.Canceled) {
		t.Fatalf("third call in the window = %v; want it held (context.Canceled)", err)
	}
	// An unpaced method is never held.
	if err := p.Wait(done, "chat.postMessage"); err != nil {
		t.Fatalf("unpaced method: %v; want nil", err)
	}
	// A minute later the window has room again.
	clk.Advance(time.Minute)
	if err := p.Wait(done, "chat.update"); err != nil {
		t.Fatalf("call after the window: %v; want it through at once", err)
	}
}

// Paced to the emulator's own limits, a burst gets no 429.
func TestPacerKeepsUnderSlacksLimit(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	const scale, limit, n = 600, 5, 20 // a minute lasts 100 ms: 20 calls take about 0.4 s
	fake.SetTimeScale(scale)
	fake.SetRateLimit("conversations.setTopic", limit)
	pacer := slackapi.NewPacer(map[string]int{"conversations.setTopic": limit}, scale, clock.Wall)
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()),
		slack.OptionHTTPClient(&http.Client{Transport: pacer.Transport(nil)}))
	c := slackapi.New(api, fake.BotUserID())
	ctx := context.Background()
	ch, err := c.CreateChannel(ctx, "ref-pace")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, n)
	for range n {
		go func() { errs <- c.SetTopic(ctx, ch, "topic") }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("SetTopic: %v; want every call through without a 429", err)
			if errors.Is(err, bot.ErrSlackRateLimited) {
				t.Fatal("the emulator refused a paced call with 429")
			}
		}
	}
}
