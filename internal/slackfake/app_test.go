package slackfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/referralbot/referralbot/internal/slackfake"
)

const secret = "signing-secret"

// app is a minimal Slack app under test, behind signed HTTP: it verifies each request
// as SLACK.md says (before parsing), parses it with slack-go, and answers with the
// handler the test set.
type app struct {
	t   *testing.T
	srv *httptest.Server

	mu           sync.Mutex
	commands     []slack.SlashCommand
	interactions []slack.InteractionCallback
	events       []slackevents.EventsAPIEvent
	headers      []http.Header
	onCommand    func(slack.SlashCommand) any
	onAction     func(slack.InteractionCallback) any
}

func newApp(t *testing.T) (*app, slackfake.HTTPTransport) {
	a := &app{t: t}
	a.srv = httptest.NewServer(a)
	t.Cleanup(a.srv.Close)
	return a, slackfake.HTTPTransport{BaseURL: a.srv.URL, SigningSecret: secret}
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sv, err := slack.NewSecretsVerifier(r.Header, secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var answer any
	a.mu.Lock()
	a.headers = append(a.headers, r.Header.Clone())
	a.mu.Unlock()
	switch r.URL.Path {
	case "/slack/commands":
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		a.mu.Lock()
		a.commands = append(a.commands, cmd)
		on := a.onCommand
		a.mu.Unlock()
		if on != nil {
			answer = on(cmd)
		}
	case "/slack/interactions":
		ic, err := slack.InteractionCallbackParse(r)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		a.mu.Lock()
		a.interactions = append(a.interactions, ic)
		on := a.onAction
		a.mu.Unlock()
		if on != nil {
			answer = on(ic)
		}
	case "/slack/events":
		ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		a.mu.Lock()
		a.events = append(a.events, ev)
		a.mu.Unlock()
	}
	switch v := answer.(type) {
	case nil:
	case string:
		_, _ = io.WriteString(w, v)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}

func (a *app) lastCommand(t *testing.T) slack.SlashCommand {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.commands) == 0 {
		t.Fatal("no slash command received")
	}
	return a.commands[len(a.commands)-1]
}

func (a *app) lastInteraction(t *testing.T) slack.InteractionCallback {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.interactions) == 0 {
		t.Fatal("no interaction received")
	}
	return a.interactions[len(a.interactions)-1]
}

func (a *app) lastHeader(t *testing.T) http.Header {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.headers[len(a.headers)-1]
}
