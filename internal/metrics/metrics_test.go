package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/metrics"
	"github.com/referralbot/referralbot/internal/slackfake"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestSlackCallsByMethodAndResult(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	m := metrics.New(metrics.Gauges{})
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()),
		slack.OptionHTTPClient(&http.Client{Transport: m.SlackTransport(nil)}))
	ctx := context.Background()

	fake.RateLimitNext("auth.test", time.Second)
	fake.FailNext("conversations.create", "restricted_action", 1)
	_, _ = api.AuthTestContext(ctx)
	_, _ = api.AuthTestContext(ctx)
	_, _ = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "x", IsPrivate: true})
	fake.FailNextHTTP("chat.postMessage", 503, 1)
	_, _, _ = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))

	got := scrape(t, m)
	for _, want := range []string{
		`referralbot_slack_api_calls_total{method="auth.test",result="ratelimited"} 1`,
		`referralbot_slack_api_calls_total{method="auth.test",result="ok"} 1`,
		`referralbot_slack_api_calls_total{method="conversations.create",result="restricted_action"} 1`,
		`referralbot_slack_api_calls_total{method="chat.postMessage",result="http_503"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}

// TestSlackAnswerCutOff: an answer cut off mid-body reaches the caller as the
// transport's error, not as a truncated body that fails to parse, and counts as one.
func TestSlackAnswerCutOff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"ok":true,`) // then the connection closes
	}))
	defer srv.Close()
	m := metrics.New(metrics.Gauges{})
	client := &http.Client{Transport: m.SlackTransport(nil)}
	resp, err := client.Post(srv.URL+"/api/chat.update", "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatal("a cut-off answer reached the caller as a response")
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v; want the transport's unexpected EOF", err)
	}
	want := `referralbot_slack_api_calls_total{method="chat.update",result="transport_error"} 1`
	if got := scrape(t, m); !strings.Contains(got, want) {
		t.Errorf("scrape lacks %q", want)
	}
}

func TestObserverAndGauges(t *testing.T) {
	m := metrics.New(metrics.Gauges{
		OutboxDepth:   func(context.Context) (int, error) { return 7, nil },
		OpenReferrals: func(context.Context) (int, error) { return 0, context.DeadlineExceeded },
	})
	m.PositionRecorded(bot.OutcomeDeny)
	m.PositionRecorded(bot.OutcomeDeny)
	m.ReminderRecorded(true)
	m.ReminderRecorded(false)
	m.ObserveRequest("POST /slack/interactions", 200, 3*time.Millisecond)
	got := scrape(t, m)
	for _, want := range []string{
		`referralbot_positions_total{outcome="deny"} 2`,
		"referralbot_reminders_sent_total 2", "referralbot_reminders_late_total 1",
		"referralbot_outbox_depth 7", "referralbot_referrals_open -1",
		`referralbot_ack_seconds_bucket{route="POST /slack/interactions",le="0.005"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
