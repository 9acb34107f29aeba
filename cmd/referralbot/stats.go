package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
)

const statsUsage = `usage: referralbot stats [--since YYYY-MM-DD]

Prints, for the referrals received on or after the date (all of them by default),
each office's number of asks, the median and 90th percentile of business days to
its first position, and the share of first positions on time; and the final
recommendations by outcome. Reads DATABASE_PATH, ROSTER_PATH (office names) and
TIME_ZONE (default America/New_York; where business days are counted).`

// statsCmd prints the timeliness statistics: referralbot stats [--since DATE].
func statsCmd(ctx context.Context, c command) error {
	args, stdout, stderr := c.args, c.stdout, c.stderr
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sinceFlag := fs.String("since", "", "count referrals received on or after this date")
	rest, err := reportArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stdout, statsUsage)
		return nil
	case err != nil:
		fmt.Fprintln(stderr, statsUsage)
		return fmt.Errorf("%w: stats: %v", errUsage, err)
	case len(rest) != 0:
		fmt.Fprintln(stderr, statsUsage)
		return fmt.Errorf("%w: stats takes no arguments besides --since", errUsage)
	}
	var since time.Time
	if *sinceFlag != "" {
		if since, err = bot.ParseDate(*sinceFlag); err != nil {
			return fmt.Errorf("%w: stats: --since %q is not a date like 2026-01-01", errUsage, *sinceFlag)
		}
	}
	a, err := offline(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	cal := deadline.NewCalendar(a.Config.Location())
	st, err := bot.ComputeStats(ctx, a.DB, cal, a.Roster, since, cal.Date(c.now()))
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, st.Text())
	return err
}
