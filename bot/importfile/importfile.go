// Package importfile reads the referrals of an import file (docs/IMPORT.md), JSON or
// CSV, into bot.ImportRow values for bot.Service.CheckImport and Import. It reports
// what it cannot read as the rows' problems, so that the service reports them
// together with what it finds wrong itself.
package importfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/referralbot/referralbot/bot"
)

// Format names the format of an import file.
type Format string

// The import formats. Both carry the same fields (docs/IMPORT.md).
const (
	JSON Format = "json" // {"referrals": [{"agency": "commerce", …}, …]}
	CSV  Format = "csv"  // a header row naming the fields; offices ;-separated
)

// problem notes something wrong with the row.
func problem(r *bot.ImportRow, field, format string, args ...any) {
	r.Problems = append(r.Problems, bot.ImportProblem{Row: r.Row, Line: r.Line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// set stores the text of one field, reporting whether the field exists.
func set(r *bot.ImportRow, field, value string) bool {
	in := &r.Input
	dst := map[string]*string{
		bot.FieldAnalyst: &r.Analyst, bot.FieldAgency: &in.Agency, bot.FieldCaseNumber: &in.CaseNumber,
		bot.FieldLicenseType: &in.LicenseType, bot.FieldApplicant: &in.Applicant, bot.FieldCommodity: &in.Commodity,
		bot.FieldClassification: &in.Classification, bot.FieldDestination: &in.Destination, bot.FieldEndUser: &in.EndUser,
		bot.FieldValue: &in.Value, bot.FieldReceived: &in.Received, bot.FieldDoDDue: &in.DoDDue, bot.FieldOfficeDue: &in.OfficeDue,
		bot.FieldUSXPORTS:   &in.USXPORTSRef,
		bot.FieldReReferral: &in.ReReferral,
	}[field]
	if dst == nil {
		return false
	}
	*dst = value
	return true
}

// Parse reads the referrals of an import file. It fails with a *bot.ImportError
// when the file as a whole cannot be read (not JSON, an unknown CSV column, no
// referrals); what is wrong with single rows is left for CheckImport to report
// together with every other problem.
func Parse(data []byte, format Format) ([]bot.ImportRow, error) {
	var rows []bot.ImportRow
	var problems []bot.ImportProblem
	switch format {
	case JSON:
		rows, problems = parseJSON(data)
	case CSV:
		rows, problems = parseCSV(data)
	default:
		return nil, bot.Errorf(bot.EINVALID, "unknown import format %q; use json or csv", format)
	}
	if len(problems) == 0 && len(rows) == 0 {
		problems = append(problems, bot.ImportProblem{Message: "the file holds no referrals"})
	}
	if len(problems) > 0 {
		return nil, &bot.ImportError{Problems: problems}
	}
	return rows, nil
}

// parseJSON reads {"referrals": [ … ]}, noting the line where each row starts.
func parseJSON(data []byte) ([]bot.ImportRow, []bot.ImportProblem) {
	fail := func(offset int64, format string, args ...any) []bot.ImportProblem {
		return []bot.ImportProblem{{Line: lineAt(data, offset), Message: fmt.Sprintf(format, args...)}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) []bot.ImportProblem {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(se.Offset, "not valid JSON: %v", err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fail(int64(len(data)), "not valid JSON: the file ends too soon")
		}
		return fail(dec.InputOffset(), "not valid JSON: %v", err)
	}
	const shape = `the file must be one JSON object {"referrals": [ … ]}`
	if tok, err := dec.Token(); err != nil {
		return nil, syntax(err)
	} else if tok != json.Delim('{') {
		return nil, fail(0, "%s", shape)
	}
	var rows []bot.ImportRow
	seen := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		if key, _ := tok.(string); key != "referrals" || seen {
			return nil, fail(dec.InputOffset(), "%s: unexpected key %q", shape, key)
		}
		seen = true
		if tok, err := dec.Token(); err != nil {
			return nil, syntax(err)
		} else if tok != json.Delim('[') {
			return nil, fail(dec.InputOffset(), `"referrals" must be a list of referrals`)
		}
		for dec.More() {
			start := skipSeparators(data, dec.InputOffset())
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, syntax(err)
			}
			row := bot.ImportRow{Row: len(rows) + 1, Line: lineAt(data, start)}
			fromJSON(&row, raw)
			rows = append(rows, row)
		}
		if _, err := dec.Token(); err != nil { // the closing ]
			return nil, syntax(err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return nil, syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(dec.InputOffset(), "%s: there is more after it", shape)
	}
	if !seen {
		return nil, fail(0, "%s: \"referrals\" is missing", shape)
	}
	return rows, nil
}

// fromJSON fills the row from one JSON object, field by field, so that every
// unknown field and every value of the wrong type is reported, not just the first.
func fromJSON(r *bot.ImportRow, raw json.RawMessage) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		problem(r, "", "a referral must be a JSON object of fields")
		r.Unreadable = true
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := obj[k]
		if k == bot.FieldOffices {
			var offices []string
			if err := json.Unmarshal(v, &offices); err != nil {
				problem(r, k, `must be a list of office codes, e.g. ["army", "navy"]`)
			}
			r.Input.Offices = offices
			continue
		}
		if !slices.Contains(bot.ImportFields, k) {
			problem(r, k, "is not a field; the fields are %s", strings.Join(bot.ImportFields, ", "))
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			set(r, k, s)
			continue
		}
		// A value in dollars is naturally written as a number; the modal's check of
		// the text (whole dollars, in range) still applies.
		var n json.Number
		if k == bot.FieldValue && json.Unmarshal(v, &n) == nil {
			set(r, k, n.String())
			continue
		}
		problem(r, k, "must be text in double quotes")
	}
}

// parseCSV reads a header row naming the fields, then one referral per record.
func parseCSV(data []byte) ([]bot.ImportRow, []bot.ImportProblem) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // the byte-order mark spreadsheets write
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // checked here, to report the row and carry on
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, csvProblem(err)
	}
	var problems []bot.ImportProblem
	cols := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		switch _, dup := cols[name]; {
		case !slices.Contains(bot.ImportFields, name):
			problems = append(problems, bot.ImportProblem{Line: 1, Field: name, Message: fmt.Sprintf(
				"column %d of the header is not a field; the fields are %s", i+1, strings.Join(bot.ImportFields, ", "))})
		case dup:
			problems = append(problems, bot.ImportProblem{Line: 1, Field: name, Message: "the header names this column twice"})
		}
		cols[name] = i
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var rows []bot.ImportRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, csvProblem(err)
		}
		line, _ := cr.FieldPos(0)
		row := bot.ImportRow{Row: len(rows) + 1, Line: line}
		if len(rec) != len(header) {
			problem(&row, "", "has %d fields; the header has %d", len(rec), len(header))
		}
		for name, i := range cols {
			if i >= len(rec) {
				continue
			}
			if name == bot.FieldOffices {
				for code := range strings.SplitSeq(rec[i], ";") {
					if code = strings.TrimSpace(code); code != "" {
						row.Input.Offices = append(row.Input.Offices, code)
					}
				}
				continue
			}
			set(&row, name, rec[i])
		}
		rows = append(rows, row)
	}
}

// csvProblem reports a CSV syntax error (a stray quote, say) with its line.
func csvProblem(err error) []bot.ImportProblem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return []bot.ImportProblem{{Line: pe.Line, Message: fmt.Sprintf("not valid CSV: %v", pe.Err)}}
	}
	return []bot.ImportProblem{{Message: fmt.Sprintf("not valid CSV: %v", err)}}
}

// lineAt returns the 1-based line of a byte offset.
func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}

// skipSeparators moves an offset past the white space and comma before a value.
func skipSeparators(data []byte, offset int64) int64 {
	for offset < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[offset]) >= 0 {
		offset++
	}
	return offset
}
