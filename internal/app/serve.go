package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/referralbot/referralbot/handlers"
)

// ReminderTick is how often due reminders are claimed.
const ReminderTick = 250 * time.Millisecond

// Serve runs the bot until ctx ends, then stops taking requests, lets in-flight
// work finish and returns. ready, when not nil, is told the address the HTTP server
// listens on.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.HTTPAddr, err)
	}
	// HTTP mode faces the internet: a client that sends slowly (or not at all) must
	// not hold a connection. Slack sends a whole request at once, and every handler
	// answers within its 3-second budget.
	srv := &http.Server{
		Handler:           handlers.Logged(a.Log, a.Mux, a.Metrics.ObserveRequest),
		ReadHeaderTimeout: min(5*time.Second, a.Config.HTTPReadTimeout),
		ReadTimeout:       a.Config.HTTPReadTimeout, // the whole request, body included
		WriteTimeout:      a.Config.HTTPReadTimeout + 20*time.Second,
		IdleTimeout:       60 * time.Second,
	}
	errc := make(chan error, 2)
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	a.Log.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { a.Service.RunWorkers(workCtx, a.Config.OutboxWorkers) })
	wg.Go(func() { a.Service.RunReminders(workCtx, ReminderTick) })
	if a.Socket != nil {
		wg.Go(func() {
			if err := a.Socket.Run(ctx); err != nil {
				errc <- err
			}
		})
	} else {
		a.ready() // HTTP mode: Slack reaches the bot through the listener, up now
	}

	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	stopWork()
	wg.Wait()
	return err
}

// NewLogger logs JSON in production and readable text on a terminal.
func NewLogger(format string, w io.Writer) *slog.Logger {
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
