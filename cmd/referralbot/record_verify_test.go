package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestRecordStandsOnItsOwn follows a referral through Slack (both transports) and
// checks its exported record: people named as of each action (a rename later
// rewrites nothing), the USXPORTS reference, the marking banner, and a JSON
// export that `referralbot verify --record` checks on its own and refuses once
// edited.
func TestRecordStandsOnItsOwn(t *testing.T) {
	bothTransports(t, func(t *testing.T, transport string) {
		h := newHarness(t, transport)
		r := h.openReferralWith("Z123456", slackfake.Input{BlockID: bot.FieldUSXPORTS, Value: "dtsa-2026-004512"})
		h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
		h.click(reviewer("navy", 1), r.ChannelID, h.askMessage(r, "navy").TS, "answer_approve_with_provisos")
		v := h.lastView(reviewer("navy", 1), bot.CallbackPosition)
		h.submit(reviewer("navy", 1), v.ID, slackfake.Input{BlockID: bot.FieldProvisos, Value: "For stated end-use only"})
		h.drain()
		h.Fake.RenameUser(analyst, "dana.analyst-smith")
		h.command(analyst, r.ChannelID, "hold Waiting on the applicant")
		h.drain()

		dir := t.TempDir()
		env := environ{"DATABASE_PATH": h.App.DB.Path(), "ROSTER_PATH": h.App.Config.RosterPath, "MARKING_BANNER": "CUI//SP-EXPT"}
		file := filepath.Join(dir, "record.json")
		if _, _, err := runCmd(h.Clock.Now, env, "export", "Z123456", "--format", "json", "--output", file); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var d record.Document
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		if d.Marking != "CUI//SP-EXPT" || d.Referral.USXPORTSRef != "DTSA-2026-004512" || d.Referral.AnalystName != "dana.analyst" {
			t.Errorf("marking, USXPORTS, analyst = %q, %q, %q; want CUI//SP-EXPT, DTSA-2026-004512, dana.analyst",
				d.Marking, d.Referral.USXPORTSRef, d.Referral.AnalystName)
		}
		if p := d.Offices[1].Positions[0]; p.AnsweredBy != reviewer("navy", 1) || p.AnsweredByName != "navy.one" {
			t.Errorf("navy's position by %s %q; want %s navy.one", p.AnsweredBy, p.AnsweredByName, reviewer("navy", 1))
		}
		first, last := d.Events[0], d.Events[len(d.Events)-1]
		if first.ActorName != "dana.analyst" || last.Kind != "clock.held" || last.ActorName != "dana.analyst-smith" {
			t.Errorf("first event by %q, last %s by %q; want dana.analyst, then clock.held by dana.analyst-smith", first.ActorName, last.Kind, last.ActorName)
		}
		md, _, err := runCmd(h.Clock.Now, env, "export", "Z123456")
		if err != nil || !strings.HasPrefix(md, "CUI//SP-EXPT\n\n# ") || !strings.HasSuffix(md, "\nCUI//SP-EXPT\n") ||
			!strings.Contains(md, "| Analyst | dana.analyst ("+analyst+") |") {
			t.Errorf("Markdown export (%v) lacks the banner at top and bottom or the analyst's name:\n%s", err, md)
		}

		out, _, err := runCmd(h.Clock.Now, env, "verify", "--record", file)
		if err != nil || !strings.Contains(out, "chain intact; 3 facts match their events") ||
			!strings.Contains(out, last.Hash) {
			t.Fatalf("verify --record = %q, %v; want the chain intact, 3 facts, the newest hash", out, err)
		}

		// Each edit is caught: exit 1 (an error that is not a usage error) naming the event.
		for _, tt := range []struct {
			name string
			edit func(d *record.Document)
			want string
		}{
			{"a position's text", func(d *record.Document) { d.Offices[1].Positions[0].Provisos[0].Text = "None" }, "Navy's position v1 in the record is not the one this event recorded"},
			{"a removed event", func(d *record.Document) { d.Events = append(d.Events[:1:1], d.Events[2:]...) }, "does not link to event #1"},
			{"a reordered event", func(d *record.Document) { d.Events[1], d.Events[2] = d.Events[2], d.Events[1] }, "the events were reordered"},
		} {
			edited := d
			edited.Events = append([]record.EventEntry(nil), d.Events...)
			edited.Offices = cloneOffices(d.Offices)
			tt.edit(&edited)
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".json")
			writeJSON(t, path, &edited)
			_, _, err := runCmd(h.Clock.Now, env, "verify", "--record", path)
			if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("verify --record after %s: %v; want exit 1 naming …%s…", tt.name, err, tt.want)
			}
		}

		// A file that is not a record, or none: exit 2.
		notRecord := filepath.Join(dir, "not-a-record.json")
		writeJSON(t, notRecord, map[string]string{"schema": "something/else"})
		for _, args := range [][]string{{"--record", filepath.Join(dir, "missing.json")}, {"--record", notRecord}, {"--record"}, {"--record", file, "extra"}} {
			if _, _, err := runCmd(h.Clock.Now, env, append([]string{"verify"}, args...)...); !errors.Is(err, errUsage) {
				t.Errorf("verify %v: %v; want a usage error (exit 2)", args, err)
			}
		}
	})
}

func cloneOffices(offices []record.OfficeHistory) []record.OfficeHistory {
	out := append([]record.OfficeHistory(nil), offices...)
	for i := range out {
		out[i].Positions = append([]record.PositionEntry(nil), out[i].Positions...)
		for j := range out[i].Positions {
			out[i].Positions[j].Provisos = append([]record.ProvisoEntry(nil), out[i].Positions[j].Provisos...)
		}
	}
	return out
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
