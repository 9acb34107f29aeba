package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/store"
	"github.com/referralbot/referralbot/store/reminders"
)

const apiToken = "s3cret-import-token-0123456789abcdef"

type apiFixture struct {
	db  *store.DB
	srv *httptest.Server
}

// newAPI serves the import API over a real SQLite file. The service has no Slack:
// an import only writes, and the outbox does the Slack work later.
func newAPI(t *testing.T, token string) *apiFixture {
	t.Helper()
	now := func() time.Time { return time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC) }
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	roster := &bot.Roster{Analysts: []string{"UANALYST"}, Offices: []bot.Office{{Code: "army", Name: "Army"}, {Code: "navy", Name: "Navy"}}}
	svc := bot.NewService(db, nil, now, bot.Config{Roster: roster, Rules: deadline.NewRules(nil, deadline.Defaults{}),
		Queue: reminders.NewMemory()})
	mux := http.NewServeMux()
	mux.Handle("POST /api/referrals", handlers.ImportAPI(svc, token, nil))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &apiFixture{db: db, srv: srv}
}

const goodBody = `{"referrals": [
  {"analyst": "UANALYST", "agency": "commerce", "case_number": "Z123456", "license_type": "BIS-748P",
   "applicant": "Acme Photonics Inc.", "commodity": "Thermal imaging cameras", "classification": "6A003.b.4",
   "destination": "DE", "value": 1250000, "received": "2026-11-20"},
  {"analyst": "UANALYST", "agency": "state", "case_number": "050123456", "license_type": "DSP-5",
   "applicant": "Northwind Avionics LLC", "commodity": "Night vision goggles", "classification": "XII(c)(2)",
   "destination": "AU", "value": "4800000", "received": "2026-11-23", "offices": ["navy"]}
]}`

// answer is the API's JSON answer.
type answer struct {
	Error    string              `json:"error"`
	Results  []bot.ImportResult  `json:"results"`
	Problems []bot.ImportProblem `json:"problems"`
}

func (f *apiFixture) post(t *testing.T, path, auth, ctype, body string) (int, answer) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q; want application/json", ct)
	}
	return resp.StatusCode, a
}

// nothingWritten fails unless the database holds no referral and no job.
func (f *apiFixture) nothingWritten(t *testing.T) {
	t.Helper()
	if _, err := f.db.ReferralByCase(context.Background(), bot.AgencyCommerce, "Z123456"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("a referral was written (err %v)", err)
	}
	if n, _ := f.db.PendingJobs(context.Background()); n != 0 {
		t.Errorf("%d jobs were queued; want none", n)
	}
}

func TestImportAPIRefusesWithoutTheToken(t *testing.T) {
	f := newAPI(t, apiToken)
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + apiToken + "x", "Basic " + apiToken, apiToken, "Bearer"} {
		status, a := f.post(t, "/api/referrals", auth, "application/json", goodBody)
		if status != http.StatusUnauthorized || a.Error != "missing or wrong bearer token" {
			t.Errorf("Authorization %q: %d %q; want 401", auth, status, a.Error)
		}
	}
	f.nothingWritten(t)
}

func TestImportAPIDisabledWithoutAToken(t *testing.T) {
	f := newAPI(t, "")
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		if status, a := f.post(t, "/api/referrals", auth, "application/json", goodBody); status != http.StatusNotFound || a.Error != "import API disabled" {
			t.Errorf("Authorization %q: %d %q; want 404 import API disabled", auth, status, a.Error)
		}
	}
	f.nothingWritten(t)
}

func TestImportAPIOpensAndThenLeavesUnchanged(t *testing.T) {
	f := newAPI(t, apiToken)
	status, a := f.post(t, "/api/referrals", "Bearer "+apiToken, "application/json; charset=utf-8", goodBody)
	if status != http.StatusOK || len(a.Results) != 2 {
		t.Fatalf("import: %d %+v; want 200 with 2 results", status, a)
	}
	want := []bot.ImportResult{
		{Row: 1, Agency: bot.AgencyCommerce, CaseNumber: "Z123456", Status: bot.ImportOpened, ReferralID: 1,
			Message: "opened, asking 2 office(s); the bot creates #ref-commerce-z123456"},
		{Row: 2, Agency: bot.AgencyState, CaseNumber: "050123456", Status: bot.ImportOpened, ReferralID: 2,
			Message: "opened, asking 1 office(s); the bot creates #ref-state-050123456"},
	}
	for i := range want {
		if a.Results[i] != want[i] {
			t.Errorf("result %d = %+v; want %+v", i+1, a.Results[i], want[i])
		}
	}
	if n, _ := f.db.PendingJobs(context.Background()); n != 2 {
		t.Errorf("pending jobs = %d; want 2 provision jobs", n)
	}

	status, a = f.post(t, "/api/referrals", "bearer "+apiToken, "application/json", goodBody)
	if status != http.StatusOK || a.Results[0].Status != bot.ImportUnchanged || a.Results[0].Message != "already open, unchanged" {
		t.Errorf("second import: %d %+v; want 200, unchanged", status, a)
	}
	if n, _ := f.db.PendingJobs(context.Background()); n != 2 {
		t.Errorf("pending jobs after the second import = %d; want 2", n)
	}
}

func TestImportAPIDryRun(t *testing.T) {
	f := newAPI(t, apiToken)
	status, a := f.post(t, "/api/referrals?dry_run=true", "Bearer "+apiToken, "application/json", goodBody)
	if status != http.StatusOK || a.Results[1].Status != bot.ImportWouldOpen {
		t.Fatalf("dry run: %d %+v; want 200 would_open", status, a)
	}
	f.nothingWritten(t)
}

func TestImportAPIBadRows(t *testing.T) {
	f := newAPI(t, apiToken)
	body := strings.Replace(strings.Replace(goodBody, `"DSP-5"`, `"BIS-748P"`, 1), `"navy"`, `"marines"`, 1)
	body = strings.Replace(body, `"UANALYST"`, `"UOUTSIDER"`, 1) // row 1
	status, a := f.post(t, "/api/referrals", "Bearer "+apiToken, "application/json", body)
	want := []bot.ImportProblem{
		{Row: 1, Line: 2, Field: "analyst", Message: "UOUTSIDER is not an analyst on the roster."},
		{Row: 2, Line: 5, Field: "license_type", Message: "BIS-748P is not a State (DDTC) license type; use one of DSP-5, DSP-73, DSP-61, TAA, MLA."},
		{Row: 2, Line: 5, Field: "offices", Message: `"marines" is not an office on the roster.`},
	}
	if status != http.StatusUnprocessableEntity || a.Error != "nothing imported: 3 problem(s)" || len(a.Problems) != len(want) {
		t.Fatalf("bad rows: %d %+v; want 422 with %d problems", status, a, len(want))
	}
	for i := range want {
		if a.Problems[i] != want[i] {
			t.Errorf("problem %d = %+v; want %+v", i+1, a.Problems[i], want[i])
		}
	}
	f.nothingWritten(t)
}

func TestImportAPIRefusesMalformedRequests(t *testing.T) {
	f := newAPI(t, apiToken)
	tests := []struct {
		name, ctype, body string
		status            int
		err               string
	}{
		{"csv", "text/csv", "agency\nstate\n", http.StatusUnsupportedMediaType, "Content-Type must be application/json"},
		{"no type", "", goodBody, http.StatusUnsupportedMediaType, "Content-Type must be application/json"},
		{"too big", "application/json", `{"referrals": [` + strings.Repeat(" ", handlers.MaxImportBody) + `]}`, http.StatusRequestEntityTooLarge, "request body over 1 MiB; split the import"},
		{"not json", "application/json", `{"referrals": [`, http.StatusBadRequest, "nothing imported: 1 problem(s)"},
		{"an array", "application/json", `[]`, http.StatusBadRequest, "nothing imported: 1 problem(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, a := f.post(t, "/api/referrals", "Bearer "+apiToken, tt.ctype, tt.body)
			if status != tt.status || a.Error != tt.err {
				t.Errorf("%d %q; want %d %q", status, a.Error, tt.status, tt.err)
			}
		})
	}
	f.nothingWritten(t)
}

// TestImportAPIUSXPORTSReference: the optional USXPORTS reference arrives with the
// other fields, upper-cased; one that cannot be a reference is refused by name.
func TestImportAPIUSXPORTSReference(t *testing.T) {
	f := newAPI(t, apiToken)
	bad := strings.Replace(goodBody, `"received": "2026-11-20"}`, `"received": "2026-11-20", "usxports_ref": "DTSA 2026"}`, 1)
	status, a := f.post(t, "/api/referrals", "Bearer "+apiToken, "application/json", bad)
	if status != http.StatusUnprocessableEntity || len(a.Problems) != 1 || a.Problems[0].Field != bot.FieldUSXPORTS ||
		!strings.Contains(a.Problems[0].Message, "3-30 letters and digits") {
		t.Fatalf("bad USXPORTS reference: %d %+v; want 422 naming usxports_ref", status, a)
	}
	f.nothingWritten(t)

	good := strings.Replace(goodBody, `"received": "2026-11-20"}`, `"received": "2026-11-20", "usxports_ref": "dtsa-2026-004512"}`, 1)
	if status, a := f.post(t, "/api/referrals", "Bearer "+apiToken, "application/json", good); status != http.StatusOK {
		t.Fatalf("import: %d %+v", status, a)
	}
	ref, err := f.db.ReferralByCase(context.Background(), bot.AgencyCommerce, "Z123456")
	if err != nil || ref.USXPORTSRef != "DTSA-2026-004512" {
		t.Errorf("imported referral = %+v, %v; want USXPORTS DTSA-2026-004512", ref, err)
	}
	if other, err := f.db.ReferralByCase(context.Background(), bot.AgencyState, "050123456"); err != nil || other.USXPORTSRef != "" {
		t.Errorf("the row without one = %+v, %v; want no USXPORTS reference", other, err)
	}
}
