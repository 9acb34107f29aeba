package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/store"
)

// importEnv points the import at a database and roster, with no Slack settings at
// all: the command must not need them.
func importEnv(dbPath, rosterPath string) environ {
	return environ{"DATABASE_PATH": dbPath, "ROSTER_PATH": rosterPath, "TIME_ZONE": "America/New_York"}
}

// newImportDB creates a bot database and a roster with one analyst and the default offices.
func newImportDB(t *testing.T) (dir string, env environ) {
	t.Helper()
	dir = t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "bot.db"), clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	roster := filepath.Join(dir, "roster.yaml")
	if err := os.WriteFile(roster, []byte("analysts: [UANALYST]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, importEnv(filepath.Join(dir, "bot.db"), roster)
}

// recently is a received date a few days before the tests' today.
func recently() string { return start.AddDate(0, 0, -3).Format(bot.DateLayout) }

func csvRows(rows ...string) string {
	return "analyst,agency,case_number,license_type,applicant,commodity,classification,destination,value,received,offices\n" +
		strings.Join(rows, "\n") + "\n"
}

func goodCSVRow(caseNumber string) string {
	return "UANALYST,commerce," + caseNumber + ",BIS-748P,Acme Photonics Inc.,Thermal imaging cameras,6A003.b.4,DE,\"1,250,000\"," + recently() + ","
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runImport runs referralbot import on the tests' day.
func runImport(env environ, args ...string) (stdout, stderr string, err error) {
	return runCmd(clock.Stopped(start), env, append([]string{"import"}, args...)...)
}

func TestImportCommand(t *testing.T) {
	dir, env := newImportDB(t)
	file := writeFile(t, dir, "referrals.csv", csvRows(goodCSVRow("Z123456"), goodCSVRow("Z000001")))

	out, errOut, err := runImport(env, "--dry-run", file)
	if err != nil || out != "Z123456: good; would open it and ask 9 office(s)\nZ000001: good; would open it and ask 9 office(s)\n" {
		t.Fatalf("dry run: err %v, stdout %q, stderr %q", err, out, errOut)
	}
	out, errOut, err = runImport(env, file)
	want := "Z123456: opened, asking 9 office(s); the bot creates #ref-commerce-z123456\n" +
		"Z000001: opened, asking 9 office(s); the bot creates #ref-commerce-z000001\n"
	if err != nil || out != want || errOut != "" {
		t.Fatalf("import: err %v\nstdout %q\nstderr %q\nwant stdout %q", err, out, errOut, want)
	}
	out, _, err = runImport(env, file)
	if err != nil || out != "Z123456: already open, unchanged\nZ000001: already open, unchanged\n" {
		t.Fatalf("import again: err %v, stdout %q", err, out)
	}

	db, err := store.Open(context.Background(), filepath.Join(dir, "bot.db"), clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.PendingJobs(context.Background()); n != 2 {
		t.Errorf("pending jobs = %d; want 2 provision jobs for the serving bot", n)
	}
}

func TestImportCommandBadRowsImportNothing(t *testing.T) {
	dir, env := newImportDB(t)
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			var file string
			if format == "csv" {
				file = writeFile(t, dir, "bad.csv", csvRows(goodCSVRow("Z123456"),
					"UANALYST,commerce,12345,BIS-748P,Acme,Cameras,6A003,DE,100,"+recently()+",army",
					"UNOBODY,commerce,Z654321,BIS-748P,Acme,Cameras,6A003,DE,lots,"+recently()+",army;marines"))
			} else {
				row := `{"analyst": %q, "agency": "commerce", "case_number": %q, "license_type": "BIS-748P", "applicant": "Acme",
  "commodity": "Cameras", "classification": "6A003", "destination": "DE", "value": %q, "received": %q}`
				file = writeFile(t, dir, "bad.json", `{"referrals": [`+"\n"+strings.Join([]string{
					fmt.Sprintf(row, "UANALYST", "Z123456", "100", recently()),
					fmt.Sprintf(row, "UANALYST", "12345", "100", recently()),
					fmt.Sprintf(row, "UNOBODY", "Z654321", "lots", recently()),
				}, ",\n")+"\n]}\n")
			}
			out, errOut, err := runImport(env, file)
			if !errors.Is(err, errUsage) {
				t.Fatalf("err = %v; want a bad-input error (exit 2)", err)
			}
			if out != "" {
				t.Errorf("stdout = %q; want nothing (nothing imported)", out)
			}
			line := map[string][2]int{"csv": {3, 4}, "json": {4, 6}}[format] // of rows 2 and 3
			for _, want := range []string{
				fmt.Sprintf("row 2 (line %d): case_number: A Commerce application control number", line[0]),
				fmt.Sprintf("row 3 (line %d): analyst: UNOBODY is not an analyst", line[1]),
				fmt.Sprintf("row 3 (line %d): value: Enter the value in whole US dollars", line[1]),
			} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if format == "csv" && !strings.Contains(errOut, `row 3 (line 4): offices: "marines" is not an office on the roster.`) {
				t.Errorf("stderr lacks the bad office:\n%s", errOut)
			}
			if got := err.Error(); !strings.HasPrefix(got, "import refused, nothing imported: ") {
				t.Errorf("error = %q", got)
			}
		})
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "bot.db"), clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ReferralByCase(context.Background(), bot.AgencyCommerce, "Z123456"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("the good row was imported (err %v); want nothing", err)
	}
}

func TestImportCommandUsage(t *testing.T) {
	dir, env := newImportDB(t)
	txt := writeFile(t, dir, "referrals.txt", `{"referrals": [{}]}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", nil, "import takes one FILE"},
		{"two files", []string{"a.csv", "b.csv"}, "import takes one FILE"},
		{"unknown extension", []string{txt}, "cannot tell the format of"},
		{"unknown format", []string{"--format", "xml", "x.csv"}, "cannot tell the format of"},
		{"unknown flag", []string{"--force", "x.csv"}, "flag provided but not defined: -force"},
		{"missing file", []string{filepath.Join(dir, "nope.csv")}, "no such file"},
		// A flag after the file is read too: this is the right format, so the row problems show.
		{"format after file", []string{txt, "--format", "json"}, "nothing imported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runImport(env, tt.args...)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want exit 2 saying %q", err, tt.want)
			}
		})
	}
	if _, _, err := runImport(env, "-h"); err != nil {
		t.Errorf("-h: %v; want the usage and no error", err)
	}
}

func TestImportCommandCannotWrite(t *testing.T) {
	dir, env := newImportDB(t)
	file := writeFile(t, dir, "referrals.csv", csvRows(goodCSVRow("Z123456")))

	env["DATABASE_PATH"] = filepath.Join(dir, "elsewhere.db")
	_, _, err := runImport(env, file)
	if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "start the bot once") {
		t.Errorf("missing database: err = %v; want exit 1 naming the database", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "elsewhere.db")); statErr == nil {
		t.Error("the import created a database no bot serves")
	}

	env["DATABASE_PATH"] = filepath.Join(dir, "bot.db")
	env["TIME_ZONE"] = "Mars/Olympus"
	env["REMINDER_TIME"] = "9am"
	_, _, err = runImport(env, file)
	if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "TIME_ZONE") || !strings.Contains(err.Error(), "REMINDER_TIME") {
		t.Errorf("bad settings: err = %v; want exit 1 listing both", err)
	}
}

// TestImportThenTheBotOpensTheChannel imports the way an operator would, with the
// command writing to the serving bot's database, and the way a system would, over
// the API; then the bot's outbox creates each channel, as for /referral new.
func TestImportThenTheBotOpensTheChannel(t *testing.T) {
	h := newHarness(t, "http")
	env := importEnv(h.App.DB.Path(), h.App.Config.RosterPath)

	// The command: its own process in production, here its own connections to the file.
	file := writeFile(t, t.TempDir(), "referrals.json", fmt.Sprintf(`{"referrals": [{"analyst": %q, "agency": "commerce",
  "case_number": "Z777777", "license_type": "BIS-748P", "applicant": "Acme Photonics Inc.", "commodity": "Thermal cameras",
  "classification": "6A003.b.4", "destination": "DE", "value": 1250000, "received": %q, "offices": ["army", "navy"]}]}`,
		analyst, recently()))
	// The command runs on the bot's clock: one program, one clock.
	if out, errOut, err := runCmd(h.Clock.Now, env, "import", file); err != nil {
		t.Fatalf("import: %v\n%s%s", err, out, errOut)
	}
	h.drain()
	h.checkImported("Z777777", []string{"army", "navy"})
	// The command's in-process queue is gone: the serving bot schedules the new asks'
	// reminders when it next rebuilds from SQLite (every bot.ReminderReconcile).
	if pending, _, _ := h.App.Queue.Len(h.ctx); pending != 0 {
		t.Errorf("the bot's queue holds %d reminders before a rebuild; want 0", pending)
	}
	if err := h.App.Service.RebuildReminders(h.ctx); err != nil {
		t.Fatal(err)
	}
	if pending, _, _ := h.App.Queue.Len(h.ctx); pending == 0 {
		t.Error("no reminders scheduled for the imported asks after a rebuild")
	}

	// The API, served by the bot itself.
	srv := httptest.NewServer(handlers.ImportAPI(h.App.Service, "t0ken-t0ken-t0ken-t0ken", nil))
	defer srv.Close()
	body := `{"referrals": [{"analyst": "UANALYST", "agency": "state", "case_number": "050123456", "license_type": "DSP-5",
  "applicant": "Northwind Avionics LLC", "commodity": "Night vision goggles", "classification": "XII(c)(2)",
  "destination": "AU", "value": "4800000", "received": "2026-11-23"}]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer t0ken-t0ken-t0ken-t0ken")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("API import: %d", resp.StatusCode)
	}
	h.drain()
	var all []string
	for _, o := range bot.DefaultOffices() {
		all = append(all, o.Code)
	}
	h.checkImported("050123456", all)
}

// checkImported asserts the imported referral's private channel with the analyst
// and the offices' reviewers in it, its summary, and one ask message per office.
func (h *harness) checkImported(caseNumber string, offices []string) {
	h.t.Helper()
	agency := bot.AgencyCommerce
	if !strings.HasPrefix(caseNumber, "Z") {
		agency = bot.AgencyState
	}
	r, err := h.App.DB.ReferralByCase(h.ctx, agency, caseNumber)
	if err != nil {
		h.t.Fatalf("%s not stored: %v", caseNumber, err)
	}
	if !r.Provisioned || r.ChannelID == "" {
		h.t.Fatalf("%s: provisioned %v, channel %q; want the channel created", caseNumber, r.Provisioned, r.ChannelID)
	}
	ch, ok := h.Fake.Channel(r.ChannelID)
	if want := bot.ChannelName(agency, caseNumber, 1); !ok || ch.Name != want || !ch.IsPrivate {
		h.t.Fatalf("channel = %+v (found %v); want private %s", ch, ok, want)
	}
	for _, u := range []string{analyst, reviewer(offices[0], 1)} {
		if !ch.HasMember(u) {
			h.t.Errorf("%s is not in %s", u, ch.Name)
		}
	}
	if msgs := h.Fake.Messages(r.ChannelID); len(msgs) != 1+len(offices) {
		h.t.Errorf("%s has %d messages; want the summary and %d asks", ch.Name, len(msgs), len(offices))
	}
	for _, o := range offices {
		h.askMessage(r, o) // fails unless the office's ask is posted
	}
}
