// Package record writes a referral's official record (bot.Record) as a file:
// Markdown for people to read, JSON in the export schema (Document) and CSV for
// spreadsheets. `referralbot export` and `/referral export` use it.
package record

import (
	"fmt"
	"strings"

	"github.com/referralbot/referralbot/bot"
)

// ExportFormat is a file format of the official record.
type ExportFormat string

// The export formats.
const (
	ExportMarkdown ExportFormat = "md"
	ExportJSON     ExportFormat = "json"
	ExportCSV      ExportFormat = "csv"
)

// ParseExportFormat reads a format name: md (or markdown), json or csv.
func ParseExportFormat(s string) (ExportFormat, error) {
	switch f := ExportFormat(strings.ToLower(strings.TrimSpace(s))); f {
	case ExportMarkdown, "markdown":
		return ExportMarkdown, nil
	case ExportJSON, ExportCSV:
		return f, nil
	}
	return "", bot.Errorf(bot.EINVALID, "%q is not an export format: use md, json or csv.", s)
}

// Render writes the record in format f.
func Render(r *bot.Record, f ExportFormat) ([]byte, error) {
	switch f {
	case ExportMarkdown:
		return []byte(Markdown(r)), nil
	case ExportJSON:
		return JSON(r)
	case ExportCSV:
		return CSV(r)
	}
	return nil, bot.Errorf(bot.EINVALID, "%q is not an export format: use md, json or csv.", f)
}

// FileName is the record's file name in format f, e.g. dod-record-commerce-Z123456.md.
func FileName(r *bot.Record, f ExportFormat) string {
	return fmt.Sprintf("dod-record-%s-%s.%s", r.Referral.Agency, r.Referral.CaseNumber, f)
}
