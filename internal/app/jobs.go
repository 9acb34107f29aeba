package app

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteJobs lists the outbox for an operator: every job not done yet (pending,
// running, paused on refused credentials, failed), oldest first, as a table.
func (a *App) WriteJobs(ctx context.Context, w io.Writer) error {
	jobs, err := a.DB.ListJobs(ctx)
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		_, err := fmt.Fprintln(w, "no Slack work waiting: the outbox is empty")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCASE\tKIND\tSTATE\tATTEMPTS\tNEXT TRY\tLAST ERROR")
	for _, j := range jobs {
		state, next := string(j.State), j.RunAt.UTC().Format(time.RFC3339)
		switch {
		case !j.PausedSince.IsZero():
			state = "paused since " + j.PausedSince.UTC().Format(time.RFC3339)
		case j.State == "failed":
			next = "never (jobs retry " + fmt.Sprint(j.ID) + ")"
		case j.State == "running":
			next = "lease until " + j.LeaseUntil.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s:%s\t%s\t%s\t%d\t%s\t%s\n", j.ID, j.Agency, j.CaseNumber, j.Kind, state, j.Attempts, next, j.LastError)
	}
	return tw.Flush()
}

// RetryJobs makes the named jobs (or, with failed, every failed job) due now, their
// attempts counted afresh; a running bot picks them up within a second. It returns
// how many it requeued.
func (a *App) RetryJobs(ctx context.Context, ids []int64, failed bool) (int, error) {
	return a.DB.RequeueJobs(ctx, a.Now(), ids, failed)
}
