// Command referralbot runs the DoD export-license referral bot for Slack.
//
//	referralbot [serve]   run the bot (Socket Mode or HTTP, from the environment)
//	referralbot backup P  copy the database consistently to P, online
//	referralbot import F  open the referrals in a JSON or CSV file
//	referralbot export C  write a referral's official record
//	referralbot verify    check the event log's hash chain (--record F: an exported record, alone)
//	referralbot stats     timeliness per office
//	referralbot jobs      the outbox of Slack work; jobs retry ID|--failed
//
// The demo (cmd/referralbot-demo) and the benchmarks (cmd/referralbot-bench) are
// their own commands, so that this binary links neither the Slack emulator nor
// net/http/httptest.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	// The program's one clock: the wall clock, read here and passed down.
	err := run(ctx, clock.Wall, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "referralbot:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

const usage = `usage: referralbot [command]

commands:
  serve   run the bot (default); configured by environment variables, see README
  backup PATH
          write a consistent copy of the database (DATABASE_PATH) to PATH while the bot runs
  import [--format json|csv] [--dry-run] FILE
          open the referrals in a JSON or CSV file (docs/IMPORT.md); needs no Slack settings
  export CASE [--format md|json|csv] [--output FILE]
          write a referral's official record (CASE: Z123456, or commerce:Z123456 / state:050123456)
  verify [--record FILE]
          check the event log's hash chain; exit 1 naming the first altered or removed event.
          --record: check an exported JSON record on its own, without the database
  stats [--since YYYY-MM-DD]
          per office: asks, median / 90th-percentile business days to answer, share on time; outcomes
  jobs [list]
          the outbox of Slack work: pending, paused (Slack refused the app's credentials), failed
  jobs retry ID... | --failed
          make those jobs (or every failed one) due now, once the cause is fixed
  help    this text

The demo and the benchmarks are their own commands:
  go run ./cmd/referralbot-demo    a whole referral through a built-in Slack emulator
  go run ./cmd/referralbot-bench   acknowledgement, bursts, memory and start-up (docs/BENCHMARKS.md)`

// command is what a subcommand is given: its arguments and the program's world.
type command struct {
	now    clock.Clock         // the program's one clock
	args   []string            // the arguments after the subcommand's name
	getenv func(string) string // the settings (os.Getenv in production)
	stdout io.Writer
	stderr io.Writer
}

// run is the whole program, so that tests can run it as the binary would, on their
// own clock and environment.
func run(ctx context.Context, now clock.Clock, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	c := command{now: now, args: args, getenv: getenv, stdout: stdout, stderr: stderr}
	switch name {
	case "serve":
		return serveCmd(ctx, c)
	case "backup":
		return backupCmd(ctx, c)
	case "import":
		return importCmd(ctx, c)
	case "export":
		return exportCmd(ctx, c)
	case "verify":
		return verifyCmd(ctx, c)
	case "stats":
		return statsCmd(ctx, c)
	case "jobs":
		return jobsCmd(ctx, c)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, name)
}

// serveCmd runs the bot until ctx ends.
func serveCmd(ctx context.Context, c command) error {
	cfg, err := app.LoadConfig(c.getenv, app.Serving)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Serving, c.now, app.NewLogger(cfg.LogFormat, c.stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, nil)
}

// offline builds the app of an offline command (import, export, stats, verify,
// backup): the database at DATABASE_PATH, which must exist, and no Slack.
func offline(ctx context.Context, c command) (*app.App, error) {
	cfg, err := app.LoadConfig(c.getenv, app.Offline)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return app.New(ctx, cfg, app.Offline, c.now, log)
}
