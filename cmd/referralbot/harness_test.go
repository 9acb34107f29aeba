package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"
	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// recorder remembers the last delivery, so a test can replay it as Slack's retry would.
type recorder struct {
	slackfake.Transport
	mu   sync.Mutex
	last slackfake.Delivery
}

func (r *recorder) Deliver(ctx context.Context, d slackfake.Delivery) (slackfake.Ack, error) {
	r.mu.Lock()
	r.last = d
	r.mu.Unlock()
	return r.Transport.Deliver(ctx, d)
}

func (r *recorder) replay(ctx context.Context) (slackfake.Ack, error) {
	r.mu.Lock()
	d := r.last
	r.mu.Unlock()
	return r.Transport.Deliver(ctx, d)
}

// harness is the sandbox driven by a test, as people in Slack would drive it over
// one transport.
type harness struct {
	*sandbox.Sandbox
	t   *testing.T
	ctx context.Context
	tr  *recorder

	mu    sync.Mutex
	later []func() // work the bot left for after its acknowledgements
}

// The sandbox's people, by the names the tests use.
const (
	analyst  = sandbox.Analyst
	analyst2 = sandbox.Analyst2
	delegate = sandbox.Delegate
	outsider = sandbox.Outsider
)

var (
	reviewer       = sandbox.Reviewer
	group          = sandbox.Group
	referralInputs = sandbox.ReferralInputs
)

// environ is a command's whole environment in a test: run reads nothing else, so
// these tests need no t.Setenv and may run in parallel.
type environ map[string]string

func (e environ) getenv(k string) string { return e[k] }

// runCmd runs the program as the binary would, on the clock now with env as its
// environment, and returns what it printed.
func runCmd(now clock.Clock, env environ, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(context.Background(), now, args, env.getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// start is Friday 2026-11-27 10:00 in New York.
var start = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

// newHarness builds the sandbox over transport ("http" or "socket"); opts change
// its workspace or settings (sandbox.WithQueues, sandbox.WithSetting).
func newHarness(t *testing.T, transport string, opts ...sandbox.Option) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sb, err := sandbox.New(ctx, transport, t.TempDir(), start, testLog(t), opts...)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(sb.Close)
	h := &harness{Sandbox: sb, t: t, ctx: ctx, tr: &recorder{Transport: sb.Transport}}
	sb.App.Router.SetAfter(func(f func()) {
		h.mu.Lock()
		h.later = append(h.later, f)
		h.mu.Unlock()
	})
	return h
}

// count runs a counting query on the database file, as an auditor would.
func (h *harness) count(query string, args ...any) int {
	h.t.Helper()
	db, err := sqlx.Open("sqlite3", "file:"+h.App.DB.Path()+"?mode=ro")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.GetContext(h.ctx, &n, query, args...); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// testLog logs warnings and errors into the test's output.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// drain runs the work the last actions left for after their acknowledgement, then
// the Slack work they queued, as the outbox workers would.
func (h *harness) drain() {
	h.t.Helper()
	h.mu.Lock()
	later := h.later
	h.later = nil
	h.mu.Unlock()
	for _, f := range later {
		f()
	}
	if err := h.App.Service.DrainJobs(h.ctx); err != nil {
		h.t.Fatalf("drain outbox: %v", err)
	}
}

func (h *harness) command(user, channel, text string) slackfake.Ack {
	h.t.Helper()
	ack, err := h.Fake.SlashCommand(h.tr, user, channel, handlers.SlashCommand, text)
	if err != nil {
		h.t.Fatalf("/referral %s by %s: %v", text, user, err)
	}
	if ack.Status != 200 {
		h.t.Fatalf("/referral %s: status %d %s", text, ack.Status, ack.Body)
	}
	return ack
}

// lastView returns the modal the bot last opened for user, failing if none.
func (h *harness) lastView(user, callback string) slackfake.View {
	h.t.Helper()
	v, ok := h.Fake.LastView(user)
	if !ok || v.CallbackID != callback || v.Closed {
		h.t.Fatalf("no open %s modal for %s (last: %+v, %v)", callback, user, v.CallbackID, ok)
	}
	return v
}

func (h *harness) submit(user, viewID string, inputs ...slackfake.Input) slackfake.Ack {
	h.t.Helper()
	ack, err := h.Fake.SubmitView(h.tr, user, viewID, inputs...)
	if err != nil {
		h.t.Fatalf("submit view %s by %s: %v", viewID, user, err)
	}
	return ack
}

func (h *harness) click(user, channel, ts, actionID string) {
	h.t.Helper()
	ack, err := h.Fake.ClickButton(h.tr, user, channel, ts, actionID)
	if err != nil {
		h.t.Fatalf("%s clicks %s: %v", user, actionID, err)
	}
	if ack.Status != 200 {
		h.t.Fatalf("%s clicks %s: status %d", user, actionID, ack.Status)
	}
}

// openReferral opens a referral through the modal as the analyst and returns it.
func (h *harness) openReferral(caseNumber string) *bot.Referral {
	h.t.Helper()
	return h.openReferralWith(caseNumber)
}

// openReferralWith is openReferral with more of the form filled in, e.g. the
// offices to ask (bot.FieldOffices) or people to invite (bot.FieldAlsoInvite).
func (h *harness) openReferralWith(caseNumber string, more ...slackfake.Input) *bot.Referral {
	h.t.Helper()
	return h.openReferralAs(analyst, caseNumber, more...)
}

// openReferralAs opens a referral through the modal as user, with more inputs on
// top of referralInputs' (offices, due dates…), and returns it.
func (h *harness) openReferralAs(user, caseNumber string, more ...slackfake.Input) *bot.Referral {
	h.t.Helper()
	h.submitReferral(user, caseNumber, more...)
	h.drain()
	r, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, caseNumber)
	if err != nil {
		h.t.Fatalf("referral %s not stored: %v", caseNumber, err)
	}
	return r
}

// submitReferral fills in and submits the New referral modal as user, leaving the
// Slack work it queues undone (see drain).
func (h *harness) submitReferral(user, caseNumber string, more ...slackfake.Input) {
	h.t.Helper()
	h.command(user, h.General, "new")
	v := h.lastView(user, bot.CallbackOpenReferral)
	ack := h.submit(user, v.ID, append(referralInputs(caseNumber), more...)...)
	if len(ack.Body) > 0 && strings.Contains(string(ack.Body), "errors") {
		h.t.Fatalf("open referral %s refused: %s", caseNumber, ack.Body)
	}
}

// askMessage returns the ask message of an office where it was posted: the
// office's queue channel, or the referral channel.
func (h *harness) askMessage(r *bot.Referral, office string) slackfake.Message {
	h.t.Helper()
	asks, err := h.App.DB.Asks(h.ctx, r.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, a := range asks {
		if a.OfficeCode == office {
			channel := a.ChannelID
			if channel == "" {
				channel = r.ChannelID
			}
			m, ok := h.Fake.FindMessage(channel, func(m slackfake.Message) bool { return m.TS == a.MessageTS })
			if !ok {
				h.t.Fatalf("ask message of %s (ts %q) not in channel %s", office, a.MessageTS, channel)
			}
			return m
		}
	}
	h.t.Fatalf("no ask for %s", office)
	return slackfake.Message{}
}

func (h *harness) ask(r *bot.Referral, office string) *bot.Ask {
	h.t.Helper()
	asks, err := h.App.DB.Asks(h.ctx, r.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, a := range asks {
		if a.OfficeCode == office {
			return a
		}
	}
	h.t.Fatalf("no ask for %s", office)
	return nil
}

// ephemeralsTo returns the texts shown only to user in channel.
func (h *harness) ephemeralsTo(channel, user string) []string {
	var out []string
	for _, e := range h.Fake.Ephemerals(channel) {
		if e.User == user {
			out = append(out, e.Text)
		}
	}
	return out
}

func blocksText(bs slack.Blocks) string {
	var b strings.Builder
	for _, bl := range bs.BlockSet {
		switch x := bl.(type) {
		case *slack.SectionBlock:
			if x.Text != nil {
				b.WriteString(x.Text.Text + "\n")
			}
			for _, f := range x.Fields {
				b.WriteString(f.Text + "\n")
			}
		case *slack.HeaderBlock:
			b.WriteString(x.Text.Text + "\n")
		case *slack.ContextBlock:
			for _, e := range x.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					b.WriteString(t.Text + "\n")
				}
			}
		case *slack.ActionBlock:
			for _, e := range x.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					b.WriteString("[" + btn.Text.Text + "]\n")
				}
			}
		}
	}
	return b.String()
}
