package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestKeptProvisoCodes follows standard conditions from the library through the
// final recommendation: Navy chooses BIS-1 and BIS-2 and types one more; the
// analyst keeps BIS-1, modifies BIS-2 and drops the typed one. The final keeps
// BIS-1's code on the carried condition, each fate keeps its office proviso's
// code (so "how often does DoD keep BIS-1" is a query), and the post, the
// Markdown, JSON and CSV records and an amendment all keep them; the record
// verifies, and an edited code in it is caught.
func TestKeptProvisoCodes(t *testing.T) {
	lib, err := filepath.Abs("../../testdata/provisos.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, "http", sandbox.WithSetting("PROVISO_LIBRARY_PATH", lib))
	r := h.openReferralWith("Z123456", askOffices("army", "navy"))
	navy := reviewer("navy", 1)
	h.click(navy, r.ChannelID, h.askMessage(r, "navy").TS, "answer_approve_with_provisos")
	v := h.lastView(navy, bot.CallbackPosition)
	if ack := h.submit(navy, v.ID, slackfake.Input{BlockID: bot.FieldStandardProvisos, Values: []string{"BIS-1", "BIS-2"}},
		slackfake.Input{BlockID: bot.FieldProvisos, Value: "Report shipments quarterly"}); len(ack.Body) > 0 {
		t.Fatalf("navy's position refused: %s", ack.Body)
	}
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.drain()

	h.command(analyst, r.ChannelID, "recommend")
	v = h.lastView(analyst, bot.CallbackRecommendation)
	if modal := string(v.JSON); !strings.Contains(modal, "Navy condition 1 (BIS-1): For stated end-use only.") ||
		!strings.Contains(modal, "Navy condition 3: Report shipments quarterly") {
		t.Errorf("the fate inputs do not name the library codes: %s", modal)
	}
	reworded := "No resale, transfer, or reexport without prior written authorization by the U.S. Government."
	if ack := h.submit(analyst, v.ID,
		slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApproveWithProvisos)},
		slackfake.Input{BlockID: bot.FieldFate("navy", 2), Value: string(bot.FateModified)},
		slackfake.Input{BlockID: bot.FieldFateWords("navy", 2), Value: reworded},
		slackfake.Input{BlockID: bot.FieldFate("navy", 3), Value: string(bot.FateDropped)},
		slackfake.Input{BlockID: bot.FieldFateReason("navy", 3), Value: "BIS reporting covers it"},
	); len(ack.Body) > 0 {
		t.Fatalf("recommendation refused: %s", ack.Body)
	}
	h.drain()

	// The questions an auditor asks, answered by query.
	for _, c := range []struct {
		query string
		want  int
	}{
		{`SELECT COUNT(*) FROM proviso_fates WHERE code = 'BIS-1' AND fate = 'kept' AND office_code = 'navy'`, 1},
		{`SELECT COUNT(*) FROM proviso_fates WHERE code = 'BIS-2' AND fate = 'modified'`, 1},
		{`SELECT COUNT(*) FROM proviso_fates WHERE code = '' AND fate = 'dropped'`, 1},
		// The final's own conditions: BIS-1 in the library's words; the modified one
		// is DTSA's words, so it carries no code (its fate does).
		{`SELECT COUNT(*) FROM provisos WHERE recommendation_id IS NOT NULL AND code = 'BIS-1' AND office_code = 'navy'`, 1},
		{`SELECT COUNT(*) FROM provisos WHERE recommendation_id IS NOT NULL AND code <> ''`, 1},
	} {
		if n := h.count(c.query); n != c.want {
			t.Errorf("%s = %d; want %d", c.query, n, c.want)
		}
	}

	final, ok := h.Fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool { return strings.HasPrefix(m.Text, "Final DoD recommendation") })
	post := blocksText(final.Blocks)
	for _, want := range []string{"• For stated end-use only. `BIS-1`", "— *modified by DTSA* from `BIS-2`; Navy wrote:"} {
		if !ok || !strings.Contains(post, want) {
			t.Errorf("final post lacks %q:\n%s", want, post)
		}
	}

	check := func(version string) {
		t.Helper()
		full, err := h.App.Service.Record(h.ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		md := record.Markdown(full)
		for _, want := range []string{"  - For stated end-use only. (BIS-1)\n", "— modified by DTSA (condition 2, BIS-2); Navy wrote:",
			"  - Report shipments quarterly (condition 3) — reason: BIS reporting covers it"} {
			if !strings.Contains(md, want) {
				t.Errorf("%s: the Markdown record lacks %q:\n%s", version, want, md)
			}
		}
		js, err := record.JSON(full)
		compact := strings.Join(strings.Fields(string(js)), "")
		if err != nil || !strings.Contains(compact, `"fate":"kept","number":1,"office_text":"Forstatedend-useonly.","reason":"","code":"BIS-1"`) ||
			!strings.Contains(compact, `"fate":"modified","number":2,`) || !strings.Contains(compact, `"code":"BIS-2"`) {
			t.Errorf("%s: the JSON record lacks the fates' codes (%v): %s", version, err, js)
		}
		csv, err := record.CSV(full)
		if err != nil || !strings.Contains(string(csv), "final_proviso,BIS-1,navy,,,,kept,For stated end-use only.") ||
			!strings.Contains(string(csv), "code=BIS-2") {
			t.Errorf("%s: the CSV record lacks the codes (%v): %s", version, err, csv)
		}
		doc := record.NewDocument(full)
		if c := record.Verify(doc); c.Break != nil {
			t.Errorf("%s: the record does not verify: %+v", version, c.Break)
		}
		doc.Recommendation.Provisos[0].Code = "BIS-3"
		if c := record.Verify(doc); c.Break == nil {
			t.Errorf("%s: an edited code on a kept condition went unnoticed", version)
		}
	}
	check("version 1")

	// An amendment that keeps the lines as they were keeps the codes.
	h.command(analyst, r.ChannelID, "amend")
	v = h.lastView(analyst, bot.CallbackAmend)
	if ack := h.submit(analyst, v.ID, slackfake.Input{BlockID: bot.FieldAmendReason, Value: "BIS corrected the value"}); len(ack.Body) > 0 {
		t.Fatalf("amendment refused: %s", ack.Body)
	}
	h.drain()
	rec, err := h.App.DB.Recommendation(h.ctx, r.ID)
	if err != nil || rec.Version != 2 {
		t.Fatalf("final = %+v, %v; want version 2", rec, err)
	}
	var codes []string
	for _, pv := range rec.Provisos {
		codes = append(codes, pv.OfficeCode+":"+pv.Code)
	}
	if got := strings.Join(codes, " "); got != "navy:BIS-1 navy:" {
		t.Errorf("the amended final's conditions carry %q; want BIS-1 on Navy's kept one, none on the modified one", got)
	}
	check("version 2")
	if n := h.count(`SELECT COUNT(*) FROM proviso_fates WHERE code = 'BIS-1' AND fate = 'kept'`); n != 2 {
		t.Errorf("%d kept BIS-1 fates over both versions; want 2", n)
	}
}
