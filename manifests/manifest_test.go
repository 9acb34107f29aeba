// Package manifests holds the Slack app manifest and deployment files; its test
// checks them against what the code uses.
package manifests

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"testing"

	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"

	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/slackapi"
)

func loadManifest(t *testing.T) slack.Manifest {
	t.Helper()
	raw, err := os.ReadFile("slack-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m slack.Manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("parse slack-app.yaml as slack.Manifest: %v", err)
	}
	return m
}

func TestManifestMatchesCode(t *testing.T) {
	m := loadManifest(t)

	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != handlers.SlashCommand {
		t.Errorf("slash commands = %+v; want exactly %s", m.Features.SlashCommands, handlers.SlashCommand)
	}
	var scopes []string
	for s := range slackapi.RequiredScopes {
		scopes = append(scopes, s)
	}
	slices.Sort(scopes)
	got := slices.Sorted(slices.Values(m.OAuthConfig.Scopes.Bot))
	if !slices.Equal(got, scopes) {
		t.Errorf("bot scopes = %v; want exactly what the code uses: %v", got, scopes)
	}
	router := handlers.NewRouter(nil, nil, nil)
	if m.Settings.EventSubscriptions == nil {
		t.Fatal("no event_subscriptions")
	}
	if events := slices.Sorted(slices.Values(m.Settings.EventSubscriptions.BotEvents)); !slices.Equal(events, router.EventTypes()) {
		t.Errorf("bot events = %v; want the routed ones %v", events, router.EventTypes())
	}
	if m.Settings.Interactivity == nil || !m.Settings.Interactivity.IsEnabled {
		t.Error("interactivity must be enabled for the answer buttons and modals")
	}
	if !m.Settings.SocketModeEnabled {
		t.Error("socket_mode_enabled must be true: Socket Mode is the default transport")
	}

	// Each request URL must point at a route the HTTP transport serves.
	mux := http.NewServeMux()
	handlers.NewHTTP(router, "secret").Routes(mux)
	for name, raw := range map[string]string{
		"slash command": m.Features.SlashCommands[0].Url,
		"interactivity": m.Settings.Interactivity.RequestUrl,
		"events":        m.Settings.EventSubscriptions.RequestUrl,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%s url %q: %v", name, raw, err)
		}
		req, _ := http.NewRequest(http.MethodPost, u.Path, nil)
		if _, pattern := mux.Handler(req); pattern == "" {
			t.Errorf("%s url path %s is not served by the HTTP transport", name, u.Path)
		}
	}
}
