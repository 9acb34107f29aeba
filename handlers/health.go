package handlers

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sort"
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

// readyTimeout bounds all readiness checks together.
const readyTimeout = 2 * time.Second

// Readyz answers 200 when every check passes and 503 naming the failing ones
// otherwise, as JSON: {"database":"ok","redis":"dial tcp …: connection refused"}.
func Readyz(checks map[string]Check) http.HandlerFunc {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		status, out := http.StatusOK, map[string]string{}
		for _, n := range names {
			if err := checks[n](ctx); err != nil {
				status, out[n] = http.StatusServiceUnavailable, err.Error()
			} else {
				out[n] = "ok"
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
