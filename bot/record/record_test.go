package record_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/goldenfile"
	"github.com/referralbot/referralbot/store"
	"github.com/referralbot/referralbot/store/reminders"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// exportZone is where the export tests' wall clock is read: New York.
var exportZone = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

// exportAt is hh:mm in New York on a day of late 2026 (EST, UTC-5).
func exportAt(m time.Month, d, hh, mm int) time.Time {
	return time.Date(2026, m, d, hh, mm, 0, 0, exportZone)
}

// exportRoster names each office's reviewers directly, so that answering needs no Slack.
func exportRoster() *bot.Roster {
	offices := bot.DefaultOffices()
	for i := range offices {
		offices[i].Users = []string{"U" + strings.ToUpper(strings.ReplaceAll(offices[i].Code, "_", "")) + "1",
			"U" + strings.ToUpper(strings.ReplaceAll(offices[i].Code, "_", "")) + "2"}
	}
	return &bot.Roster{Analysts: []string{"UANALYST"}, Offices: offices}
}

// exportDataset runs one Commerce referral through its whole life on the real
// service and store, on a clock set by hand: five offices asked, a change of
// position, an RWA question that stops the offices' clock until the applicant's
// answer restarts it and asks the office again, an extension, a BIS clock stop, reminders (one
// late, one escalated, one snoozed), a late denial, one office that never answers,
// and the final recommendation with provisos and dissent. It returns the database
// and the referral.
func exportDataset(t *testing.T) (*store.DB, *bot.Service, *bot.Referral) {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(exportAt(11, 27, 10, 0))
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "export.db"), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := bot.NewService(db, nil, clk.Now, bot.Config{Roster: exportRoster(), Rules: deadline.NewRules(deadline.NewCalendar(exportZone), deadline.Defaults{}),
		Queue: reminders.NewMemory(), Provisos: exportLibrary(t)})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// The names Slack sends with each action (handlers/router.go notes them).
	for id, name := range map[string]string{"UANALYST": "Ann Analyst", "UARMY1": "Sam Army", "UARMY2": "Lee Army",
		"UNAVY1": "Kim Navy", "UAIRFORCE1": "Pat Air", "UPOLICY1": "Jo Policy | *OSD*"} {
		svc.NoteName(id, name)
	}
	ref, err := svc.OpenReferral(ctx, "UANALYST", bot.ReferralInput{
		Agency: "commerce", CaseNumber: "Z123456", LicenseType: "BIS-748P", Applicant: "Acme Photonics <Inc> | *Optics*",
		Commodity: "Uncooled thermal imaging cameras", Classification: "6A003.b.4", Destination: "DE",
		EndUser: "Bundeswehr procurement office, Koblenz", Value: "1,250,000", Received: "2026-11-20",
		Offices: []string{"army", "navy", "air_force", "policy", "technology"}, USXPORTSRef: " dtsa-2026-004512 ",
	}, "view:V1")
	must(err)
	ask := map[string]int64{}
	asks, err := db.Asks(ctx, ref.ID)
	must(err)
	for _, a := range asks {
		ask[a.OfficeCode] = a.ID
	}
	answer := func(at time.Time, who, office string, in bot.PositionInput) {
		t.Helper()
		clk.Set(at)
		_, err := svc.Answer(ctx, who, ask[office], in)
		must(err)
	}
	answer(exportAt(11, 30, 9, 15), "UARMY1", "army", bot.PositionInput{Outcome: bot.OutcomeApprove})
	// Navy's first condition comes from the standard library (BIS-1): the final keeps
	// it, and the record keeps its code.
	answer(exportAt(11, 30, 11, 0), "UNAVY1", "navy", bot.PositionInput{Outcome: bot.OutcomeApproveWithProvisos, Agency: bot.AgencyCommerce, Standard: []string{"BIS-1"},
		Provisos: "No reexport without prior U.S. Government authorization\nQuarterly end-use reports to the Navy",
		Comment:  "See the end-user certificate | attached"})
	answer(exportAt(12, 1, 14, 0), "UAIRFORCE1", "air_force", bot.PositionInput{Outcome: bot.OutcomeRWA,
		Questions: "Who is the ultimate end user of the spare cores?\n1. Is the <Inc> subsidiary a consignee?"})
	// Air Force's questions stopped the offices' clock; the applicant's answer,
	// recorded two business days later, restarts it and asks Air Force again.
	clk.Set(exportAt(12, 3, 10, 0))
	_, err = svc.RecordAnswer(ctx, "UANALYST", ref.ID, bot.AnswerInput{Source: "applicant",
		Text: "The spare cores stay with the Bundeswehr depot in Koblenz.\nThe <Inc> subsidiary is not a consignee."})
	must(err)
	answer(exportAt(12, 4, 9, 0), "UARMY2", "army", bot.PositionInput{Outcome: bot.OutcomeDeny,
		Reasons: "New intelligence on the end user.", Basis: "15 CFR 744.21 (military end use); 50 U.S.C. 4813"})
	clk.Set(exportAt(12, 7, 10, 0))
	must(svc.Extend(ctx, "UANALYST", ref.ID, "technology", time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC), "Lab test results expected Dec 16"))
	clk.Set(exportAt(12, 8, 10, 0))
	_, err = svc.RecordAgencyClock(ctx, "UANALYST", ref.ID, bot.AgencyClockInput{Action: bot.AgencyClockStop,
		Stopped: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), Restarted: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
		Reference: "SNAP-R-2026-12-04", Reason: "BIS held the application for the applicant's end-use statement"})
	must(err)

	// Reminders as the schedule records them (bot/remind_send.go): a row and an event each.
	remind := func(office string, seq int, kind string, daysLeft int, dueAt, sentAt time.Time, escalated bool, skipped string) {
		t.Helper()
		clk.Set(sentAt)
		a, err := db.Ask(ctx, ask[office])
		must(err)
		rem := &bot.Reminder{ID: fmt.Sprintf("ask:%d:due:%s:n:%d", a.ID, bot.FormatDate(a.DueDate), seq), ReferralID: ref.ID,
			AskID: a.ID, OfficeCode: office, Seq: seq, Kind: kind, DaysLeft: daysLeft, DueAt: dueAt.UTC(),
			RecordedAt: sentAt.UTC(), Late: sentAt.Sub(dueAt) > bot.LateAfter, Escalated: escalated, Skipped: skipped,
			PostedChannel: skipped == "", PostedDM: escalated}
		kindOfEvent := "reminder.recorded"
		if skipped != "" {
			kindOfEvent = "reminder." + skipped
		}
		detail, _ := json.Marshal(map[string]any{"reminder": rem.ID, "office": office, "kind": kind,
			"days_left": daysLeft, "late": rem.Late, "escalated": escalated})
		must(db.Update(ctx, func(tx bot.Tx) error {
			if _, err := tx.RecordReminder(ctx, rem); err != nil {
				return err
			}
			return tx.AppendEvent(ctx, &bot.Event{ReferralID: ref.ID, Actor: bot.ActorBot, Kind: kindOfEvent, Detail: string(detail), At: sentAt.UTC()})
		}))
	}
	remind("policy", 0, "before", 2, exportAt(12, 11, 9, 0), exportAt(12, 11, 9, 0).Add(5*time.Second), false, "")
	remind("policy", 2, "due", 0, exportAt(12, 15, 9, 0), exportAt(12, 15, 9, 30), false, "")
	remind("policy", 3, "overdue", -1, exportAt(12, 16, 9, 0), exportAt(12, 16, 9, 0).Add(2*time.Second), true, "")
	remind("technology", 1, "before", 1, exportAt(12, 16, 9, 0), exportAt(12, 16, 9, 0).Add(3*time.Second), false, bot.SkippedSnoozed)
	answer(exportAt(12, 16, 11, 0), "UPOLICY1", "policy", bot.PositionInput{Outcome: bot.OutcomeDeny,
		Reasons: "Diversion risk to a restricted end user.", Basis: "15 CFR 742.4 (national security)", Comment: "- not a formula\n=SUM(A1)"})

	clk.Set(exportAt(12, 17, 10, 0))
	svc.NoteName("UANALYST", "Ann Analyst-Smith") // renamed: what was recorded before keeps the old name
	_, err = svc.Recommend(ctx, "UANALYST", ref.ID, bot.RecommendationInput{
		Outcome: bot.OutcomeApproveWithProvisos,
		Fates: map[bot.ProvisoRef]bot.FateInput{
			{Office: "navy", Number: 2}: {Fate: bot.FateModified, Words: "No reexport without prior U.S. Government authorization, in writing"},
			{Office: "navy", Number: 3}: {Fate: bot.FateDropped, Reason: "The end-use check covers it; BIS does not impose reporting on this destination"},
		},
		Added:     "Applicant must inform consignee of all license conditions",
		Rationale: "Navy's provisos address Policy's diversion concern; Army's new intelligence was reviewed with J2.",
	})
	must(err)
	ref, err = db.Referral(ctx, ref.ID)
	must(err)
	return db, svc, ref
}

// exportLibrary is a standard provisos library with the public example BIS-1.
func exportLibrary(t *testing.T) *bot.ProvisoLibrary {
	lib, err := bot.ParseProvisoLibrary([]byte("provisos:\n  - {code: BIS-1, agency: commerce, text: For stated end-use only}\n"))
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func TestExportGolden(t *testing.T) {
	_, svc, ref := exportDataset(t)
	rec, err := svc.Record(context.Background(), ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []record.ExportFormat{record.ExportMarkdown, record.ExportJSON, record.ExportCSV} {
		got, err := record.Render(rec, f)
		if err != nil {
			t.Fatalf("render %s: %v", f, err)
		}
		goldenfile.Check(t, filepath.Join("testdata", "export_record.golden."+string(f)), got, *update)
	}
	if got, want := record.FileName(rec, record.ExportJSON), "dod-record-commerce-Z123456.json"; got != want {
		t.Errorf("FileName = %q; want %q", got, want)
	}
}

// TestExportContents checks, independently of the golden files, that each format
// carries what the official record must: every version of every position with who,
// when and for which office; provisos by origin; questions and reasons; reminders
// and escalations; due-date changes with reasons; the recommendation and dissent.
func TestExportContents(t *testing.T) {
	rec, doc := exportedDocument(t)
	if doc.Schema != record.Schema || doc.Referral.CaseNumber != "Z123456" || doc.Referral.OpenedAt != "2026-11-27T15:00:00Z" {
		t.Errorf("schema / referral = %q / %+v", doc.Schema, doc.Referral)
	}
	if doc.Marking != "CUI" || doc.Referral.USXPORTSRef != "DTSA-2026-004512" || doc.Referral.AnalystName != "Ann Analyst" {
		t.Errorf("marking, USXPORTS, analyst name = %q, %q, %q; want CUI, DTSA-2026-004512, Ann Analyst",
			doc.Marking, doc.Referral.USXPORTSRef, doc.Referral.AnalystName)
	}
	// Names as of each action: the rename before the recommendation rewrites nothing earlier.
	if e := doc.Events[0]; e.ActorName != "Ann Analyst" || e.Chain != bot.ChainV2 || e.ReferralPrevHash != "" || len(e.Hash) != 64 {
		t.Errorf("first event = %+v; want Ann Analyst, v2, the referral's first link, a hash", e)
	}
	if f := doc.Recommendation; f == nil || f.RecordedByName != "Ann Analyst-Smith" || doc.Events[len(doc.Events)-1].ActorName != "Ann Analyst-Smith" {
		t.Errorf("recommendation = %+v; want recorded by Ann Analyst-Smith", f)
	}
	for i := 1; i < len(doc.Events); i++ {
		if doc.Events[i].ReferralPrevHash != doc.Events[i-1].Hash {
			t.Errorf("event #%d links to %q; want the hash of #%d", doc.Events[i].ID, doc.Events[i].ReferralPrevHash, doc.Events[i-1].ID)
		}
	}
	army := doc.Offices[0]
	if army.Office != "army" || len(army.Positions) != 2 || army.Positions[1].AnsweredBy != "UARMY2" || army.Positions[1].AnsweredByName != "Lee Army" ||
		army.Positions[1].OnBehalfOf != "army" || army.Positions[1].AnsweredAt != "2026-12-04T14:00:00Z" || army.Positions[1].Reasons == "" {
		t.Errorf("army history = %+v", army)
	}
	if doc.Referral.TermsWord != "conditions" || army.Positions[1].Basis != "15 CFR 744.21 (military end use); 50 U.S.C. 4813" {
		t.Errorf("terms word %q, army v2 basis %q; want conditions and the basis", doc.Referral.TermsWord, army.Positions[1].Basis)
	}
	if tech := doc.Offices[4]; tech.Office != "technology" || len(tech.Positions) != 0 || tech.DueDate != "2026-12-17" || tech.State != "closed" {
		t.Errorf("technology = %+v; want closed, never answered, due 2026-12-17", tech)
	}
	var kinds []string
	for _, c := range doc.DueChanges {
		kinds = append(kinds, c.Kind+":"+c.Reason)
	}
	if got := strings.Join(kinds, " | "); got != "clock.held:questions out with the applicant (RWA) | clock.resumed: | due.changed:Lab test results expected Dec 16 | dod_due.moved:BIS held the application for the applicant's end-use statement" {
		t.Errorf("due changes = %s", got)
	}
	if c := doc.DueChanges[1]; c.BusinessDaysHeld != 2 || c.To != "2026-12-20" || c.Cause != "answer" {
		t.Errorf("resumption = %+v; want 2 business days held, DoD due 2026-12-20 (unmoved)", c)
	}
	if c := doc.DueChanges[3]; c.AgencyAction != "stop" || c.AgencyReference != "SNAP-R-2026-12-04" || c.From != "2026-12-20" ||
		c.To != "2026-12-22" || c.CalendarDays != 2 || c.ClockStopped != "2026-12-02" || c.ClockRestarted != "2026-12-04" {
		t.Errorf("agency clock stop = %+v; want BIS stop 12-02 to 12-04 moving the DoD due date 2026-12-20 → 2026-12-22", c)
	}
	if doc.Referral.DoDDueDate != "2026-12-22" {
		t.Errorf("DoD due = %s; want 2026-12-22 (moved by the BIS clock stop only)", doc.Referral.DoDDueDate)
	}
	if c := doc.DueChanges[2]; c.Target != "technology" || c.From != "2026-12-15" || c.To != "2026-12-17" {
		t.Errorf("extension = %+v", c)
	}
	if len(doc.Answers) != 1 || doc.Answers[0].Source != "applicant" || doc.Answers[0].DueDate != "2026-12-10" || len(doc.Answers[0].Reasked) != 1 ||
		doc.Answers[0].Reasked[0].Office != "air_force" || doc.Answers[0].Reasked[0].Version != 1 || !strings.HasPrefix(doc.Answers[0].Reasked[0].Questions, "Who is") {
		t.Errorf("answers = %+v; want the applicant's answer asking Air Force (v1) again, due 2026-12-10", doc.Answers)
	}
	if len(doc.Reminders) != 4 || !doc.Reminders[1].Late || !doc.Reminders[2].Escalated || doc.Reminders[3].Skipped != bot.SkippedSnoozed {
		t.Errorf("reminders = %+v", doc.Reminders)
	}
	f := doc.Recommendation
	if f == nil || f.Outcome != string(bot.OutcomeApproveWithProvisos) || len(f.Provisos) != 3 || f.Provisos[2].Office != bot.OfficeDTSA {
		t.Fatalf("recommendation = %+v", f)
	}
	var dissent []string
	for _, d := range f.Dissent {
		dissent = append(dissent, d.Office+"="+d.Position)
	}
	if got := strings.Join(dissent, ","); got != "army=deny,air_force=rwa,policy=deny" {
		t.Errorf("dissent = %s", got)
	}
	// Navy's condition 2 is carried in DTSA's words, with Navy's kept beside them;
	// its condition 3 is dropped with the reason; Navy is partially overridden.
	if p := f.Provisos[1]; p.Office != "navy" || p.Fate != string(bot.FateModified) || p.Number != 2 ||
		!strings.HasSuffix(p.Text, "in writing") || strings.HasSuffix(p.OfficeText, "in writing") {
		t.Errorf("modified condition = %+v; want DTSA's words in text and Navy's in office_text", p)
	}
	if len(f.Dropped) != 1 || f.Dropped[0].Number != 3 || f.Dropped[0].Text != "" || !strings.HasPrefix(f.Dropped[0].Reason, "The end-use check") {
		t.Errorf("dropped = %+v", f.Dropped)
	}
	if len(f.PartialOverrides) != 1 || f.PartialOverrides[0].Office != "navy" || !strings.Contains(f.PartialOverrides[0].Summary, "condition 3 dropped — reason: The end-use check") {
		t.Errorf("partial overrides = %+v", f.PartialOverrides)
	}

	md := record.Markdown(rec)
	if !strings.HasPrefix(md, "CUI\n\n# ") || !strings.HasSuffix(md, "\nCUI\n") {
		t.Errorf("Markdown opens with %q and closes with %q; want the CUI banner on both", md[:10], md[len(md)-10:])
	}
	for _, want := range []string{
		"| Applicant | Acme Photonics \\<Inc> \\| \\*Optics\\* |",
		"- v2 2026-12-04 14:00 UTC — **Deny**, by Lee Army (UARMY2) for Army",
		"| Analyst | Ann Analyst (UANALYST) |",
		"| USXPORTS reference | DTSA-2026-004512 |",
		"by Jo Policy \\| \\*OSD\\* (UPOLICY1) for Policy",
		"**Approve with conditions**, recorded by Ann Analyst-Smith (UANALYST)",
		"  - Questions: Who is the ultimate end user of the spare cores?\n    1\\. Is the \\<Inc> subsidiary a consignee?",
		"- **Navy**\n  - For stated end-use only (v1, BIS-1)",
		"- **Navy**\n  - For stated end-use only (BIS-1)\n", // kept in the final, with its library code
		"Dissenting offices (overridden): Army, Air Force, Policy\n",
		"\nPartially overrides Navy: condition 2 modified; condition 3 dropped — reason: The end-use check covers it",
		"— modified by DTSA (condition 2); Navy wrote: No reexport without prior U.S. Government authorization\n",
		"escalated to the analyst by direct message",
		"Ann Analyst (UANALYST) moved DTSA Technology's due date from 2026-12-15 to 2026-12-17. Reason: Lab test results expected Dec 16",
		"Conditions, by originating office:",
		"## Conditions by originating office",
		"  - Condition BIS-1: For stated end-use only",
		"— **Return without action (RWA)**, by Pat Air (UAIRFORCE1) for Air Force",
		"  - Statutory and regulatory basis: 15 CFR 742.4 (national security)",
		"- Army v2, statutory and regulatory basis: 15 CFR 744.21 (military end use); 50 U.S.C. 4813",
		"Pat Air (UAIRFORCE1) returned the referral without action: questions out, the offices' suspense clock stopped (no reminders).",
		"Ann Analyst (UANALYST) recorded the answer to the offices' questions: the offices' suspense clock restarted after 2 business day(s) stopped",
		"- 2026-12-03 15:00 UTC — Ann Analyst (UANALYST) recorded the answer from the applicant: The spare cores stay with the Bundeswehr depot in Koblenz.\n  The \\<Inc> subsidiary is not a consignee.\n  Asked again, due 2026-12-10: Air Force (questions of v1).",
		"Ann Analyst (UANALYST) recorded an agency action: BIS stopped its clock from 2026-12-02 to 2026-12-04 (reference SNAP-R-2026-12-04). The DoD due date moved from 2026-12-20 to 2026-12-22 (2 calendar days).",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}

	raw, err := record.CSV(rec)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if strings.Join(rows[0], ",") != strings.Join(record.CSVHeader, ",") {
		t.Errorf("header = %v", rows[0])
	}
	if first, last := rows[1], rows[len(rows)-1]; first[0] != "marking" || first[7] != "CUI" || last[0] != "marking" || last[7] != "CUI" {
		t.Errorf("first and last rows = %v, %v; want the CUI marking", first, last)
	}
	sections := map[string]int{}
	for _, r := range rows[1:] {
		if len(r) != len(record.CSVHeader) {
			t.Fatalf("row %v has %d fields; want %d", r, len(r), len(record.CSVHeader))
		}
		sections[r[0]]++
		if r[0] == "comment" && r[2] == "policy" && !strings.HasPrefix(r[7], "'- not a formula") {
			t.Errorf("policy comment = %q; want it defused with a leading '", r[7])
		}
	}
	want := map[string]int{"marking": 2, "referral": 21, "ask": 5, "position": 5, "proviso": 3, "questions": 1, "reasons": 2,
		"basis": 2, "comment": 2, "reminder": 4, "due_change": 4, "answer": 1, "reasked": 1, "recommendation": 1, "final_proviso": 3, "dissent": 3,
		"proviso_fate": 3, "partial_override": 1, "event": len(doc.Events)}
	for s, n := range want {
		if sections[s] != n {
			t.Errorf("CSV has %d %s rows; want %d", sections[s], s, n)
		}
	}
}

func TestParseExportFormat(t *testing.T) {
	for in, want := range map[string]record.ExportFormat{"md": record.ExportMarkdown, "Markdown": record.ExportMarkdown, "JSON": record.ExportJSON, " csv": record.ExportCSV} {
		if got, err := record.ParseExportFormat(in); err != nil || got != want {
			t.Errorf("ParseExportFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := record.ParseExportFormat("pdf"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("ParseExportFormat(pdf) error = %v; want EINVALID", err)
	}
}
