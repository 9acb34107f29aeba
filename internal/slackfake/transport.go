package slackfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
)

// AckTimeout is how long Slack waits for the app to acknowledge a request.
const AckTimeout = 3 * time.Second

// Kind is what a delivery carries; the values are Socket Mode's envelope types.
type Kind string

// The kinds of delivery.
const (
	KindCommand     Kind = "slash_commands"
	KindInteraction Kind = "interactive"
	KindEvent       Kind = "events_api"
)

// Delivery is one request from Slack to the app.
type Delivery struct {
	Kind        Kind
	Form        url.Values // a slash command's fields (KindCommand)
	Payload     []byte     // interaction payload or event envelope JSON (the other kinds)
	RetryNum    int        // 0 for a first delivery
	RetryReason string     // why it is retried, e.g. "timeout"
}

// Transport carries deliveries to the app under test and returns its ack.
type Transport interface {
	Deliver(ctx context.Context, d Delivery) (Ack, error)
}

// TransportFunc adapts a function to Transport, e.g. to call handlers in-process.
type TransportFunc func(ctx context.Context, d Delivery) (Ack, error)

// Deliver calls f.
func (f TransportFunc) Deliver(ctx context.Context, d Delivery) (Ack, error) { return f(ctx, d) }

// Ack is the app's answer to a delivery.
type Ack struct {
	Status int    // HTTP status; 200 for a Socket Mode ack
	Body   []byte // HTTP response body, or the Socket Mode ack's payload JSON (empty if none)
}

// Decode unmarshals the ack body into v.
func (a Ack) Decode(v any) error { return json.Unmarshal(a.Body, v) }

// Text is the text of an ack that answers with a message (a slash command's reply
// only its sender sees), or "" when it has none.
func (a Ack) Text() string {
	var m struct {
		Text string `json:"text"`
	}
	if len(a.Body) == 0 || a.Decode(&m) != nil {
		return ""
	}
	return m.Text
}

// HTTPTransport delivers as Slack does to an app's Request URLs: signed POSTs to
// BaseURL + "/slack/commands", "/slack/interactions" and "/slack/events".
type HTTPTransport struct {
	BaseURL       string
	SigningSecret string
	Client        *http.Client     // nil means http.DefaultClient
	Timeout       time.Duration    // how long to wait for the ack; 0 means AckTimeout
	Now           func() time.Time // signature timestamps; nil means clock.Wall, which slack.NewSecretsVerifier checks against
}

// Deliver POSTs the delivery and returns the response status and body, whatever the
// status. It fails only when there is no answer (ErrAckTimeout after the timeout).
func (t HTTPTransport) Deliver(ctx context.Context, d Delivery) (Ack, error) {
	var path, ctype string
	var body []byte
	switch d.Kind {
	case KindCommand:
		path, ctype, body = "/slack/commands", "application/x-www-form-urlencoded", []byte(d.Form.Encode())
	case KindInteraction:
		path, ctype = "/slack/interactions", "application/x-www-form-urlencoded"
		body = []byte(url.Values{"payload": {string(d.Payload)}}.Encode())
	case KindEvent:
		path, ctype, body = "/slack/events", "application/json", d.Payload
	default:
		return Ack{}, fmt.Errorf("slackfake: unknown delivery kind %q", d.Kind)
	}
	timeout := cmpOr(t.Timeout, AckTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return Ack{}, err
	}
	now := clock.Wall
	if t.Now != nil {
		now = t.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign(t.SigningSecret, ts, body))
	if d.RetryNum > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(d.RetryNum))
		req.Header.Set("X-Slack-Retry-Reason", "http_"+d.RetryReason)
	}
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return Ack{}, fmt.Errorf("%w: %s after %s", ErrAckTimeout, path, timeout)
		}
		return Ack{}, fmt.Errorf("deliver to %s: %w", path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return Ack{}, fmt.Errorf("read ack from %s: %w", path, err)
	}
	return Ack{Status: resp.StatusCode, Body: respBody}, nil
}

// Sign is Slack's request signature: "v0=" + hex(HMAC-SHA256(secret, "v0:ts:body")).
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", timestamp)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// cmpOr is d, or def when d is zero.
func cmpOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
