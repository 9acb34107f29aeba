package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// loadTarget is an HTTP server the load generator presses buttons on.
type loadTarget struct {
	name   string
	url    string // base URL
	pid    string // the process serving it, for its CPU time ("self": this one)
	client *http.Client
	deck   *pressDeck
	count  *atomic.Int64 // presses made so far in the target's sequence
	turns  *askTurns     // nil: presses need not arrive in order (the bare handler)
}

// newLoadTarget presses the deck's buttons on the bot at url, continuing the bot's
// sequence of presses.
func newLoadTarget(name, url string, deck *pressDeck) *loadTarget {
	return &loadTarget{name: name, url: url, pid: "self", client: newLoadClient(deck.patience), deck: deck, count: &deck.presses, turns: deck.turns}
}

// newBareTarget presses the same buttons on a bare handler, in a sequence of its own.
func newBareTarget(name, url string, deck *pressDeck) *loadTarget {
	return &loadTarget{name: name, url: url, pid: "self", client: newLoadClient(deck.patience), deck: deck, count: new(atomic.Int64)}
}

// next renders the target's next press.
func (t *loadTarget) next() press { return t.deck.render(t.count.Add(1) - 1) }

// newLoadClient keeps a connection per concurrent request, as Slack's senders do
// under load, and gives up after patience (Slack's 3-second acknowledgement limit
// when measuring).
func newLoadClient(patience time.Duration) *http.Client {
	return &http.Client{
		Timeout: cmp.Or(patience, slackfake.AckTimeout),
		Transport: &http.Transport{
			MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute,
			DisableCompression: true,
		},
	}
}

// send delivers a rendered press to the target's /slack/interactions, in its turn.
func (t *loadTarget) send(ctx context.Context, p press) error {
	if t.turns != nil {
		t.turns.wait(p.ask, p.turn)
		defer t.turns.finish(p.ask)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url+"/slack/interactions", bytes.NewReader(p.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", t.deck.ts)
	req.Header.Set("X-Slack-Signature", p.sig)
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", t.name, resp.StatusCode)
	}
	return nil
}

// loadResult is one load phase: latencies of the answered presses, sorted.
type loadResult struct {
	sent    int
	failed  int
	err     error // the first failure
	elapsed time.Duration
	lat     []time.Duration
	cpu     float64 // CPUs the serving process kept busy meanwhile
}

// perSecond is the rate of answered presses.
func (r loadResult) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.lat)) / r.elapsed.Seconds()
}

// pct is the q-quantile of latency (nearest rank); 0 when nothing was answered.
func (r loadResult) pct(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.lat))+0.5) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

func (r loadResult) String() string {
	s := fmt.Sprintf("%d presses in %v: %.0f/s, p50 %v p99 %v max %v", r.sent, r.elapsed.Round(time.Millisecond),
		r.perSecond(), ms(r.pct(0.50)), ms(r.pct(0.99)), ms(r.pct(1)))
	if r.cpu > 0 {
		s += fmt.Sprintf(", %.2f CPUs busy", r.cpu)
	}
	if r.failed > 0 {
		s += fmt.Sprintf(", %d failed (%v)", r.failed, r.err)
	}
	return s
}

// collect merges per-press outcomes into a result, with the CPU the serving
// process used since cpu0.
func (t *loadTarget) collect(lat []time.Duration, errs []error, start time.Time, cpu0 time.Duration) loadResult {
	elapsed := clock.Elapsed(start)
	r := loadResult{sent: len(lat), elapsed: elapsed, lat: make([]time.Duration, 0, len(lat))}
	if cpu := cpuTime(t.pid); cpu > 0 && elapsed > 0 {
		r.cpu = float64(cpu-cpu0) / float64(elapsed)
	}
	for i, err := range errs {
		if err != nil {
			r.failed++
			if r.err == nil {
				r.err = err
			}
			continue
		}
		r.lat = append(r.lat, lat[i])
	}
	slices.Sort(r.lat)
	return r
}

// openLoop presses at a fixed rate for d, each press on its own goroutine at its
// scheduled time, whatever happened to the earlier ones. Latency runs from the
// scheduled time, not the send time, so that a stalled server or generator shows
// up as latency instead of as fewer presses (coordinated omission).
func openLoop(ctx context.Context, t *loadTarget, rate float64, d time.Duration) loadResult {
	n := max(int(rate*d.Seconds()), 1)
	interval := time.Duration(float64(time.Second) / rate)
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var wg sync.WaitGroup
	start, cpu0 := clock.Wall(), cpuTime(t.pid)
	sent := 0
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		p := t.next() // rendered and signed before its time comes
		if wait := -clock.Elapsed(at); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		sent++
		wg.Go(func() {
			errs[i] = t.send(ctx, p)
			lat[i] = clock.Elapsed(at)
		})
	}
	wg.Wait()
	return t.collect(lat[:sent], errs[:sent], start, cpu0)
}

// closedLoop runs clients that each press, wait for the answer and press again,
// for d: the most the server answers.
func closedLoop(ctx context.Context, t *loadTarget, clients int, d time.Duration) loadResult {
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs []error
		wg   sync.WaitGroup
	)
	start, cpu0 := clock.Wall(), cpuTime(t.pid)
	deadline := start.Add(d)
	for range clients {
		wg.Go(func() {
			var myLat []time.Duration
			var myErrs []error
			for ctx.Err() == nil && clock.Wall().Before(deadline) {
				p := t.next()
				began := clock.Wall()
				err := t.send(ctx, p)
				myLat, myErrs = append(myLat, clock.Elapsed(began)), append(myErrs, err)
			}
			mu.Lock()
			lat, errs = append(lat, myLat...), append(errs, myErrs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return t.collect(lat, errs, start, cpu0)
}

// bareHandler is the least any signed Slack endpoint must do, on this machine: it
// reads the body as the bot does, verifies the signature with slack-go, and parses
// the interaction payload of the signed form with slack-go (slack.InteractionCallback,
// as the bot's handlers do), then answers 200 without authorising, recording or
// enqueuing anything: no database.
func bareHandler(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, handlers.MaxBody))
		if err != nil {
			http.Error(w, "could not read request", http.StatusBadRequest)
			return
		}
		v, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			http.Error(w, "missing or stale signature", http.StatusUnauthorized)
			return
		}
		_, _ = v.Write(body)
		if err := v.Ensure(); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		form, err := url.ParseQuery(string(body))
		var cb slack.InteractionCallback
		if err == nil {
			err = json.Unmarshal([]byte(form.Get("payload")), &cb)
		}
		if err != nil || cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
			http.Error(w, "not a button press", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// startBare serves bareHandler on a loopback port until the returned stop is called.
func startBare() (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: bareHandler(sandbox.SigningSecret), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// ms is d in milliseconds with two decimals, for progress lines.
func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms" }
