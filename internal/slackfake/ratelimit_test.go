package slackfake_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func createChannel(api *slack.Client, name string) error {
	_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: name, IsPrivate: true})
	return err
}

func wantRateLimited(t *testing.T, err error, retryAfter time.Duration) {
	t.Helper()
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("got %v (%T); want *slack.RateLimitedError", err, err)
	}
	if rl.RetryAfter != retryAfter {
		t.Errorf("got RetryAfter %v; want %v", rl.RetryAfter, retryAfter)
	}
}

func TestRateLimit(t *testing.T) {
	c := newClock()
	f, api := newFake(t, slackfake.WithClock(c.Now))
	f.SetRateLimit("conversations.create", 2)

	for i := range 2 {
		if err := createChannel(api, fmt.Sprint("a", i)); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(20 * time.Second)
	wantRateLimited(t, createChannel(api, "a2"), 40*time.Second)
	if calls := f.CallsTo("conversations.create"); calls[2].Error != "ratelimited" {
		t.Errorf("recorded error %q; want ratelimited", calls[2].Error)
	}
	if _, ok := f.ChannelByName("a2"); ok {
		t.Error("a refused call created the channel")
	}
	c.Advance(40 * time.Second)
	if err := createChannel(api, "a2"); err != nil {
		t.Errorf("after the window: %v; want ok", err)
	}
}

func TestRateLimitTimeScale(t *testing.T) {
	c := newClock()
	f, api := newFake(t, slackfake.WithClock(c.Now))
	f.SetTimeScale(60) // 20 a minute becomes 20 a second
	f.SetRateLimit("conversations.create", 20)
	for i := range 20 {
		if err := createChannel(api, fmt.Sprint("b", i)); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(100 * time.Millisecond)
	wantRateLimited(t, createChannel(api, "b20"), time.Second) // 0.9 s rounds up to 1
	c.Advance(900 * time.Millisecond)
	if err := createChannel(api, "b20"); err != nil {
		t.Errorf("after the scaled window: %v; want ok", err)
	}
}

func TestFaultInjection(t *testing.T) {
	f, api := newFake(t)
	f.FailNext("conversations.create", "restricted_action", 2)
	wantSlackError(t, createChannel(api, "c1"), "restricted_action")
	wantSlackError(t, createChannel(api, "c1"), "restricted_action")
	if err := createChannel(api, "c1"); err != nil {
		t.Errorf("third call: %v; want ok", err)
	}

	f.RateLimitNext("conversations.create", 0)
	wantRateLimited(t, createChannel(api, "c2"), 0)
	f.RateLimitNext("conversations.create", 1500*time.Millisecond)
	wantRateLimited(t, createChannel(api, "c2"), 2*time.Second)

	f.FailNextHTTP("conversations.create", 503, 1)
	var sce slack.StatusCodeError
	if err := createChannel(api, "c2"); !errors.As(err, &sce) || sce.Code != 503 {
		t.Errorf("got %v; want StatusCodeError 503", err)
	}
	if err := createChannel(api, "c2"); err != nil {
		t.Errorf("after the faults: %v; want ok", err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	f, api := newFake(t)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "busy", IsPrivate: true}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]bool{}
	for i := range 40 {
		wg.Go(func() {
			_, ts, err := api.PostMessage(ch.ID, slack.MsgOptionText(fmt.Sprint("m", i), false))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			seen[ts] = true
			mu.Unlock()
			_ = f.Messages(ch.ID)
			_ = f.Calls()
		})
	}
	wg.Wait()
	if len(seen) != 40 || len(f.Messages(ch.ID)) != 40 {
		t.Errorf("got %d distinct ts, %d messages; want 40 each", len(seen), len(f.Messages(ch.ID)))
	}
}

func TestLatency(t *testing.T) {
	f, api := newFake(t)
	f.SetLatency("auth.test", time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := api.AuthTestContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v; want the client's deadline to pass first", err)
	}
	f.SetLatency("auth.test", 0)
	if _, err := api.AuthTest(); err != nil {
		t.Errorf("latency removed: %v", err)
	}
}
