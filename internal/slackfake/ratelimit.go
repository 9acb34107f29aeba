package slackfake

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// faults are the rate limits, injected failures and latencies a test has asked for.
type faults struct {
	next    map[string][]fault // one-shot faults per method, first first
	limits  map[string]int     // calls per (scaled) minute per method
	windows map[string][]time.Time
	latency map[string]time.Duration
	scale   float64
	refused string // every bot-token call's error while the token is refused
}

func newFaults() faults {
	return faults{
		next:    map[string][]fault{},
		limits:  map[string]int{},
		windows: map[string][]time.Time{},
		latency: map[string]time.Duration{},
		scale:   1,
	}
}

// fault is one injected failure: an error code, an HTTP status, or a 429.
type fault struct {
	code        string
	status      int
	rateLimited bool
	retryAfter  time.Duration
}

// FailNext makes the next n calls to method answer {"ok":false,"error":errCode}.
func (s *Server) FailNext(method, errCode string, n int) {
	s.queueFaults(method, fault{code: errCode}, n)
}

// FailNextHTTP makes the next n calls to method answer with an HTTP status such as
// 500 or 503 (slack-go returns slack.StatusCodeError).
func (s *Server) FailNextHTTP(method string, status, n int) {
	s.queueFaults(method, fault{status: status}, n)
}

// RateLimitNext makes the next call to method answer 429 with a Retry-After of
// retryAfter rounded up to whole seconds (zero is allowed, so a test need not wait).
func (s *Server) RateLimitNext(method string, retryAfter time.Duration) {
	s.queueFaults(method, fault{rateLimited: true, retryAfter: retryAfter}, 1)
}

func (s *Server) queueFaults(method string, f fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.st.faults.next[method] = append(s.st.faults.next[method], f)
	}
}

// SetRateLimit limits method to perMinute calls in any sliding minute of the fake
// clock (divided by the time scale); calls beyond it answer HTTP 429 with Retry-After
// and {"ok":false,"error":"ratelimited"}, which slack-go returns as
// *slack.RateLimitedError. Zero removes the limit.
func (s *Server) SetRateLimit(method string, perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults.limits[method] = perMinute
	delete(s.st.faults.windows, method)
}

// SetTimeScale makes rate-limit windows f times shorter: at 60, a Tier 2 limit of
// 20 per minute becomes 20 per second. Retry-After is the real wait until a call is
// admitted again, rounded up to whole seconds and at least 1, as Slack sends it:
// slack-go reads the header as an integer, so a scaled wait cannot be shorter than a
// second. A client that honours it never retries too early. Trigger expiry and
// response_url lifetimes are not scaled.
func (s *Server) SetTimeScale(f float64) {
	if f <= 0 {
		panic(fmt.Sprintf("slackfake: time scale %v must be positive", f))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults.scale = f
}

// SetLatency makes every call to method wait d (real time) before it is answered.
func (s *Server) SetLatency(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults.latency[method] = d
}

// RefuseBotToken makes every call made with the bot token answer
// {"ok":false,"error":code} (invalid_auth, token_revoked, account_inactive), as Slack
// does from the moment a token is revoked or the app uninstalled, until
// RefuseBotToken("") restores it, as reinstalling would. App-token calls (Socket
// Mode's apps.connections.open) are unaffected.
func (s *Server) RefuseBotToken(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults.refused = code
}

// refusedBotToken is the error every bot-token call answers now, "" when none.
func (s *Server) refusedBotToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.faults.refused
}

// delay waits out the method's latency; false means the client went away or the
// server is closing.
func (s *Server) delay(ctx context.Context, method string) bool {
	s.mu.Lock()
	d := s.st.faults.latency[method]
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// injected answers the call with a queued fault or a rate-limit refusal, if any.
func (s *Server) injected(method string) (reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.st.faults
	if q := f.next[method]; len(q) > 0 {
		f.next[method] = q[1:]
		return q[0].reply(), true
	}
	limit := f.limits[method]
	if limit <= 0 {
		return reply{}, false
	}
	window := time.Duration(float64(time.Minute) / f.scale)
	now := s.now()
	log := f.windows[method]
	for len(log) > 0 && !log[0].After(now.Add(-window)) {
		log = log[1:]
	}
	if len(log) >= limit {
		f.windows[method] = log
		wait := log[0].Add(window).Sub(now)
		return rateLimited(wait, 1), true
	}
	f.windows[method] = append(log, now)
	return reply{}, false
}

func (f fault) reply() reply {
	switch {
	case f.rateLimited:
		return rateLimited(f.retryAfter, 0)
	case f.status != 0:
		code := "http_" + strconv.Itoa(f.status)
		return reply{status: f.status, body: map[string]any{"ok": false, "error": code}, code: code}
	default:
		return failure(apiErr(f.code))
	}
}

// rateLimited is Slack's 429: Retry-After in whole seconds, rounded up, at least minSecs.
func rateLimited(wait time.Duration, minSecs int) reply {
	secs := max(int(math.Ceil(wait.Seconds())), minSecs)
	return reply{
		status:     http.StatusTooManyRequests,
		retryAfter: strconv.Itoa(secs),
		body:       map[string]any{"ok": false, "error": "ratelimited"},
		code:       "ratelimited",
	}
}
