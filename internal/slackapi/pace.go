package slackapi

// Pacing. Slack limits each Web API method per workspace and app, per minute, and
// answers a call over the limit with 429 and a Retry-After in whole seconds. A bot
// that sends until refused spends its window on refusals and then waits longer than
// it needed to. The pacer keeps each method under its limit on the client side, so
// a burst of openings runs at the rate Slack allows with (almost) no 429s.

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
)

// Tiers are Slack's published per-minute limits for the methods the bot calls
// (SLACK.md): Tier 2 20+, Tier 3 50+, Tier 4 100+. chat.postMessage has no tier
// (about one message per second per channel, and an unpublished workspace limit);
// it is paced only when a limit is configured for it.
var Tiers = map[string]int{
	"conversations.create":         20, // Tier 2
	"conversations.setTopic":       20,
	"conversations.archive":        20,
	"conversations.list":           20,
	"usergroups.users.list":        20,
	"conversations.invite":         50, // Tier 3
	"conversations.kick":           50,
	"conversations.history":        50,
	"conversations.info":           50,
	"conversations.open":           50,
	"chat.update":                  50,
	"team.info":                    50,
	"views.open":                   100, // Tier 4
	"views.publish":                100,
	"chat.postEphemeral":           100,
	"chat.getPermalink":            100,
	"files.getUploadURLExternal":   100,
	"files.completeUploadExternal": 100,
}

// Pacer keeps each Web API method under a per-window limit: a sliding window, the
// way Slack counts. A method with no limit is not paced.
type Pacer struct {
	limits map[string]int
	window time.Duration
	now    clock.Clock

	mu   sync.Mutex
	sent map[string][]*call // per method, the calls that may still count against it
}

// call is one paced call. Slack counts it when it arrives, somewhere between when
// it left and when its answer came back; the pacer counts it from the answer (the
// later bound), and an unanswered call counts until it is answered.
type call struct {
	at       time.Time
	answered bool
}

// NewPacer paces to limits per minute, with the minute scaled down scale times (an
// emulator that runs its rate-limit clock faster; 1 for Slack). now is the clock the
// window is measured on.
func NewPacer(limits map[string]int, scale float64, now clock.Clock) *Pacer {
	if scale <= 0 {
		scale = 1
	}
	return &Pacer{limits: limits, window: time.Duration(float64(time.Minute) / scale), now: now, sent: map[string][]*call{}}
}

// inFlightPoll is how often a full window made only of unanswered calls is looked
// at again: it frees up when an answer comes back, which has no fixed time.
const inFlightPoll = 10 * time.Millisecond

// Wait blocks until a call to method fits in its limit, and counts it as made now;
// it returns ctx's error if ctx ends first (the call is then not counted).
func (p *Pacer) Wait(ctx context.Context, method string) error {
	c, err := p.admit(ctx, method)
	p.answered(c)
	return err
}

// admit waits for room for one call to method and counts it, unanswered.
func (p *Pacer) admit(ctx context.Context, method string) (*call, error) {
	limit := p.limits[method]
	if limit <= 0 {
		return nil, nil
	}
	for {
		p.mu.Lock()
		now := p.now()
		live := p.sent[method][:0]
		wait := inFlightPoll
		for _, c := range p.sent[method] {
			if !c.answered || c.at.After(now.Add(-p.window)) {
				live = append(live, c)
				if c.answered {
					wait = min(wait, c.at.Add(p.window).Sub(now))
				}
			}
		}
		p.sent[method] = live
		if len(live) < limit {
			c := &call{at: now}
			p.sent[method] = append(live, c)
			p.mu.Unlock()
			return c, nil
		}
		p.mu.Unlock()
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// answered marks c answered now: its window runs from here.
func (p *Pacer) answered(c *call) {
	if c == nil {
		return
	}
	p.mu.Lock()
	c.at, c.answered = p.now(), true
	p.mu.Unlock()
}

// Transport paces every call next makes to the Web API: the method is the last
// element of the URL's path (https://slack.com/api/chat.update).
func (p *Pacer) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		c, err := p.admit(r.Context(), r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
		if err != nil {
			return nil, err
		}
		defer p.answered(c)
		return next.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
