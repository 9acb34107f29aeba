// Command referralbot-bench measures referralbot on this machine (docs/BENCHMARKS.md):
// the acknowledgement of signed button presses, the whole reminder path and a burst
// of openings under Slack's rate limits, start-up and memory, each beside a baseline
// run in the same process (issue 13's table).
//
//	referralbot-bench [-quick] [flags]   measure and print the table
//	referralbot-bench serve              the bot itself, as a child process to measure
//
// The serve mode runs the same internal/app wiring as `referralbot serve`; it lives
// here so that the serving binary never links the Slack emulator the bench drives.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/referralbot/referralbot/internal/app"
	"github.com/referralbot/referralbot/internal/clock"
)

// errUsage marks a command-line mistake: exit code 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "referralbot-bench:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "serve" {
		cfg, err := app.LoadConfig(getenv, app.Serving)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, clock.Wall, stderr, nil)
	}
	return benchCmd(ctx, args, stdout, stderr)
}

// serve runs the bot as `referralbot serve` does, on now (the wall clock, or a clock
// running at the real rate from a chosen moment); ready, when not nil, is told the
// address it listens on.
func serve(ctx context.Context, cfg *app.Config, now clock.Clock, stderr io.Writer, ready func(addr string)) error {
	a, err := app.New(ctx, cfg, app.Serving, now, app.NewLogger(cfg.LogFormat, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, ready)
}
