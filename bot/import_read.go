package bot

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ImportFormat names the format of an import file.
type ImportFormat string

// The import formats. Both carry the same fields (docs/IMPORT.md).
const (
	ImportJSON ImportFormat = "json" // {"referrals": [{"agency": "commerce", …}, …]}
	ImportCSV  ImportFormat = "csv"  // a header row naming the fields; offices ;-separated
)

// FieldAnalyst is the import field naming the referral's analyst (a Slack user id).
// The modal has no such field: there the analyst is whoever submits it.
const FieldAnalyst = "analyst"

// importFields lists the fields of an import row in the order problems are reported.
var importFields = []string{
	FieldAnalyst, FieldAgency, FieldCaseNumber, FieldLicenseType, FieldApplicant, FieldCommodity,
	FieldClassification, FieldDestination, FieldEndUser, FieldValue, FieldReceived, FieldDoDDue,
	FieldOfficeDue, FieldOffices,
}

// ImportRow is one referral read from an import: what an analyst would type into the
// New referral modal, and which analyst owns it.
type ImportRow struct {
	Row     int    // 1-based position among the import's referrals
	Line    int    // line of the file where the row starts
	Analyst string // Slack user id of the owning analyst
	Input   ReferralInput

	// problems are what could not be read (an unknown field, a list where text
	// belongs); they are reported with the validation problems of the row.
	problems []ImportProblem
	// unreadable rows (not a JSON object) are not validated: every field would be missing.
	unreadable bool
}

// problem notes something wrong with the row.
func (r *ImportRow) problem(field, format string, args ...any) {
	r.problems = append(r.problems, ImportProblem{Row: r.Row, Line: r.Line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// set stores the text of one field, reporting whether the field exists.
func (r *ImportRow) set(field, value string) bool {
	in := &r.Input
	dst := map[string]*string{
		FieldAnalyst: &r.Analyst, FieldAgency: &in.Agency, FieldCaseNumber: &in.CaseNumber,
		FieldLicenseType: &in.LicenseType, FieldApplicant: &in.Applicant, FieldCommodity: &in.Commodity,
		FieldClassification: &in.Classification, FieldDestination: &in.Destination, FieldEndUser: &in.EndUser,
		FieldValue: &in.Value, FieldReceived: &in.Received, FieldDoDDue: &in.DoDDue, FieldOfficeDue: &in.OfficeDue,
	}[field]
	if dst == nil {
		return false
	}
	*dst = value
	return true
}

// ParseImport reads the referrals of an import file. It fails with an *ImportError
// when the file as a whole cannot be read (not JSON, an unknown CSV column, no
// referrals); what is wrong with single rows is left for CheckImport to report
// together with every other problem.
func ParseImport(data []byte, format ImportFormat) ([]ImportRow, error) {
	var rows []ImportRow
	var problems []ImportProblem
	switch format {
	case ImportJSON:
		rows, problems = parseJSON(data)
	case ImportCSV:
		rows, problems = parseCSV(data)
	default:
		return nil, Errorf(EINVALID, "unknown import format %q; use json or csv", format)
	}
	if len(problems) == 0 && len(rows) == 0 {
		problems = append(problems, ImportProblem{Message: "the file holds no referrals"})
	}
	if len(problems) > 0 {
		return nil, &ImportError{Problems: problems}
	}
	return rows, nil
}

// parseJSON reads {"referrals": [ … ]}, noting the line where each row starts.
func parseJSON(data []byte) ([]ImportRow, []ImportProblem) {
	fail := func(offset int64, format string, args ...any) []ImportProblem {
		return []ImportProblem{{Line: lineAt(data, offset), Message: fmt.Sprintf(format, args...)}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) []ImportProblem {
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
	var rows []ImportRow
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
			row := ImportRow{Row: len(rows) + 1, Line: lineAt(data, start)}
			row.fromJSON(raw)
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
func (r *ImportRow) fromJSON(raw json.RawMessage) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		r.problem("", "a referral must be a JSON object of fields")
		r.unreadable = true
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := obj[k]
		if k == FieldOffices {
			var offices []string
			if err := json.Unmarshal(v, &offices); err != nil {
				r.problem(k, `must be a list of office codes, e.g. ["army", "navy"]`)
			}
			r.Input.Offices = offices
			continue
		}
		if !slices.Contains(importFields, k) {
			r.problem(k, "is not a field; the fields are %s", strings.Join(importFields, ", "))
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			r.set(k, s)
			continue
		}
		// A value in dollars is naturally written as a number; the modal's check of
		// the text (whole dollars, in range) still applies.
		var n json.Number
		if k == FieldValue && json.Unmarshal(v, &n) == nil {
			r.set(k, n.String())
			continue
		}
		r.problem(k, "must be text in double quotes")
	}
}

// parseCSV reads a header row naming the fields, then one referral per record.
func parseCSV(data []byte) ([]ImportRow, []ImportProblem) {
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
	var problems []ImportProblem
	cols := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		switch _, dup := cols[name]; {
		case !slices.Contains(importFields, name):
			problems = append(problems, ImportProblem{Line: 1, Field: name, Message: fmt.Sprintf(
				"column %d of the header is not a field; the fields are %s", i+1, strings.Join(importFields, ", "))})
		case dup:
			problems = append(problems, ImportProblem{Line: 1, Field: name, Message: "the header names this column twice"})
		}
		cols[name] = i
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var rows []ImportRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, csvProblem(err)
		}
		line, _ := cr.FieldPos(0)
		row := ImportRow{Row: len(rows) + 1, Line: line}
		if len(rec) != len(header) {
			row.problem("", "has %d fields; the header has %d", len(rec), len(header))
		}
		for name, i := range cols {
			if i >= len(rec) {
				continue
			}
			if name == FieldOffices {
				for code := range strings.SplitSeq(rec[i], ";") {
					if code = strings.TrimSpace(code); code != "" {
						row.Input.Offices = append(row.Input.Offices, code)
					}
				}
				continue
			}
			row.set(name, rec[i])
		}
		rows = append(rows, row)
	}
}

// csvProblem reports a CSV syntax error (a stray quote, say) with its line.
func csvProblem(err error) []ImportProblem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return []ImportProblem{{Line: pe.Line, Message: fmt.Sprintf("not valid CSV: %v", pe.Err)}}
	}
	return []ImportProblem{{Message: fmt.Sprintf("not valid CSV: %v", err)}}
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
