package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
)

// Healthz answers that the process is alive.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "ok\n")
}

// Check is one readiness check: nil when the dependency is usable.
type Check func(ctx context.Context) error

// readyTimeout bounds all readiness checks together: a probe that takes longer
// fails, whatever the dependency does.
const readyTimeout = 2 * time.Second

// Readyz answers 200 when every check passes and 503 naming the failing ones
// otherwise, as JSON: {"database":"ok","redis":"dial tcp …: connection refused"}.
// The checks run side by side, each with the deadline in its context; one that has
// not answered by then is reported as not answering and left behind (a client
// that ignores its context, such as go-redis without ContextTimeoutEnabled, would
// otherwise hold the answer for its own timeout), so the answer always comes
// within readyTimeout.
func Readyz(checks map[string]Check) http.HandlerFunc {
	return readyz(checks, readyTimeout)
}

func readyz(checks map[string]Check, limit time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), limit)
		defer cancel()
		type result struct {
			name string
			err  error
		}
		results := make(chan result, len(checks)) // buffered: a late check never blocks
		for n, check := range checks {
			go func() { results <- result{n, check(ctx)} }()
		}
		status, out := http.StatusOK, map[string]string{}
		for range checks {
			select {
			case res := <-results:
				out[res.name] = "ok"
				if res.err != nil {
					status, out[res.name] = http.StatusServiceUnavailable, res.err.Error()
				}
				continue
			case <-ctx.Done():
			}
			break
		}
		for n := range checks {
			if _, ok := out[n]; !ok {
				status, out[n] = http.StatusServiceUnavailable, fmt.Sprintf("no answer within %v", limit)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	}
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Logged logs one line per request: method, route, status and latency. It never
// logs bodies or headers, where tokens and referral details travel.
func Logged(log *slog.Logger, next http.Handler, observe func(route string, status int, d time.Duration)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := clock.Wall()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		d := clock.Elapsed(began)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if observe != nil {
			observe(route, rec.status, d)
		}
		log.Info("request", "route", route, "status", rec.status, "ms", float64(d.Microseconds())/1000)
	})
}
