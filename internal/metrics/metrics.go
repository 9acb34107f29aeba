// Package metrics exposes referralbot's Prometheus metrics: requests and their
// acknowledgement latency, Slack Web API calls by method and result, the outbox,
// reminders, positions and open referrals.
package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/referralbot/referralbot/bot"
)

// Metrics holds the collectors, registered on their own registry.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	ack       *prometheus.HistogramVec
	slack     *prometheus.CounterVec
	positions *prometheus.CounterVec
	remSent   prometheus.Counter
	remLate   prometheus.Counter
}

// Gauges are read at scrape time from their source of truth.
type Gauges struct {
	OutboxDepth      func(ctx context.Context) (int, error)
	OpenReferrals    func(ctx context.Context) (int, error)
	RemindersPending func(ctx context.Context) (int, error)
}

// New builds the metrics; gauges are read when scraped.
func New(g Gauges) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "referralbot_requests_total", Help: "Requests by route and HTTP status.",
	}, []string{"route", "status"})
	m.ack = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "referralbot_ack_seconds", Help: "Time to acknowledge a request (Slack allows 3 s).",
		Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2, 3},
	}, []string{"route"})
	m.slack = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "referralbot_slack_api_calls_total", Help: "Slack Web API calls by method and result (ok, ratelimited, an error code, or http_NNN).",
	}, []string{"method", "result"})
	m.positions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "referralbot_positions_total", Help: "Office positions recorded, by outcome.",
	}, []string{"outcome"})
	m.remSent = prometheus.NewCounter(prometheus.CounterOpts{Name: "referralbot_reminders_sent_total", Help: "Reminders recorded for sending."})
	m.remLate = prometheus.NewCounter(prometheus.CounterOpts{Name: "referralbot_reminders_late_total", Help: "Reminders that went out late (the bot or Redis was down when due)."})
	m.reg.MustRegister(m.requests, m.ack, m.slack, m.positions, m.remSent, m.remLate,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gauge := func(name, help string, read func(context.Context) (int, error)) {
		if read == nil {
			return
		}
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			n, err := read(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	gauge("referralbot_outbox_depth", "Slack work waiting in the outbox (-1 when unreadable).", g.OutboxDepth)
	gauge("referralbot_referrals_open", "Referrals without a final recommendation (-1 when unreadable).", g.OpenReferrals)
	gauge("referralbot_reminders_scheduled", "Reminders waiting in the queue (-1 when unreadable).", g.RemindersPending)
	return m
}

// Handler serves the metrics for scraping.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest counts a request and its acknowledgement latency.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.ack.WithLabelValues(route).Observe(d.Seconds())
}

// PositionRecorded implements bot.Observer.
func (m *Metrics) PositionRecorded(o bot.Outcome) { m.positions.WithLabelValues(string(o)).Inc() }

// ReminderRecorded implements bot.Observer.
func (m *Metrics) ReminderRecorded(late bool) {
	m.remSent.Inc()
	if late {
		m.remLate.Inc()
	}
}

var _ bot.Observer = (*Metrics)(nil)

// SlackTransport counts each Slack Web API call by method and result. It reads
// Slack's JSON answer ({"ok":false,"error":"…"}) and hands the body on unchanged.
func (m *Metrics) SlackTransport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		resp, err := next.RoundTrip(r)
		switch {
		case err != nil:
			m.slack.WithLabelValues(method, "transport_error").Inc()
		case resp.StatusCode == http.StatusTooManyRequests:
			m.slack.WithLabelValues(method, "ratelimited").Inc()
		case resp.StatusCode != http.StatusOK:
			m.slack.WithLabelValues(method, "http_"+strconv.Itoa(resp.StatusCode)).Inc()
		default:
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr != nil {
				// Cut off mid-answer: the caller hears the transport's error, not a
				// truncated body that fails to parse.
				m.slack.WithLabelValues(method, "transport_error").Inc()
				return nil, rerr
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			var ans struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			}
			result := "ok"
			if json.Unmarshal(body, &ans) != nil {
				result = "unreadable"
			} else if !ans.OK {
				result = ans.Error
			}
			m.slack.WithLabelValues(method, result).Inc()
		}
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
