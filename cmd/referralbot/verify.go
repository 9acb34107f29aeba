package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

const verifyUsage = `usage: referralbot verify [--record FILE]

Without --record: checks the event log's hash chain (DATABASE_PATH, default
referralbot.db): every event's hash is recomputed and its link to the event
before it checked. Prints "N events, chain intact" and the newest event's hash
(record it elsewhere: a later verify that finds an earlier newest event means
events were cut off the end), or names the first event that was altered or
removed and exits with 1.

With --record FILE: checks a record exported as JSON (referralbot export
--format json, /referral export json) on its own, without the database: the
hash and links of each of its events, and its facts (the referral, every
position, the final recommendation, the due-date changes) against the digests
its events carry. Prints what held and the record's newest event and hash, or
names the first event at which it breaks and exits with 1. Exits with 2 when
FILE cannot be read as a record.`

// verifyCmd checks the event chain: referralbot verify [--record FILE].
func verifyCmd(ctx context.Context, c command) error {
	args, stdout, stderr := c.args, c.stdout, c.stderr
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("record", "", "an exported JSON record to check on its own")
	rest, err := reportArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp) || len(args) == 1 && args[0] == "help":
		fmt.Fprintln(stdout, verifyUsage)
		return nil
	case err != nil:
		fmt.Fprintln(stderr, verifyUsage)
		return fmt.Errorf("%w: verify: %v", errUsage, err)
	case len(rest) != 0:
		fmt.Fprintln(stderr, verifyUsage)
		return fmt.Errorf("%w: verify takes no arguments besides --record FILE", errUsage)
	case *file != "":
		return verifyRecord(*file, stdout)
	}
	for _, a := range args {
		if a == "--record" || a == "-record" || a == "--record=" || a == "-record=" {
			fmt.Fprintln(stderr, verifyUsage)
			return fmt.Errorf("%w: verify: --record needs a file", errUsage)
		}
	}
	a, err := offline(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	db := a.DB
	// The head first: the log only grows, so the walk below covers it.
	headID, head, err := db.LastEventHash(ctx)
	if err != nil {
		return err
	}
	checked, bad, err := db.VerifyEvents(ctx)
	if err != nil {
		return err
	}
	if bad != nil {
		intact := fmt.Sprintf("the %d events before it are intact", checked)
		switch checked {
		case 0:
			intact = "it is the first event"
		case 1:
			intact = "the event before it is intact"
		}
		return fmt.Errorf("event chain broken at %s (%s)", bad, intact)
	}
	fmt.Fprintf(stdout, "%d events, chain intact\n", checked)
	if headID > 0 {
		fmt.Fprintf(stdout, "event #%d is the newest checked; its hash is %s\n", headID, head)
	}
	return nil
}
