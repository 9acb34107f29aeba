package main

import (
	"context"
	"fmt"
	"strconv"
)

const jobsUsage = `usage: referralbot jobs [list]
       referralbot jobs retry ID... | --failed

The outbox of Slack work (DATABASE_PATH). list (the default) prints every job not
done yet: pending, running, paused (Slack refused the app's credentials or scopes;
retried every minute until fixed) and failed (Slack refused the request for good).
retry makes the named jobs, or every failed one, due now with their attempts
counted afresh, once the cause is fixed; the running bot picks them up within a
second.`

// jobsCmd lists or retries outbox jobs: referralbot jobs [list | retry ID…|--failed].
func jobsCmd(ctx context.Context, c command) error {
	args, stdout, stderr := c.args, c.stdout, c.stderr
	sub := "list"
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	usageErr := func(format string, a ...any) error {
		fmt.Fprintln(stderr, jobsUsage)
		return fmt.Errorf("%w: jobs: "+format, append([]any{errUsage}, a...)...)
	}
	var ids []int64
	failed := false
	switch sub {
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, jobsUsage)
		return nil
	case "list":
		if len(args) != 0 {
			return usageErr("list takes no arguments")
		}
	case "retry":
		if len(args) == 0 {
			return usageErr("retry needs job ids or --failed")
		}
		for _, arg := range args {
			if arg == "--failed" {
				failed = true
				continue
			}
			id, err := strconv.ParseInt(arg, 10, 64)
			if err != nil || id <= 0 {
				return usageErr("%q is not a job id (a number from `referralbot jobs`)", arg)
			}
			ids = append(ids, id)
		}
		if failed && len(ids) > 0 {
			return usageErr("retry takes job ids or --failed, not both")
		}
	default:
		return usageErr("unknown subcommand %q", sub)
	}
	a, err := offline(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	if sub == "list" {
		return a.WriteJobs(ctx, stdout)
	}
	n, err := a.RetryJobs(ctx, ids, failed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d job(s) due now; the running bot picks them up within a second\n", n)
	return nil
}
