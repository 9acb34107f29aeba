package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/bot/importfile"
	"github.com/referralbot/referralbot/store"
	"github.com/referralbot/referralbot/store/reminders"
)

// noSlack fails the test on any Slack call: importing only writes to the database,
// and the outbox does the Slack work later.
type noSlack struct{ bot.Slack }

type importFixture struct {
	ctx context.Context
	db  *store.DB
	svc *bot.Service
}

func newImportFixture(t *testing.T) *importFixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC) }
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bot.db"), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	roster := &bot.Roster{Analysts: []string{"UANALYST"}, Offices: []bot.Office{
		{Code: "army", Name: "Army"}, {Code: "navy", Name: "Navy"}, {Code: "policy", Name: "Policy"},
	}}
	svc := bot.NewService(db, noSlack{}, now, bot.Config{Roster: roster, Rules: deadline.NewRules(nil, deadline.Defaults{}),
		Queue: reminders.NewMemory()})
	return &importFixture{ctx: ctx, db: db, svc: svc}
}

// row is a good Commerce referral; edits change or delete (nil) fields.
func row(caseNumber string, edits ...any) map[string]any {
	r := map[string]any{
		"analyst": "UANALYST", "agency": "commerce", "case_number": caseNumber, "license_type": "BIS-748P",
		"applicant": "Acme Photonics Inc.", "commodity": "Thermal imaging cameras", "classification": "6A003.b.4",
		"destination": "DE", "end_user": "Bundeswehr", "value": 1250000, "received": "2026-11-20",
	}
	for i := 0; i+1 < len(edits); i += 2 {
		if edits[i+1] == nil {
			delete(r, edits[i].(string))
		} else {
			r[edits[i].(string)] = edits[i+1]
		}
	}
	return r
}

func jsonFile(t *testing.T, rows ...map[string]any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(map[string]any{"referrals": rows}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// csvFile writes rows under the full header, offices ;-separated.
func csvFile(rows ...map[string]any) []byte {
	header := []string{"analyst", "agency", "case_number", "license_type", "applicant", "commodity", "classification",
		"destination", "end_user", "value", "received", "dod_due", "office_due", "offices"}
	var b strings.Builder
	b.WriteString(strings.Join(header, ",") + "\n")
	for _, r := range rows {
		cells := make([]string, len(header))
		for i, h := range header {
			switch v := r[h].(type) {
			case nil:
			case []string:
				cells[i] = strings.Join(v, ";")
			default:
				cells[i] = fmt.Sprint(v)
				if strings.ContainsAny(cells[i], ",\"") {
					cells[i] = `"` + strings.ReplaceAll(cells[i], `"`, `""`) + `"`
				}
			}
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return []byte(b.String())
}

// files renders the same rows as JSON and as CSV.
func files(t *testing.T, rows ...map[string]any) map[importfile.Format][]byte {
	return map[importfile.Format][]byte{importfile.JSON: jsonFile(t, rows...), importfile.CSV: csvFile(rows...)}
}

func (f *importFixture) run(t *testing.T, format importfile.Format, data []byte) ([]bot.ImportResult, error) {
	t.Helper()
	rows, err := importfile.Parse(data, format)
	if err != nil {
		t.Fatalf("importfile.Parse: %v", err)
	}
	return f.svc.Import(f.ctx, rows)
}

func (f *importFixture) pendingJobs(t *testing.T) int {
	t.Helper()
	n, err := f.db.PendingJobs(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func problemsOf(t *testing.T, err error) []bot.ImportProblem {
	t.Helper()
	var ie *bot.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v; want an *ImportError", err)
	}
	if bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("ErrorCode = %q; want %q", bot.ErrorCode(err), bot.EINVALID)
	}
	return ie.Problems
}

func TestImportOpensEveryRowOnceJSONAndCSV(t *testing.T) {
	for format, data := range files(t,
		row("Z123456"),
		row("050123456", "agency", "state", "license_type", "DSP-5", "classification", "XII(c)(2)",
			"offices", []string{"Army", " navy "}, "dod_due", "2026-12-18", "office_due", "2026-12-09"),
	) {
		t.Run(string(format), func(t *testing.T) {
			f := newImportFixture(t)
			results, err := f.run(t, format, data)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			want := []string{
				"Z123456: opened, asking 3 office(s); the bot creates #ref-commerce-z123456",
				"050123456: opened, asking 2 office(s); the bot creates #ref-state-050123456",
			}
			for i, r := range results {
				if r.Status != bot.ImportOpened || r.String() != want[i] {
					t.Errorf("result %d = %q (%s); want %q", i+1, r, r.Status, want[i])
				}
			}
			ref, err := f.db.ReferralByCase(f.ctx, bot.AgencyState, "050123456")
			if err != nil {
				t.Fatal(err)
			}
			if ref.AnalystID != "UANALYST" || ref.OpenKey != "import:state:050123456" || bot.FormatDate(ref.DoDDueDate) != "2026-12-18" {
				t.Errorf("state referral = analyst %s key %s dod %s", ref.AnalystID, ref.OpenKey, bot.FormatDate(ref.DoDDueDate))
			}
			asks, _ := f.db.Asks(f.ctx, ref.ID)
			if len(asks) != 2 || asks[0].OfficeCode != "army" || bot.FormatDate(asks[0].DueDate) != "2026-12-09" {
				t.Errorf("asks = %+v; want army and navy due 2026-12-09", asks)
			}
			// One provision job per referral: the bot creates the channels.
			if n := f.pendingJobs(t); n != 2 {
				t.Errorf("pending jobs = %d; want 2 provision jobs", n)
			}

			// Again: nothing changes, and it says so.
			results, err = f.run(t, format, data)
			if err != nil {
				t.Fatalf("second Import: %v", err)
			}
			for _, r := range results {
				if r.Status != bot.ImportUnchanged || r.String() != r.CaseNumber+": already open, unchanged" {
					t.Errorf("second import: %q (%s); want unchanged", r, r.Status)
				}
			}
			if n := f.pendingJobs(t); n != 2 {
				t.Errorf("pending jobs after a second import = %d; want still 2", n)
			}
		})
	}
}

func TestImportWithBadRowsImportsNothing(t *testing.T) {
	for format, data := range files(t,
		row("Z123456"),
		row("12345", "received", "2026-13-01"),
		row("Z654321", "analyst", "UOUTSIDER", "offices", []string{"army", "coast_guard"}),
	) {
		t.Run(string(format), func(t *testing.T) {
			f := newImportFixture(t)
			_, err := f.run(t, format, data)
			got := problemsOf(t, err)
			lines := map[importfile.Format][3]int{importfile.JSON: {0, 16, 29}, importfile.CSV: {0, 3, 4}}[format]
			want := []bot.ImportProblem{
				{Row: 2, Line: lines[1], Field: "case_number", Message: "A Commerce application control number is one letter and six digits, e.g. Z123456."},
				{Row: 2, Line: lines[1], Field: "received", Message: "Use a date like 2026-11-27."},
				{Row: 3, Line: lines[2], Field: "analyst", Message: "UOUTSIDER is not an analyst on the roster."},
				{Row: 3, Line: lines[2], Field: "offices", Message: `"coast_guard" is not an office on the roster.`},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("problems:\n%s\nwant:\n%s", render(got), render(want))
			}
			if _, err := f.db.ReferralByCase(f.ctx, bot.AgencyCommerce, "Z123456"); bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Errorf("the good row 1 was written (err %v); want nothing imported", err)
			}
			if n := f.pendingJobs(t); n != 0 {
				t.Errorf("pending jobs = %d; want 0", n)
			}
		})
	}
}

func render(ps []bot.ImportProblem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestImportDuplicateCaseIsABadRow(t *testing.T) {
	f := newImportFixture(t)
	_, err := f.run(t, importfile.CSV, csvFile(row("Z123456"), row("Z000001"), row("z123456 ")))
	got := problemsOf(t, err)
	want := "row 3 (line 4): case_number: Commerce (BIS) case Z123456 is also in row 1; each referral may appear once."
	if len(got) != 1 || got[0].String() != want {
		t.Errorf("problems:\n%s\nwant:\n  %s", render(got), want)
	}
	if n := f.pendingJobs(t); n != 0 {
		t.Errorf("pending jobs = %d; want 0", n)
	}
}

func TestImportOfAnOpenReferralIsUnchanged(t *testing.T) {
	f := newImportFixture(t)
	in := goodInput()
	opened, err := f.svc.OpenReferral(f.ctx, "UANALYST", in, "view:V1") // through the modal
	if err != nil {
		t.Fatal(err)
	}
	before := f.pendingJobs(t)
	// The bot's record wins: a row for it is not checked further, so an old file
	// whose due dates have since passed imports cleanly again.
	results, err := f.run(t, importfile.JSON, jsonFile(t,
		row("Z123456", "applicant", "Someone Else", "dod_due", "2026-01-02"),
		row("Z000001"),
	))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if r := results[0]; r.Status != bot.ImportUnchanged || r.ReferralID != opened.ID || r.String() != "Z123456: already open, unchanged" {
		t.Errorf("row 1 = %+v; want unchanged referral %d", r, opened.ID)
	}
	if r := results[1]; r.Status != bot.ImportOpened {
		t.Errorf("row 2 = %+v; want opened", r)
	}
	got, _ := f.db.ReferralByCase(f.ctx, bot.AgencyCommerce, "Z123456")
	if got.Applicant != "Acme Photonics Inc." || got.OpenKey != "view:V1" {
		t.Errorf("the open referral changed: applicant %q key %q", got.Applicant, got.OpenKey)
	}
	if n := f.pendingJobs(t); n != before+1 {
		t.Errorf("pending jobs = %d; want %d (one new provision job)", n, before+1)
	}
}

// DSP-85 is for classified exports: an import row naming it is refused on its own
// field, whatever else the file holds, and nothing is imported.
func TestImportRefusesClassifiedLicense(t *testing.T) {
	f := newImportFixture(t)
	_, err := f.run(t, importfile.JSON, jsonFile(t, row("Z000003"),
		row("050000085", "agency", "state", "license_type", "dsp-85", "classification", "XII(c)")))
	got := problemsOf(t, err)
	if len(got) != 1 || got[0].Row != 2 || got[0].Field != bot.FieldLicenseType || got[0].Message != bot.ClassifiedRefusal ||
		!strings.Contains(got[0].Message, "classified material must not be discussed in this workspace") {
		t.Errorf("problems:\n%s\nwant one on row 2's license_type: %s", render(got), bot.ClassifiedRefusal)
	}
	if _, err := f.db.ReferralByCase(f.ctx, bot.AgencyCommerce, "Z000003"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("the good row was imported (err %v); want nothing imported", err)
	}
}

func TestImportDefaultsToEveryOfficeAndRefusesRepeats(t *testing.T) {
	f := newImportFixture(t)
	_, err := f.run(t, importfile.JSON, jsonFile(t, row("Z000002", "offices", []string{"army", "ARMY"})))
	if got := problemsOf(t, err); len(got) != 1 || got[0].String() != `row 1 (line 3): offices: "army" is listed twice.` {
		t.Errorf("problems:\n%s", render(got))
	}
	if _, err := f.run(t, importfile.JSON, jsonFile(t, row("Z000001"))); err != nil {
		t.Fatal(err)
	}
	ref, _ := f.db.ReferralByCase(f.ctx, bot.AgencyCommerce, "Z000001")
	asks, _ := f.db.Asks(f.ctx, ref.ID)
	var codes []string
	for _, a := range asks {
		codes = append(codes, a.OfficeCode)
	}
	if strings.Join(codes, ",") != "army,navy,policy" {
		t.Errorf("asked %v; want every office on the roster", codes)
	}
}

func TestCheckImportWritesNothing(t *testing.T) {
	f := newImportFixture(t)
	rows, err := importfile.Parse(jsonFile(t, row("Z123456"), row("Z000001", "offices", []string{"navy"})), importfile.JSON)
	if err != nil {
		t.Fatal(err)
	}
	results, err := f.svc.CheckImport(f.ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := results[1].String(); results[1].Status != bot.ImportWouldOpen || got != "Z000001: good; would open it and ask 1 office(s)" {
		t.Errorf("dry run row 2 = %q", got)
	}
	if rows[0].Input.Offices != nil || rows[0].Input.CaseNumber != "Z123456" {
		t.Errorf("CheckImport changed the caller's rows: %+v", rows[0].Input)
	}
	if _, err := f.db.ReferralByCase(f.ctx, bot.AgencyCommerce, "Z123456"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("dry run wrote a referral (err %v)", err)
	}
}

func TestImportRowsThatCannotBeRead(t *testing.T) {
	f := newImportFixture(t)
	data := []byte(`{"referrals": [
  {"analyst": "UANALYST", "agency": "commerce", "case_number": 123, "offices": "army;navy", "colour": "red",
   "license_type": "BIS-748P", "applicant": "A", "commodity": "C", "classification": "5A002", "destination": "DE",
   "value": "1000", "received": "2026-11-20"},
  "Z123456"
]}`)
	_, err := f.run(t, importfile.JSON, data)
	want := []string{
		"row 1 (line 2): case_number: must be text in double quotes",
		"row 1 (line 2): colour: is not a field; the fields are analyst, agency, case_number, license_type, applicant, commodity, classification, destination, end_user, value, received, dod_due, office_due, offices, usxports_ref, re_referral",
		`row 1 (line 2): offices: must be a list of office codes, e.g. ["army", "navy"]`,
		"row 2 (line 5): a referral must be a JSON object of fields",
	}
	if got := render(problemsOf(t, err)); got != "  "+strings.Join(want, "\n  ")+"\n" {
		t.Errorf("problems:\n%swant:\n  %s", got, strings.Join(want, "\n  "))
	}

	csv := []byte("agency,case_number,analyst\ncommerce,Z123456\n")
	_, err = f.run(t, importfile.CSV, csv)
	if got := problemsOf(t, err); got[0].String() != "row 1 (line 2): has 2 fields; the header has 3" {
		t.Errorf("short CSV record: %s", render(got))
	}
}

// TestImportExamples keeps docs/IMPORT.md's example files honest: both carry the
// same referrals, and both pass against the example roster.
func TestImportExamples(t *testing.T) {
	var parsed [][]bot.ImportRow
	for _, name := range []string{"import.example.json", "import.example.csv"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := importfile.Parse(data, importfile.Format(strings.TrimPrefix(filepath.Ext(name), ".")))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		parsed = append(parsed, rows)
	}
	for i := range parsed[0] {
		j, c := parsed[0][i], parsed[1][i]
		if j.Analyst != c.Analyst || !reflect.DeepEqual(j.Input, c.Input) {
			t.Errorf("row %d differs:\njson %+v\ncsv  %+v", i+1, j.Input, c.Input)
		}
	}
	roster, err := bot.LoadRoster(filepath.Join("..", "testdata", "roster.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := newImportFixture(t)
	svc := bot.NewService(f.db, noSlack{}, func() time.Time { return time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC) }, bot.Config{Roster: roster, Queue: reminders.NewMemory()})
	results, err := svc.CheckImport(f.ctx, parsed[1])
	if err != nil {
		t.Fatalf("CheckImport(example): %v", err)
	}
	if got := results[0].String(); got != "Z123456: good; would open it and ask 9 office(s)" {
		t.Errorf("example row 1: %s", got)
	}
}
