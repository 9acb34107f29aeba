package main

import (
	"context"
	"fmt"
)

const verifyUsage = `usage: referralbot verify

Checks the event log's hash chain (DATABASE_PATH, default referralbot.db): every
event's hash is recomputed and its link to the event before it checked. Prints
"N events, chain intact" and the newest event's hash (record it elsewhere: a
later verify that finds an earlier newest event means events were cut off the
end), or names the first event that was altered or removed and exits with 1.`

// verifyCmd checks the event chain: referralbot verify.
func verifyCmd(ctx context.Context, c command) error {
	args, stdout, stderr := c.args, c.stdout, c.stderr
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(stdout, verifyUsage)
		return nil
	}
	if len(args) != 0 {
		fmt.Fprintln(stderr, verifyUsage)
		return fmt.Errorf("%w: verify takes no arguments", errUsage)
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
