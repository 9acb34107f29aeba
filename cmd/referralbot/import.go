package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/importfile"
)

const importUsage = `usage: referralbot import [--format json|csv] [--dry-run] FILE

Opens the referrals in FILE (JSON or CSV, see docs/IMPORT.md; "-" reads standard
input and needs --format) in the database at DATABASE_PATH, as /referral new would.
The running bot creates their channels. Every row is checked first: one bad row
imports nothing. A referral already in the bot is left unchanged.

Exit status: 0 imported (or unchanged), 1 not written, 2 bad input or usage.`

// badInput is an import refused for its content, or a command-line mistake: exit code 2.
type badInput struct{ msg string }

func (e badInput) Error() string { return e.msg }
func (e badInput) Unwrap() error { return errUsage }

// importCmd imports referrals from a file into the database the bot serves. It needs
// no Slack settings: opening a referral queues its Slack work in the database, and
// the serving bot's outbox workers do it.
func importCmd(ctx context.Context, c command) error {
	args, stdout, stderr := c.args, c.stdout, c.stderr
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, importUsage) }
	format := fs.String("format", "", "json or csv (default: from the file's extension)")
	dryRun := fs.Bool("dry-run", false, "check every row and say what would happen, writing nothing")
	var paths []string
	for rest := args; ; {
		if err := fs.Parse(rest); errors.Is(err, flag.ErrHelp) {
			return nil
		} else if err != nil {
			return badInput{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		paths, rest = append(paths, fs.Arg(0)), fs.Args()[1:] // flags may follow the file
	}
	if len(paths) != 1 {
		fs.Usage()
		return badInput{"import takes one FILE"}
	}
	path := paths[0]
	f := importfile.Format(strings.ToLower(*format))
	if f == "" {
		f = importfile.Format(strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	}
	if f != importfile.JSON && f != importfile.CSV {
		return badInput{fmt.Sprintf("cannot tell the format of %s: name it .json or .csv, or pass --format json|csv", path)}
	}

	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return badInput{fmt.Sprintf("read %s: %v", path, err)}
	}
	rows, err := importfile.Parse(data, f)
	if err != nil {
		return refused(err, stderr)
	}

	a, err := offline(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	svc := a.Service
	var results []bot.ImportResult
	if *dryRun {
		results, err = svc.CheckImport(ctx, rows)
	} else {
		results, err = svc.Import(ctx, rows)
	}
	for _, r := range results {
		fmt.Fprintln(stdout, r)
	}
	var ie *bot.ImportError
	if errors.As(err, &ie) {
		return refused(err, stderr)
	}
	return err
}

// refused lists every problem of a refused import on stderr.
func refused(err error, stderr io.Writer) error {
	var ie *bot.ImportError
	if !errors.As(err, &ie) {
		return badInput{err.Error()}
	}
	for _, p := range ie.Problems {
		fmt.Fprintln(stderr, p)
	}
	return badInput{ie.Error()}
}
