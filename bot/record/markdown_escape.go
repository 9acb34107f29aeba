package record

import (
	"regexp"
	"strings"
	"time"
)

// mdTime writes an export instant (RFC 3339) as "2026-11-27 15:00 UTC".
func mdTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// mdEscaper backslash-escapes what Markdown (CommonMark, with GitHub's tables and
// strikethrough) reads as markup anywhere in a line; mdText handles line starts.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `|`, `\|`, `~`, `\~`,
)

// orderedListStart matches a line that Markdown would take for an ordered list item.
var orderedListStart = regexp.MustCompile(`^(\d{1,9})([.)])`)

// mdText escapes one line of text people typed.
func mdText(s string) string {
	s = mdEscaper.Replace(s)
	if s != "" && strings.ContainsRune("#>-+=", rune(s[0])) {
		return `\` + s
	}
	return orderedListStart.ReplaceAllString(s, `$1\$2`)
}

// mdBlock escapes text that may run over several lines, indenting the lines after
// the first so that they stay inside the list item they belong to.
func mdBlock(s, indent string) string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n")
	for i, l := range lines {
		l = mdText(strings.TrimSpace(l))
		if i > 0 {
			l = indent + l
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// mdCell escapes text for a table cell, where a line break would end the row.
func mdCell(s string) string {
	return mdText(strings.Join(strings.Fields(s), " "))
}

// mdCode writes s as a code span, with a fence longer than any run of backticks in it.
func mdCode(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
