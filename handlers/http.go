package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// MaxBody caps a request body; Slack's are a few kilobytes.
const MaxBody = 1 << 20

// HTTP serves Slack's HTTP delivery: every request's signature is checked against the
// signing secret before anything in it is read.
type HTTP struct {
	router *Router
	secret string
}

// NewHTTP returns the HTTP transport for router. Events are handled after their
// acknowledgement the way the router runs all such work (Router.SetAfter).
func NewHTTP(router *Router, signingSecret string) *HTTP {
	return &HTTP{router: router, secret: signingSecret}
}

// Routes registers the Slack endpoints on mux.
func (h *HTTP) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", h.signed(formType, h.commands))
	mux.HandleFunc("POST /slack/interactions", h.signed(formType, h.interactions))
	mux.HandleFunc("POST /slack/events", h.signed(jsonType, h.events))
}

// The content types Slack sends: forms for commands and interactions, JSON for events.
const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// signed verifies Slack's signature over the raw body (capped at MaxBody) and the
// content type, then hands the body on. Nothing is parsed before the signature holds.
func (h *HTTP) signed(contentType string, next func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			http.Error(w, "could not read request", http.StatusBadRequest)
			return
		}
		v, err := slack.NewSecretsVerifier(r.Header, h.secret)
		if err != nil {
			http.Error(w, "missing or stale signature", http.StatusUnauthorized)
			return
		}
		_, _ = v.Write(body)
		if err := v.Ensure(); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != contentType {
			http.Error(w, "content type must be "+contentType, http.StatusBadRequest)
			return
		}
		next(w, r, body)
	}
}

func writeAck(w http.ResponseWriter, ack any) {
	if ack == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ack)
}

// form parses a signed form body; the unsigned query string is never consulted.
func form(body []byte) (url.Values, error) { return url.ParseQuery(string(body)) }

func (h *HTTP) commands(w http.ResponseWriter, r *http.Request, body []byte) {
	f, err := form(body)
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cmd, err := slack.SlashCommandParse(req)
	if err != nil || f.Get("command") == "" {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	writeAck(w, h.router.Command(r.Context(), cmd))
}

func (h *HTTP) interactions(w http.ResponseWriter, r *http.Request, body []byte) {
	f, err := form(body)
	if err != nil || f.Get("payload") == "" {
		http.Error(w, "missing payload", http.StatusBadRequest)
		return
	}
	cb, err := decodeInteraction([]byte(f.Get("payload")))
	if err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	writeAck(w, h.router.Interaction(r.Context(), cb))
}

func (h *HTTP) events(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := parseEvent(body)
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var c slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &c); err != nil {
			http.Error(w, "malformed challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, c.Challenge)
		return
	}
	w.WriteHeader(http.StatusOK)
	ctx := context.WithoutCancel(r.Context())
	h.router.after(func() {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		h.router.Event(ctx, ev)
	})
}
