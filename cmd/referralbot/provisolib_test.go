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

// TestStandardProvisos runs the shipped library: a Navy reviewer chooses two
// standard conditions and types one more; an empty form is refused; the record
// keeps each chosen one's code, and stats counts them by office.
func TestStandardProvisos(t *testing.T) {
	bothTransports(t, func(t *testing.T, transport string) {
		lib, err := filepath.Abs("../../testdata/provisos.example.yaml")
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, transport, sandbox.WithSetting("PROVISO_LIBRARY_PATH", lib))
		r := h.openReferral("Z123456")
		navy := reviewer("navy", 1)
		h.click(navy, r.ChannelID, h.askMessage(r, "navy").TS, "answer_approve_with_provisos")
		v := h.lastView(navy, bot.CallbackPosition)
		if txt := string(v.JSON); !strings.Contains(txt, "BIS-1 · For stated end-use only.") || strings.Contains(txt, "NAV-3") {
			t.Errorf("the form does not offer the Commerce conditions alone: %s", txt)
		}

		// Neither chosen nor typed: refused, nothing recorded.
		var resp struct {
			Errors map[string]string `json:"errors"`
		}
		if err := h.submit(navy, v.ID).Decode(&resp); err != nil || !strings.Contains(resp.Errors[bot.FieldProvisos], "Choose at least one standard condition") {
			t.Fatalf("empty form: %+v, %v", resp, err)
		}
		h.drain()
		if p := h.ask(r, "navy").Current; p != nil {
			t.Fatalf("an empty form recorded %+v", p)
		}

		if ack := h.submit(navy, v.ID, slackfake.Input{BlockID: bot.FieldStandardProvisos, Values: []string{"BIS-3", "BIS-1"}},
			slackfake.Input{BlockID: bot.FieldProvisos, Value: "Report shipments quarterly"}); len(ack.Body) > 0 {
			t.Fatalf("position refused: %s", ack.Body)
		}
		h.drain()
		p := h.ask(r, "navy").Current
		if p == nil || len(p.Provisos) != 3 || p.Provisos[0].Code != "BIS-3" || p.Provisos[1].Code != "BIS-1" || p.Provisos[2].Code != "" ||
			p.Provisos[1].Text != "For stated end-use only." || p.Provisos[2].Text != "Report shipments quarterly" {
			t.Fatalf("navy's position = %+v; want BIS-3, BIS-1 and the typed one", p)
		}
		if n := h.count(`SELECT COUNT(*) FROM provisos WHERE office_code = 'navy' AND code = 'BIS-1'`); n != 1 {
			t.Errorf("%d navy BIS-1 provisos in the database; want 1", n)
		}

		if txt := blocksText(h.askMessage(r, "navy").Blocks); !strings.Contains(txt, "• For stated end-use only. `BIS-1`") {
			t.Errorf("navy's ask does not show the code: %s", txt)
		}

		full, err := h.App.Service.Record(h.ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if md := record.Markdown(full); !strings.Contains(md, "  - Condition BIS-1: For stated end-use only.") ||
			!strings.Contains(md, "  - Condition: Report shipments quarterly") {
			t.Errorf("the Markdown record lacks the codes:\n%s", md)
		}
		js, _ := record.JSON(full)
		if compact := strings.Join(strings.Fields(string(js)), ""); !strings.Contains(compact, `"text":"Forstatedend-useonly.","code":"BIS-1"`) {
			t.Errorf("the JSON record lacks the code: %s", js)
		}
		if csv, err := record.CSV(full); err != nil || !strings.Contains(string(csv), "proviso,BIS-3,navy,") {
			t.Errorf("the CSV record lacks the code (%v): %s", err, csv)
		}

		// The codes are sealed in the position's digest: the record verifies, and an
		// edited code is caught.
		doc := record.NewDocument(full)
		if c := record.Verify(doc); c.Break != nil || c.Facts < 2 {
			t.Errorf("the record does not verify: %+v", c)
		}
		for i := range doc.Offices {
			if o := &doc.Offices[i]; o.Office == "navy" {
				o.Positions[0].Provisos[0].Code = "BIS-2"
			}
		}
		if c := record.Verify(doc); c.Break == nil {
			t.Error("an edited library code went unnoticed")
		}

		env := environ{"DATABASE_PATH": h.App.DB.Path(), "ROSTER_PATH": h.App.Config.RosterPath, "TIME_ZONE": "America/New_York"}
		out, _, err := runCmd(h.Clock.Now, env, "stats")
		if err != nil || !strings.Contains(out, "  Navy: BIS-1 1, BIS-3 1\n") {
			t.Errorf("stats (%v):\n%s", err, out)
		}
	})
}
