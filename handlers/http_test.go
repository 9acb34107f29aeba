package handlers_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// Slack's documented example ("Verifying requests from Slack").
const (
	docSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	docTimestamp = "1531420618"
	docBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestSigningMatchesSlacksExample(t *testing.T) {
	if got := slackfake.Sign(docSecret, docTimestamp, []byte(docBody)); got != docSignature {
		t.Fatalf("Sign(documented example) = %s; want %s", got, docSignature)
	}
}

func server(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	handlers.NewHTTP(handlers.NewRouter(nil, nil, nil), docSecret).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type req struct {
	path, ctype, body, query string
	ts                       time.Time
	sig                      string // "" signs correctly; "-" sends no signature header
	noTS                     bool
}

func (r req) do(t *testing.T, srv *httptest.Server) (int, string) {
	t.Helper()
	ts := strconv.FormatInt(r.ts.Unix(), 10)
	hr, _ := http.NewRequest(http.MethodPost, srv.URL+r.path+r.query, strings.NewReader(r.body))
	hr.Header.Set("Content-Type", r.ctype)
	if !r.noTS {
		hr.Header.Set("X-Slack-Request-Timestamp", ts)
	}
	switch r.sig {
	case "":
		hr.Header.Set("X-Slack-Signature", slackfake.Sign(docSecret, ts, []byte(r.body)))
	case "-":
	default:
		hr.Header.Set("X-Slack-Signature", r.sig)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func TestRequestAuthenticity(t *testing.T) {
	srv := server(t)
	now := clock.Wall()
	form := "application/x-www-form-urlencoded"
	help := "command=%2Freferral&text=help&user_id=U1&channel_id=C1"
	tests := []struct {
		name string
		r    req
		want int
	}{
		{"signed command", req{path: "/slack/commands", ctype: form, body: help, ts: now}, 200},
		{"Slack's documented request is stale now", req{path: "/slack/commands", ctype: form, body: docBody, sig: docSignature, ts: time.Unix(1531420618, 0)}, 401},
		{"timestamp 6 minutes old", req{path: "/slack/commands", ctype: form, body: help, ts: now.Add(-6 * time.Minute)}, 401},
		{"timestamp 6 minutes ahead", req{path: "/slack/commands", ctype: form, body: help, ts: now.Add(6 * time.Minute)}, 401},
		{"no signature", req{path: "/slack/commands", ctype: form, body: help, ts: now, sig: "-"}, 401},
		{"no timestamp", req{path: "/slack/commands", ctype: form, body: help, ts: now, noTS: true}, 401},
		{"malformed signature", req{path: "/slack/commands", ctype: form, body: help, ts: now, sig: "v0=zz"}, 401},
		{"signature of another body", req{path: "/slack/commands", ctype: form, body: help, ts: now, sig: slackfake.Sign(docSecret, strconv.FormatInt(now.Unix(), 10), []byte("text=new"))}, 401},
		{"wrong content type", req{path: "/slack/commands", ctype: "text/plain", body: help, ts: now}, 400},
		{"JSON to the form endpoint", req{path: "/slack/interactions", ctype: "application/json", body: `{"type":"block_actions"}`, ts: now}, 400},
		{"form to the events endpoint", req{path: "/slack/events", ctype: form, body: "type=url_verification", ts: now}, 400},
		{"interaction without payload", req{path: "/slack/interactions", ctype: form, body: "x=1", ts: now}, 400},
		{"malformed interaction payload", req{path: "/slack/interactions", ctype: form, body: "payload=%7Bnot+json", ts: now}, 400},
		{"body over 1 MiB", req{path: "/slack/commands", ctype: form, body: "text=" + strings.Repeat("a", handlers.MaxBody), ts: now}, 413},
		{"url verification", req{path: "/slack/events", ctype: "application/json", body: `{"type":"url_verification","challenge":"c4ll3nge","token":"t"}`, ts: now}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body := tt.r.do(t, srv)
			if got != tt.want {
				t.Errorf("status = %d (%s); want %d", got, strings.TrimSpace(body), tt.want)
			}
			if tt.name == "url verification" && body != "c4ll3nge" {
				t.Errorf("challenge answer = %q; want c4ll3nge", body)
			}
		})
	}
}

// TestQueryStringIgnored: an attacker who appends fields to the URL changes nothing,
// because only the signed body is read.
func TestQueryStringIgnored(t *testing.T) {
	srv := server(t)
	r := req{path: "/slack/commands", ctype: "application/x-www-form-urlencoded", ts: clock.Wall(),
		body: "command=%2Freferral&text=help&user_id=U1&channel_id=C1", query: "?text=bogus&command=%2Fevil&user_id=UEVIL"}
	code, body := r.do(t, srv)
	if code != 200 || !strings.Contains(body, "/referral new") || strings.Contains(body, "bogus") {
		t.Errorf("command with a forged query string = %d %s; want the signed body's help", code, body)
	}
}
