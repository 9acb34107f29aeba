package handlers_test

// Benchmarks of one button press, the hot path of a busy morning: the store work
// of Service.Answer, and the whole signed HTTP request. Both run against the real
// SQLite file and the Slack emulator that the sandbox wires exactly as serve does.
// ns/op includes the fsync of each commit (synchronous=FULL) on an otherwise idle
// writer; cpu-µs/op is the process's CPU time per press (user + system, every
// goroutine), which is what a saturated bot runs out of.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// pressWorld is a sandbox with referrals opened and their asks posted.
type pressWorld struct {
	sb    *sandbox.Sandbox
	ctx   context.Context
	later []func()
	asks  []*bot.Ask
	chans []string // each ask's channel
}

func newPressWorld(tb testing.TB, referrals int) *pressWorld {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	start := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	sb, err := sandbox.New(ctx, "http", tb.TempDir(), start, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("sandbox: %v", err)
	}
	tb.Cleanup(sb.Close)
	w := &pressWorld{sb: sb, ctx: ctx}
	sb.App.Router.SetAfter(func(f func()) { w.later = append(w.later, f) })
	for i := range referrals {
		caseNumber := fmt.Sprintf("Z%06d", 100+i)
		if _, err := sb.Fake.SlashCommand(sb.Transport, sandbox.Analyst, sb.General, handlers.SlashCommand, "new"); err != nil {
			tb.Fatal(err)
		}
		v, ok := sb.Fake.LastView(sandbox.Analyst)
		if !ok {
			tb.Fatal("no New referral modal")
		}
		if _, err := sb.Fake.SubmitView(sb.Transport, sandbox.Analyst, v.ID, sandbox.ReferralInputs(caseNumber)...); err != nil {
			tb.Fatal(err)
		}
		w.drain(tb)
		r, err := sb.App.DB.ReferralByCase(ctx, bot.AgencyCommerce, caseNumber)
		if err != nil {
			tb.Fatal(err)
		}
		asks, err := sb.App.DB.Asks(ctx, r.ID)
		if err != nil {
			tb.Fatal(err)
		}
		for _, a := range asks {
			w.asks = append(w.asks, a)
			w.chans = append(w.chans, cmpOr(a.ChannelID, r.ChannelID))
		}
	}
	if len(w.asks) == 0 {
		tb.Fatal("no asks to press")
	}
	return w
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// drain runs the work left for after acknowledgements, then the outbox.
func (w *pressWorld) drain(tb testing.TB) {
	tb.Helper()
	later := w.later
	w.later = nil
	for _, f := range later {
		f()
	}
	if err := w.sb.App.Service.DrainJobs(w.ctx); err != nil {
		tb.Fatalf("drain outbox: %v", err)
	}
}

// cpuTime is the process's CPU time so far (user + system).
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU runs the benchmark loop body n times and reports CPU per op.
func measureCPU(b *testing.B, body func(i int)) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	before := cpuTime(b)
	for i := 0; b.Loop(); i++ {
		body(i)
	}
	b.ReportMetric(float64((cpuTime(b)-before).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkAnswer is the store work of an Approve press: Service.Answer as the
// button handler calls it, each press a new version (the office's two reviewers in
// turn, each seeing the version before).
func BenchmarkAnswer(b *testing.B) {
	w := newPressWorld(b, 2)
	svc := w.sb.App.Service
	versions := make([]int, len(w.asks))
	measureCPU(b, func(i int) {
		k := i % len(w.asks)
		a := w.asks[k]
		reviewer := sandbox.Reviewer(a.OfficeCode, 1+(versions[k]%2))
		seen := versions[k]
		if _, err := svc.Answer(w.ctx, reviewer, a.ID, bot.PositionInput{Outcome: bot.OutcomeApprove, Seen: &seen}); err != nil {
			b.Fatal(err)
		}
		versions[k]++
	})
}

// pressBodies captures the block_actions payload Slack sends when each reviewer
// presses Approve on each ask, as a form body split where the button value goes.
func pressBodies(b *testing.B, w *pressWorld) [][][]byte {
	b.Helper()
	var payload []byte
	capture := slackfake.TransportFunc(func(_ context.Context, d slackfake.Delivery) (slackfake.Ack, error) {
		payload = d.Payload
		return slackfake.Ack{Status: http.StatusOK}, nil
	})
	var bodies [][][]byte
	for k, a := range w.asks {
		value := []byte(url.QueryEscape(`"` + bot.AnswerValue(a) + `"`))
		for n := 1; n <= 2; n++ {
			if _, err := w.sb.Fake.ClickButton(capture, sandbox.Reviewer(a.OfficeCode, n), w.chans[k], a.MessageTS,
				bot.ActionAnswerPrefix+string(bot.OutcomeApprove)); err != nil {
				b.Fatal(err)
			}
			parts := bytes.Split([]byte(url.Values{"payload": {string(payload)}}.Encode()), value)
			if len(parts) < 2 {
				b.Fatalf("the press on ask %d does not carry %s", a.ID, bot.AnswerValue(a))
			}
			bodies = append(bodies, parts)
		}
	}
	return bodies
}

// signedPress is the signed request of a press on ask k showing version seen.
func signedPress(bodies [][][]byte, k, seen int, a *bot.Ask) *http.Request {
	value := []byte(url.QueryEscape(`"` + bot.AnswerValue(&bot.Ask{ID: a.ID, Current: &bot.Position{Version: seen}}) + `"`))
	body := bytes.Join(bodies[2*k+seen%2], value)
	ts := strconv.FormatInt(clock.Wall().Unix(), 10)
	r := httptest.NewRequest(http.MethodPost, "/slack/interactions", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", slackfake.Sign(sandbox.SigningSecret, ts, body))
	return r
}

// BenchmarkPressHTTP is a whole signed Approve press through the HTTP handler
// (signature, decode, routing, Service.Answer), and, beside it, the bare handler
// the issue measures against: the signature checked and the payload parsed with
// slack-go, no database.
func BenchmarkPressHTTP(b *testing.B) {
	w := newPressWorld(b, 2)
	bodies := pressBodies(b, w)
	b.Run("bot", func(b *testing.B) {
		versions := make([]int, len(w.asks))
		for k, a := range w.asks {
			cur, err := w.sb.App.DB.Ask(w.ctx, a.ID)
			if err != nil {
				b.Fatal(err)
			}
			if cur.Current != nil {
				versions[k] = cur.Current.Version
			}
		}
		measureCPU(b, func(i int) {
			k := i % len(w.asks)
			rec := httptest.NewRecorder()
			w.sb.App.Mux.ServeHTTP(rec, signedPress(bodies, k, versions[k], w.asks[k]))
			if rec.Code != http.StatusOK {
				b.Fatalf("press: %d %s", rec.Code, rec.Body)
			}
			versions[k]++
		})
		b.StopTimer()
		// Every press recorded a version: none was refused as stale.
		for k, a := range w.asks {
			cur, err := w.sb.App.DB.Ask(w.ctx, a.ID)
			if err != nil || cur.Current == nil || cur.Current.Version != versions[k] {
				b.Fatalf("ask %d: version %v, %v; want %d", a.ID, cur.Current, err, versions[k])
			}
		}
	})
	b.Run("bare", func(b *testing.B) {
		measureCPU(b, func(i int) {
			k := i % len(w.asks)
			r := signedPress(bodies, k, 0, w.asks[k])
			body, _ := io.ReadAll(r.Body)
			v, err := slack.NewSecretsVerifier(r.Header, sandbox.SigningSecret)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = v.Write(body)
			if err := v.Ensure(); err != nil {
				b.Fatal(err)
			}
			f, err := url.ParseQuery(string(body))
			if err != nil {
				b.Fatal(err)
			}
			var cb slack.InteractionCallback
			if err := json.Unmarshal([]byte(f.Get("payload")), &cb); err != nil {
				b.Fatal(err)
			}
		})
	})
}
