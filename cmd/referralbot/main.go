// Command referralbot runs the DoD export-license referral bot for Slack.
//
//	referralbot [serve]   run the bot (Socket Mode or HTTP, from the environment)
//	referralbot demo      run the whole lifecycle against a built-in Slack emulator
//	referralbot backup P  copy the database consistently to P, online
//	referralbot import F  open the referrals in a JSON or CSV file
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// errUsage marks a command-line mistake: exit code 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
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
  demo    run a whole referral through a built-in Slack emulator and print a transcript
  backup PATH
          write a consistent copy of the database (DATABASE_PATH) to PATH while the bot runs
  import [--format json|csv] [--dry-run] FILE
          open the referrals in a JSON or CSV file (docs/IMPORT.md); needs no Slack settings
  export CASE [--format md|json|csv] [--output FILE]
          write a referral's official record (CASE: Z123456, or commerce:Z123456 / state:050123456)
  verify  check the event log's hash chain; exit 1 naming the first altered or removed event
  bench [-quick] [flags]
          measure acknowledgement, a burst of openings, memory and start-up (docs/BENCHMARKS.md)
  stats [--since YYYY-MM-DD]
          per office: asks, median / 90th-percentile business days to answer, share on time; outcomes
  help    this text`

// run is the whole program, so that tests can run it as the binary would.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := LoadConfig()
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stderr, nil)
	case "demo":
		return demo(ctx, stdout)
	case "backup":
		return backup(ctx, args, stdout)
	case "import":
		return importCmd(ctx, args, stdout, stderr)
	case "export":
		return exportCmd(ctx, args, stdout, stderr)
	case "verify":
		return verifyCmd(ctx, args, stdout, stderr)
	case "stats":
		return statsCmd(ctx, args, stdout, stderr)
	case "bench":
		return benchCmd(ctx, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}
