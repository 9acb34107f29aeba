package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
)

const exportUsage = `usage: referralbot export CASE [--format md|json|csv] [--output FILE]

Writes a referral's official record to standard output (or FILE, which must not
exist; it is created readable by its owner only). CASE is a case number: Z123456
looks in both agencies; state:050123456 or commerce:Z123456 names the agency.
Formats: md (Markdown, the default), json (schema referralbot.record/v1, see
record.Document), csv (one row per record line, see record.CSVHeader).
Every format carries the marking banner MARKING_BANNER (default CUI).
Reads DATABASE_PATH (default referralbot.db) and ROSTER_PATH (office names).`

// exportCmd writes a referral's official record: referralbot export CASE [--format F] [--output FILE].
func exportCmd(ctx context.Context, c command) error {
	args, stdout, stderr := c.args, c.stdout, c.stderr
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "md", "md, json or csv")
	output := fs.String("output", "", "write to this file instead of standard output")
	cases, err := reportArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stdout, exportUsage)
		return nil
	case err != nil:
		fmt.Fprintln(stderr, exportUsage)
		return fmt.Errorf("%w: export: %v", errUsage, err)
	case len(cases) != 1:
		fmt.Fprintln(stderr, exportUsage)
		return fmt.Errorf("%w: export takes one case number", errUsage)
	}
	f, err := record.ParseExportFormat(*format)
	if err != nil {
		return fmt.Errorf("%w: export: %s", errUsage, bot.ErrorMessage(err))
	}
	a, err := offline(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	db, roster := a.DB, a.Roster
	ref, err := bot.FindReferral(ctx, db, cases[0])
	switch bot.ErrorCode(err) {
	case "":
	case bot.EINVALID: // an ambiguous or malformed case number: the caller must say it again
		return fmt.Errorf("%w: export: %s", errUsage, bot.ErrorMessage(err))
	case bot.EINTERNAL:
		return fmt.Errorf("export %s: %w", cases[0], err)
	default:
		return fmt.Errorf("export: %s", bot.ErrorMessage(err))
	}
	rec, err := bot.LoadRecord(ctx, db, roster, ref.ID)
	if err != nil {
		return fmt.Errorf("export %s: %w", cases[0], err)
	}
	rec.Marking = a.Config.MarkingBanner
	content, err := record.Render(rec, f)
	if err != nil {
		return fmt.Errorf("export %s: %w", cases[0], err)
	}
	if *output == "" {
		_, err = stdout.Write(content)
		return err
	}
	// The record carries controlled unclassified information: owner-only, never over another file.
	file, err := os.OpenFile(*output, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export %s: %w", cases[0], err)
	}
	if _, err := file.Write(content); err != nil {
		file.Close()
		return fmt.Errorf("export %s to %s: %w", cases[0], *output, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("export %s to %s: %w", cases[0], *output, err)
	}
	fmt.Fprintf(stderr, "wrote the record of %s %s to %s\n", ref.Agency.Label(), ref.CaseNumber, *output)
	return nil
}

// reportArgs parses flags placed before, between or after the positional
// arguments (flag stops at the first of those) and returns the positional ones.
func reportArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if args = fs.Args(); len(args) == 0 {
			return positional, nil
		}
		positional, args = append(positional, args[0]), args[1:]
	}
}
