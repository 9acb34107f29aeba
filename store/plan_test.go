package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
)

// TestQueriesUseIndexes runs every query the store makes through EXPLAIN QUERY
// PLAN and fails on any full scan of a table: at ~600,000 referrals and 5 million
// positions (DOMAIN.md) a scan is an outage, and an empty test database would
// never show it.
func TestQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), clock.Stopped(scaleToday))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seen := map[string]bool{}
	read := reader{q: planCheck{db.read, t, seen}}

	err = db.update(ctx, func(q *sqlx.Tx) error {
		pc := planCheck{q, t, seen}
		tx := &tx{reader: reader{q: pc}, q: pc, db: db, now: db.Now()}
		r := &bot.Referral{Agency: bot.AgencyState, CaseNumber: "050-123456", OpenKey: "k"}
		must(t, tx.CreateReferral(ctx, r))
		r.ChannelID = "C1"
		must(t, tx.UpdateReferral(ctx, r))
		a := &bot.Ask{ReferralID: r.ID, OfficeCode: "army"}
		must(t, tx.CreateAsk(ctx, a))
		must(t, tx.UpdateAsk(ctx, a))
		must(t, tx.SetAskState(ctx, a.ID, bot.AskAwaiting))
		must(t, tx.CreatePosition(ctx, &bot.Position{AskID: a.ID, Outcome: bot.OutcomeApproveWithProvisos,
			Provisos: []bot.Proviso{{Text: "For stated end-use only"}}}))
		_, err := tx.AskStanding(ctx, a.ID)
		must(t, err)
		must(t, tx.CreateRecommendation(ctx, &bot.Recommendation{ReferralID: r.ID, Outcome: bot.OutcomeApprove,
			Provisos: []bot.Proviso{{Text: "x"}}, Dissent: []string{"navy"}}))
		// An event from before the chain, sealed as Open does after migration 00004.
		_, err = pc.ExecContext(ctx, `INSERT INTO events (id, referral_id, actor, kind, at) VALUES (1, ?, 'U1', 'x', '2025-01-01T00:00:00.000000000Z')`, r.ID)
		must(t, err)
		_, err = pc.ExecContext(ctx, `UPDATE event_chain_backfill SET through = 1`)
		must(t, err)
		must(t, sealPreChainEvents(ctx, pc))
		must(t, tx.AppendEvent(ctx, &bot.Event{ReferralID: r.ID, Actor: "U1", Kind: "referral.opened"}))
		rem := &bot.Reminder{ID: "1:2025-03-26:0", ReferralID: r.ID, AskID: a.ID, OfficeCode: "army", DueAt: db.now()}
		for range 2 { // recorded, then the duplicate that does nothing
			_, err := tx.RecordReminder(ctx, rem)
			must(t, err)
		}
		must(t, tx.MarkReminderPosted(ctx, rem.ID, true, false))
		must(t, tx.RecordHomeOpened(ctx, "U1"))
		must(t, tx.Enqueue(ctx, &bot.Job{Kind: bot.JobProvision, ReferralID: r.ID}))
		must(t, tx.Enqueue(ctx, &bot.Job{Kind: bot.JobProvision, ReferralID: r.ID})) // merged
		must(t, tx.Enqueue(ctx, &bot.Job{Kind: bot.JobUpdateAsk, ReferralID: r.ID, AskID: a.ID}))

		now := db.now()
		jobs, err := claimJobs(ctx, pc, now, time.Minute, 10)
		must(t, err)
		must(t, tx.Enqueue(ctx, &bot.Job{Kind: bot.JobProvision, ReferralID: r.ID}))
		must(t, retryJob(ctx, pc, jobs[0].ID, now, "merged away", true))
		must(t, retryJob(ctx, pc, jobs[1].ID, now, "retried", true))
		must(t, failJob(ctx, pc, jobs[1].ID, "failed", true))
		must(t, finishJob(ctx, pc, jobs[1].ID))
		must(t, tx.MarkForRefresh(ctx, r.ID, a.ID))
		must(t, tx.MarkForRefresh(ctx, r.ID, a.ID)) // counted up
		must(t, clearRefreshMarks(ctx, pc, r.ID, []bot.RefreshMark{{AskID: a.ID, Mark: 2}}))
		// A claim that takes over an expired lease whose key has a pending twin.
		must(t, tx.Enqueue(ctx, &bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID}))
		_, err = claimJobs(ctx, pc, now, time.Minute, 10)
		must(t, err)
		must(t, tx.Enqueue(ctx, &bot.Job{Kind: bot.JobUpdateSummary, ReferralID: r.ID}))
		jobs, err = claimJobs(ctx, pc, now.Add(time.Hour), time.Minute, 10)
		must(t, err)
		if len(jobs) == 0 || !jobs[0].LostWork {
			t.Errorf("claim after the lease expired = %v; want the expired job marked as one that may have lost work", jobs)
		}
		return nil
	})
	must(t, err)

	for _, read := range []func() error{
		func() error { _, err := read.Referral(ctx, 1); return err },
		func() error { _, err := read.ReferralByCase(ctx, bot.AgencyState, "050-123456"); return err },
		func() error { _, err := read.ReferralByChannel(ctx, "C1"); return err },
		func() error { _, err := read.ReferralByOpenKey(ctx, "k"); return err },
		func() error { _, err := read.Asks(ctx, 1); return err },
		func() error { _, err := read.Ask(ctx, 1); return err },
		func() error { _, _, err := read.AskWithReferral(ctx, 1); return err },
		func() error { _, err := read.Positions(ctx, 1); return err },
		func() error { _, err := read.Recommendation(ctx, 1); return err },
		func() error { _, err := read.Events(ctx, 1); return err },
		func() error { _, err := read.AwaitingAsks(ctx); return err },
		func() error { return read.EachAwaitingDue(ctx, func(bot.AwaitingDue) error { return nil }) },
		func() error { _, err := read.Reminders(ctx, 1); return err },
		func() error { _, err := read.AskReminders(ctx, 1); return err },
		func() error { _, err := read.AwaitingReminderIDs(ctx); return err },
		func() error { _, err := read.OpenReferrals(ctx); return err },
		func() error { _, err := pendingJobs(ctx, planCheck{db.read, t, seen}); return err },
		func() error { _, err := refreshMarks(ctx, planCheck{db.read, t, seen}, 1); return err },
		func() error { _, _, err := read.VerifyEvents(ctx); return err },
		func() error { _, _, err := read.LastEventHash(ctx); return err },
		func() error {
			return read.AskTimings(ctx, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), func(bot.AskTiming) error { return nil })
		},
		func() error { return read.AskTimings(ctx, time.Time{}, func(bot.AskTiming) error { return nil }) },
		func() error { _, err := read.OutcomeCounts(ctx, time.Time{}); return err },
		func() error { _, err := read.ProvisoUse(ctx, time.Time{}); return err },
		// The worklist (Home tab, /referral list): limit 0 runs each page's count as well.
		func() error { _, _, err := read.AnalystReferrals(ctx, "U1", 0); return err },
		func() error { _, _, err := read.OpenReferralList(ctx, 0); return err },
		func() error {
			_, _, err := read.OverdueReferrals(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0)
			return err
		},
		func() error { _, _, err := read.OfficeQueue(ctx, []string{"army", "navy"}, time.Time{}, 0); return err },
		func() error {
			_, _, err := read.OfficeQueue(ctx, []string{"army"}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0)
			return err
		},
		func() error { _, _, err := read.OfficeQueue(ctx, []string{"army"}, time.Time{}, 10); return err },
		func() error { _, err := read.Standings(ctx, []int64{1, 2}); return err },
		// The morning pass's DoD due dates (bot/dodmorning.go).
		func() error {
			_, err := read.DoDDueBetween(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC), 10)
			return err
		},
		func() error {
			_, err := read.DoDDuePassed(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 10)
			return err
		},
		// The supervisors' Home tab (bot/workload.go): limit 0 runs the count as well.
		func() error {
			_, err := read.AnalystLoads(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			return err
		},
		func() error { _, _, err := read.PendingSignOffs(ctx, "U1", 0); return err },
		func() error { _, _, err := read.PendingSignOffs(ctx, "U2", 10); return err },
		func() error { _, err := read.HomeViewers(ctx, []string{"U1", "U2"}); return err },
		func() error { _, err := read.AnyHomeViewer(ctx); return err },
		// The precedent panel (issue 12): each way of matching, for an analyst and a reviewer.
		func() error {
			for dim := range precedentColumns {
				if _, err := read.PrecedentMatch(ctx, bot.PrecedentQuery{Dim: dim, Key: "k", Except: 2}); err != nil {
					return err
				}
				if _, err := read.PrecedentMatch(ctx, bot.PrecedentQuery{Dim: dim, Key: "k", Except: 1, Offices: []string{"army", "navy"}}); err != nil {
					return err
				}
			}
			return nil
		},
		// The empty results that fall back to an existence check.
		func() error { read.Asks(ctx, 2); return nil },
		func() error { read.Positions(ctx, 2); return nil },
		func() error { read.Reminders(ctx, 2); return nil },
		func() error { read.AskReminders(ctx, 2); return nil },
	} {
		must(t, read())
	}
	if len(seen) < 60 {
		t.Errorf("checked %d distinct statements; want every one the store makes", len(seen))
	}
}

// planCheck runs EXPLAIN QUERY PLAN before each statement and fails tb when the
// plan scans one of the store's tables.
type planCheck struct {
	sqlx.ExtContext
	tb   testing.TB
	seen map[string]bool
}

// tableScan matches a plan step that reads a whole table (or a whole index, which
// is no better). Scans of CTEs, subquery results and constant rows are fine.
var tableScan = regexp.MustCompile(`^SCAN (referrals|asks|positions|provisos|recommendations|dissents|events|jobs|reminders|precedents|precedent_tally|precedent_provisos)\b|^SCAN [a-z]\b`)

// partialScan matches a scan of a partial index: it holds only the rows it is for
// (the open referrals), never the whole history.
var partialScan = regexp.MustCompile(`USING (COVERING )?INDEX (referrals_open|referrals_open_analyst|referrals_open_running|recommendations_pending)$`)

func (p planCheck) check(ctx context.Context, query string, args []any) {
	p.tb.Helper()
	if p.seen[query] {
		return
	}
	p.seen[query] = true
	rows, err := p.ExtContext.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		p.tb.Errorf("explain %s: %v", query, err)
		return
	}
	defer rows.Close()
	var plan []string
	bad := false
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			p.tb.Errorf("explain %s: %v", query, err)
			return
		}
		plan = append(plan, detail)
		bad = bad || (tableScan.MatchString(detail) && !partialScan.MatchString(detail))
	}
	if jobsStatement.MatchString(query) {
		bad = p.checkNoEphemeral(ctx, query, args, plan) || bad
	}
	if bad || testing.Verbose() {
		report := p.tb.Logf
		if bad {
			report = p.tb.Errorf
		}
		report("%s\n  plan: %s", strings.Join(strings.Fields(query), " "), strings.Join(plan, "\n        "))
	}
}

// jobsStatement matches a statement on the outbox (and its refresh marks), which every worker runs for
// every job: it must not fill an ephemeral b-tree (a window function, a sort, a
// RETURNING, an IN list or an IN check constraint each would). Each opens a page
// cache of its own, and a claim cost milliseconds with ten jobs pending (issue 13).
var jobsStatement = regexp.MustCompile(`\b(FROM|INTO|UPDATE) (jobs|refresh_marks)\b`)

// checkNoEphemeral fails tb when query's plan uses a temporary b-tree or its
// program opens an ephemeral table, and says whether it did.
func (p planCheck) checkNoEphemeral(ctx context.Context, query string, args []any, plan []string) bool {
	p.tb.Helper()
	bad := false
	for _, step := range plan {
		if strings.Contains(step, "TEMP B-TREE") {
			p.tb.Errorf("%s\n  uses a temporary b-tree: %s", strings.Join(strings.Fields(query), " "), step)
			bad = true
		}
	}
	rows, err := p.ExtContext.QueryContext(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		p.tb.Errorf("explain %s: %v", query, err)
		return true
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		p.tb.Errorf("explain %s: %v", query, err)
		return true
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			p.tb.Errorf("explain %s: %v", query, err)
			return true
		}
		if op := fmt.Sprint(vals[1]); op == "OpenEphemeral" || op == "OpenAutoindex" || op == "SorterOpen" {
			p.tb.Errorf("%s\n  opens an ephemeral table (%s at %v)", strings.Join(strings.Fields(query), " "), op, vals[0])
			bad = true
		}
	}
	return bad
}

func (p planCheck) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	p.check(ctx, query, args)
	return p.ExtContext.QueryContext(ctx, query, args...)
}

func (p planCheck) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	p.check(ctx, query, args)
	return p.ExtContext.QueryxContext(ctx, query, args...)
}

func (p planCheck) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	p.check(ctx, query, args)
	return p.ExtContext.QueryRowxContext(ctx, query, args...)
}

func (p planCheck) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	p.check(ctx, query, args)
	return p.ExtContext.ExecContext(ctx, query, args...)
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
