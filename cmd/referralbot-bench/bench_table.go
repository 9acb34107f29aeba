package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// benchRow is one line of the results table: a figure, the baseline measured in the
// same run that it is compared with, their ratio, and the target it must meet.
type benchRow struct {
	metric   string
	value    float64
	baseline float64 // 0: none
	baseName string  // what the baseline is
	unit     string  // "ms", "/s", "MB", "s", "" (a count)
	target   string  // "" when there is none
	pass     *bool
}

// benchReport is the table and the notes that explain it.
type benchReport struct {
	rows   []benchRow
	checks []benchRow // that the work measured was done
	notes  []string
}

func (r *benchReport) add(row benchRow) { r.rows = append(r.rows, row) }

func (r *benchReport) check(row benchRow) { r.checks = append(r.checks, row) }

func (r *benchReport) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func verdict(ok bool) *bool { return &ok }

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cells renders a row's columns.
func (row benchRow) cells() []string {
	num := func(v float64) string {
		switch row.unit {
		case "/s", "":
			return strconv.FormatFloat(v, 'f', 0, 64) + " " + row.unit
		case "MB":
			return strconv.FormatFloat(v, 'f', 1, 64) + " MB"
		case "s":
			return strconv.FormatFloat(v, 'f', 2, 64) + " s"
		}
		return strconv.FormatFloat(v, 'f', 2, 64) + " " + row.unit
	}
	base, ratio := "—", "—"
	if row.baseName != "" {
		base = num(row.baseline) + " (" + row.baseName + ")"
		if row.baseline > 0 {
			ratio = strconv.FormatFloat(row.value/row.baseline, 'f', 2, 64) + "x"
		}
	}
	target, pass := "—", "—"
	if row.target != "" {
		target = row.target
	}
	if row.pass != nil {
		pass = "yes"
		if !*row.pass {
			pass = "NO"
		}
	}
	return []string{row.metric, strings.TrimSpace(num(row.value)), strings.TrimSpace(base), ratio, target, pass}
}

// print writes the table and the checks (Markdown, aligned so that they also read
// as plain text), then the notes.
func (r *benchReport) print(w io.Writer) {
	printTable(w, r.rows)
	if len(r.checks) > 0 {
		fmt.Fprintln(w, "\nChecks: the work measured was done.")
		fmt.Fprintln(w)
		printTable(w, r.checks)
	}
	for _, n := range r.notes {
		fmt.Fprintf(w, "\n- %s\n", n)
	}
}

func printTable(w io.Writer, rows []benchRow) {
	header := []string{"metric", "value", "baseline", "ratio", "target", "pass"}
	table := [][]string{header}
	for _, row := range rows {
		table = append(table, row.cells())
	}
	width := make([]int, len(header))
	for _, cells := range table {
		for i, c := range cells {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range cells {
			b.WriteString(" " + c + strings.Repeat(" ", width[i]-len([]rune(c))) + " |")
		}
		fmt.Fprintln(w, b.String())
	}
	line(table[0])
	rule := make([]string, len(header))
	for i := range rule {
		rule[i] = strings.Repeat("-", width[i])
	}
	line(rule)
	for _, cells := range table[1:] {
		line(cells)
	}
}
