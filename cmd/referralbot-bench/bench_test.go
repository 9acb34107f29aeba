package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary be referralbot-bench itself (serve, or the bare
// handler) when the bench runs it as a child process.
func TestMain(m *testing.M) {
	if os.Getenv(childEnvVar) != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "referralbot-bench:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestBenchQuick runs `referralbot-bench -quick` and checks that it prints issue
// 13's table, with `serve` run as a process (this test binary): every row present
// with a positive figure and baseline, every press recorded, every reminder posted,
// every referral of the burst provisioned, the machine and how to reproduce. It
// asserts no timings: those belong to the machine, and docs/BENCHMARKS.md records them.
func TestBenchQuick(t *testing.T) {
	var out, progress bytes.Buffer
	if err := benchCmd(context.Background(), []string{"-quick"}, &out, &progress); err != nil {
		t.Fatalf("bench -quick: %v\nprogress:\n%s", err, progress.String())
	}
	table := out.String()
	t.Logf("bench -quick:\n%s", table)
	rows := benchTable(t, table)

	for _, metric := range []string{
		"ack p99 at 200 presses/s, `serve` as its own process", "saturated presses/s",
		"reminders, whole path, 500 due at once", "burst of 25 referrals: first submission",
		"`serve` exec → rebuild's end", "peak RSS of `serve` (VmHWM", "after start, 200 open referrals, in-process queue",
	} {
		row := findRow(rows, metric)
		if row == nil {
			t.Errorf("no row for %q", metric)
			continue
		}
		if v := leadingNumber(t, row[1]); v <= 0 {
			t.Errorf("%s = %s; want a positive figure", metric, row[1])
		}
		if leadingNumber(t, row[2]) <= 0 {
			t.Errorf("%s: baseline %s; want a positive figure", metric, row[2])
		}
	}
	if row := findRow(rows, "refusals with 429"); row == nil || leadingNumber(t, row[1]) < 0 {
		t.Errorf("no count of 429 refusals: %q", row)
	}
	// Correctness, not speed: each press recorded a version, each referral was provisioned.
	for _, metric := range []string{"position versions recorded per press answered", "reminders recorded in SQLite and posted", "referrals provisioned"} {
		if row := findRow(rows, metric); row != nil && (leadingNumber(t, row[1]) != leadingNumber(t, row[2]) || row[5] != "yes") {
			t.Errorf("%s: %s of %s (pass %s); want all", metric, row[1], row[2], row[5])
		}
	}
	for _, want := range []string{"Machine: ", "CPUs (nproc)", "go1.", "Reproduce: ", "bench -quick"} {
		if !strings.Contains(table, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("progress:\n%s", progress.String())
	}
}

// benchTable reads the rows of the printed table (cells: metric, value, baseline,
// ratio, target, pass), failing on a malformed row.
func benchTable(t *testing.T, out string) [][]string {
	t.Helper()
	var rows [][]string
	for line := range strings.SplitSeq(out, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 6 {
			t.Errorf("table row with %d cells: %q", len(cells), line)
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] != "metric" && !strings.HasPrefix(cells[0], "---") {
			rows = append(rows, cells)
		}
	}
	if len(rows) == 0 {
		t.Fatalf("no table in the output:\n%s", out)
	}
	return rows
}

// findRow returns the row whose metric mentions what, nil if none.
func findRow(rows [][]string, what string) []string {
	for _, r := range rows {
		if strings.Contains(r[0], what) {
			return r
		}
	}
	return nil
}

// leadingNumber parses the number a cell starts with ("12.5 ms", "300 /s").
func leadingNumber(t *testing.T, cell string) float64 {
	t.Helper()
	f, _, _ := strings.Cut(cell, " ")
	v, err := strconv.ParseFloat(f, 64)
	if err != nil {
		t.Errorf("cell %q does not start with a number", cell)
	}
	return v
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{{"-parts", "ack,nonsense"}, {"extra"}, {"-rate", "0"}} {
		var out, errOut bytes.Buffer
		if err := benchCmd(context.Background(), args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("bench %q = %v; want a usage error", args, err)
		}
	}
}
