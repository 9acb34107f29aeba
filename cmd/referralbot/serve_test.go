package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/internal/app"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// startServe runs serve as the binary would, with the environment set, and returns
// the HTTP address once it listens; the server stops when the test ends.
func startServe(t *testing.T, fake *slackfake.Server, env map[string]string) string {
	t.Helper()
	all := environ{
		"SLACK_BOT_TOKEN": fake.BotToken(), "SLACK_API_URL": fake.APIURL(), "HTTP_ADDR": "127.0.0.1:0",
		"DATABASE_PATH": filepath.Join(t.TempDir(), "referralbot.db"),
		"ROSTER_PATH":   filepath.Join("..", "..", "testdata", "roster.example.yaml"),
	}
	for k, v := range env {
		all[k] = v
	}
	cfg, err := app.LoadConfig(all.getenv, app.Serving)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	a, err := app.New(ctx, cfg, app.Serving, clock.From(start), app.NewLogger(cfg.LogFormat, &logs))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	go func() { done <- a.Serve(ctx, func(addr2 string) { addr <- addr2 }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v on shutdown", err)
		}
	})
	select {
	case a := <-addr:
		return a
	case err := <-done:
		t.Fatalf("serve stopped before listening: %v\n%s", err, logs.String())
	}
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

func TestServeHTTP(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	addr := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": "s3cret", "REDIS_URL": redisURL()})

	// The example roster names queue channels this workspace does not have: the bot is
	// not ready, and /readyz says which channel and what to do.
	if code, body := get(t, "http://"+addr+"/readyz"); code != http.StatusServiceUnavailable ||
		!strings.Contains(body, `"database":"ok","queue_channels":"queue channel C01ARMYQUEUE (army): the bot is not a member; invite it`) ||
		!strings.Contains(body, `"reminder_queue":"ok","slack_auth":"ok"`) {
		t.Errorf("/readyz = %d %s", code, body)
	}

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}

	// An unsigned request is refused before anything is read.
	resp, err = http.Post("http://"+addr+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("command=/referral&text=help"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned command = %d; want 401", resp.StatusCode)
	}

	fake.AddUser("U0123ANALYST", "analyst")
	ch := fake.AddChannel("general", false, "U0123ANALYST")
	tr := slackfake.HTTPTransport{BaseURL: "http://" + addr, SigningSecret: "s3cret"}
	ack, err := fake.SlashCommand(tr, "U0123ANALYST", ch, "/referral", "help")
	if err != nil || ack.Status != 200 || !strings.Contains(string(ack.Body), "/referral new") {
		t.Errorf("signed /referral help = %d %s %v", ack.Status, ack.Body, err)
	}

	// The metrics saw all of it.
	code, scrape := get(t, "http://"+addr+"/metrics")
	for _, want := range []string{
		`referralbot_requests_total{route="POST /slack/commands",status="200"} 1`,
		`referralbot_requests_total{route="POST /slack/commands",status="401"} 1`,
		`referralbot_ack_seconds_count{route="POST /slack/commands"} 2`,
		`referralbot_slack_api_calls_total{method="auth.test",result="ok"} 1`,
		"referralbot_outbox_depth 0", "referralbot_referrals_open 0", "referralbot_reminders_scheduled 0",
	} {
		if code != 200 || !strings.Contains(scrape, want) {
			t.Errorf("/metrics (%d) lacks %q", code, want)
		}
	}
}

// TestReadyzRedisDown: with Redis configured but not answering, the bot still
// starts (SQLite holds the truth) but says it is not ready, and why.
func TestReadyzRedisDown(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	addr := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": "s3cret", "REDIS_URL": "redis://127.0.0.1:1/0"})
	code, body := get(t, "http://"+addr+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, `"reminder_queue":"`) || !strings.Contains(body, `"database":"ok"`) {
		t.Errorf("/readyz with Redis down = %d %s; want 503 naming the reminder queue", code, body)
	}
	if code, _ := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d; the process is alive", code)
	}
}

func TestServeSocketMode(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	addr := startServe(t, fake, map[string]string{"SLACK_APP_TOKEN": fake.AppToken()})
	if err := fake.WaitSocketConnected(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz in Socket Mode: %v %v", resp, err)
	}
	resp.Body.Close()
	if resp, err := http.Post("http://"+addr+"/slack/commands", "application/x-www-form-urlencoded", nil); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("HTTP Slack endpoint served in Socket Mode without a signing secret: %d", resp.StatusCode)
		}
	}
	fake.AddUser("U0456ANALYST", "analyst")
	ch := fake.AddChannel("general", false, "U0456ANALYST")
	ack, err := fake.SlashCommand(fake.SocketMode(), "U0456ANALYST", ch, "/referral", "bogus")
	if err != nil || !strings.Contains(string(ack.Body), "I don't know `/referral bogus`") {
		t.Errorf("socket /referral bogus = %s %v", ack.Body, err)
	}
}

// TestServeDropsSlowClients: HTTP mode faces the internet, so a client that sends
// its body slowly (slowloris) is cut off after HTTP_READ_TIMEOUT instead of holding
// the connection, unauthenticated, for as long as it likes.
func TestServeDropsSlowClients(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	addr := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": "s3cret", "HTTP_READ_TIMEOUT": "200ms"})
	began := clock.Wall()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers promising a body, and then only a trickle of it.
	if _, err := io.WriteString(conn, "POST /slack/commands HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ncommand=%2Freferral"); err != nil {
		t.Fatal(err)
	}
	// Our own guard, far beyond the server's limit: reaching it means the server held on.
	if err := conn.SetReadDeadline(clock.Wall().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(conn)
	t.Logf("slow client cut off after %v (HTTP_READ_TIMEOUT 200ms)", clock.Elapsed(began).Round(time.Millisecond))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a slow client's connection open for 10 s; want it closed after HTTP_READ_TIMEOUT")
	}
}
