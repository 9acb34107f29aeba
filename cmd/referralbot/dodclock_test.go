package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestDoDDueAlerts: the analyst's own deadline, over signed HTTP and Socket Mode.
// A Commerce referral due Sunday 12-20 and a State one due Thursday 12-24 (Christmas
// Eve) are left without a final recommendation while the clock runs through the
// mornings, with a restart and a failed Slack post on the way. The analyst is told
// of each DoD due date in their one morning message 3, 1 and 0 business days before
// it, once each, and the morning after it passes: deemed no objection on Commerce
// (recorded, and in the export), overdue on State (which stays open, flagged in
// /referral list and /referral status).
func TestDoDDueAlerts(t *testing.T) { bothTransports(t, testDoDDueAlerts) }

func testDoDDueAlerts(t *testing.T, transport string) {
	h := newHarness(t, transport)
	commerce := h.openReferral("Z123456") // received 2026-11-20: DoD due Sun 2026-12-20
	h.submitReferral(analyst, "050200001", slackfake.Input{BlockID: bot.FieldAgency, Value: "state"},
		slackfake.Input{BlockID: bot.FieldLicenseType, Value: "DSP-5"}, slackfake.Input{BlockID: bot.FieldClassification, Value: "XII(c)"},
		slackfake.Input{BlockID: bot.FieldReceived, Value: "2026-11-24"})
	h.drain()
	state, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyState, "050200001")
	if err != nil {
		t.Fatal(err)
	}
	if bot.FormatDate(commerce.DoDDueDate) != "2026-12-20" || bot.FormatDate(state.DoDDueDate) != "2026-12-24" {
		t.Fatalf("DoD due %s and %s; the test counts from 2026-12-20 and 2026-12-24", bot.FormatDate(commerce.DoDDueDate), bot.FormatDate(state.DoDDueDate))
	}

	want := map[string][]string{ // morning → what the analyst's message says, one line per case
		"2026-12-15": {"Z123456 <#" + commerce.ChannelID + "> — DoD due Sun 2026-12-20 (Commerce): 3 business days left, the last on Fri 2026-12-18"},
		"2026-12-17": {"Z123456 <#" + commerce.ChannelID + "> — DoD due Sun 2026-12-20 (Commerce): 1 business day left"},
		"2026-12-18": {"Z123456 <#" + commerce.ChannelID + "> — DoD due Sun 2026-12-20 (Commerce): *today is the last business day* before it"},
		"2026-12-21": {
			"Z123456 <#" + commerce.ChannelID + "> — DoD due Sun 2026-12-20 passed with no final recommendation: under EO 12981 DoD is *deemed to have no objection*",
			"050200001 <#" + state.ChannelID + "> — DoD due Thu 2026-12-24 (State): 3 business days left",
		},
		"2026-12-23": {"050200001 <#" + state.ChannelID + "> — DoD due Thu 2026-12-24 (State): 1 business day left"},
		"2026-12-24": {"050200001 <#" + state.ChannelID + "> — DoD due *today*, Thu 2026-12-24 (State)"},
		"2026-12-28": {"050200001 <#" + state.ChannelID + "> — DoD due Thu 2026-12-24 passed with no final recommendation: *overdue* (State). No deemed concurrence"},
	}
	restarted := h.secondInstance() // a restart: the same morning again on another process
	for day := 14; day <= 29; day++ {
		morning := morningOf(day)
		if wd := morning.Weekday(); wd == time.Saturday || wd == time.Sunday || day == 25 {
			continue
		}
		h.Clock.Set(morning)
		if day == 18 { // Slack fails the morning's first post; the next pass, after the retry delay, posts it
			h.Fake.FailNextHTTP("chat.postMessage", 503, 1)
			if _, err := h.App.Service.ProcessReminders(h.ctx); err != nil {
				t.Fatal(err)
			}
			h.Clock.Set(morning.Add(h.App.Config.OutboxLease + time.Second))
		}
		h.pass(h.App.Service)
		h.pass(restarted.Service)
		h.pass(h.App.Service)
	}

	got := map[string][]string{}
	for _, m := range h.Fake.Messages(h.Fake.DMChannel(analyst)) {
		key, _ := m.Metadata.EventPayload["key"].(string)
		day := strings.TrimPrefix(key, "escalation:"+analyst+":")
		if day == key {
			t.Errorf("a direct message to the analyst that is not the morning message: %q", m.Text)
			continue
		}
		if _, seen := got[day]; seen {
			t.Errorf("%s: a second morning message", day)
		}
		got[day] = []string{}
		for _, line := range strings.Split(m.Text, "\n") {
			if item, ok := strings.CutPrefix(line, "• "); ok && strings.Contains(item, "DoD due") {
				got[day] = append(got[day], item)
			}
		}
		for _, secret := range []string{"Acme", "thermal", "6A003", "Bundeswehr", "1,250,000"} {
			if strings.Contains(m.Text, secret) {
				t.Errorf("%s: the morning message carries the referral detail %q", day, secret)
			}
		}
	}
	for day := 14; day <= 29; day++ {
		d := fmt.Sprintf("2026-12-%02d", day)
		if len(got[d]) != len(want[d]) {
			t.Errorf("%s: told %q; want %q", d, got[d], want[d])
			continue
		}
		for i := range want[d] {
			if !strings.HasPrefix(got[d][i], want[d][i]) {
				t.Errorf("%s: line %d = %q; want %q…", d, i, got[d][i], want[d][i])
			}
		}
	}

	// Recorded once each; both referrals are still open.
	for _, c := range []struct {
		r    *bot.Referral
		kind string
	}{{commerce, bot.EventDeemedNoObjection}, {state, bot.EventDoDOverdue}} {
		if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind LIKE 'dod_due.%' AND kind != 'dod_due.moved'`, c.r.ID); n != 1 {
			t.Errorf("%s: %d DoD due date passings recorded; want 1", c.r.CaseNumber, n)
		}
		if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = ? AND actor = ?`, c.r.ID, c.kind, bot.ActorBot); n != 1 {
			t.Errorf("%s: no %s event by the bot", c.r.CaseNumber, c.kind)
		}
		if got := h.referral(c.r.ID).State; got != bot.ReferralOpen {
			t.Errorf("%s is %s; want open", c.r.CaseNumber, got)
		}
	}

	// The list puts them first and says what each passing means; status flags it.
	list := ackBlocksText(t, h.command(analyst, h.General, "list"))
	for _, s := range []string{
		"Z123456* · DoD due *2026-12-20* (Commerce, passed: :scales: *deemed no objection* under EO 12981)",
		"050200001* · DoD due *2026-12-24* (State, :warning: *overdue*, no deemed concurrence)",
	} {
		if !strings.Contains(list, s) {
			t.Errorf("/referral list lacks %q:\n%s", s, list)
		}
	}
	if i, j := strings.Index(list, "Z123456*"), strings.Index(list, "050200001*"); i < 0 || j < 0 || i > j {
		t.Errorf("/referral list does not put the case with the least time left first:\n%s", list)
	}
	if got := ackBlocksText(t, h.command(analyst, state.ChannelID, "status")); !strings.Contains(got, "*Overdue:* the DoD due date 2026-12-24 passed with no final recommendation") {
		t.Errorf("/referral status of the State case = %s", got)
	}

	// The referral's summary, updated in place, says it too.
	if got := blocksText(h.Fake.Messages(commerce.ChannelID)[0].Blocks); !strings.Contains(got, "*DoD due date 2026-12-20 passed* with no final recommendation: under EO 12981 DoD is *deemed to have no objection*") {
		t.Errorf("the Commerce summary does not show the deemed no objection:\n%s", got)
	}
	md := string(h.rendered(commerce, record.ExportMarkdown))
	for _, s := range []string{
		"| State | Open; the DoD due date passed with no final recommendation: under EO 12981 DoD is deemed to have no objection |",
		"The DoD due date 2026-12-20 passed with no final recommendation: under EO 12981 (15 CFR 750.4) DoD is deemed to have no objection.",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("the Markdown record lacks %q", s)
		}
	}

	// The export carries the deemed no objection: the event, the clock change and the fact.
	h.command(analyst, commerce.ChannelID, "export json")
	f := h.uploadedFile(1)
	var doc struct {
		Referral struct {
			DoDDuePassed string `json:"dod_due_passed"`
		} `json:"referral"`
		DueChanges []struct {
			Kind, To string
		} `json:"due_changes"`
		Events []struct {
			Kind   string
			Detail map[string]any
		} `json:"events"`
	}
	if err := json.Unmarshal(f.Content, &doc); err != nil {
		t.Fatalf("export: %v\n%s", err, f.Content)
	}
	found := 0
	for _, e := range doc.Events {
		if e.Kind == bot.EventDeemedNoObjection && e.Detail["dod_due"] == "2026-12-20" && e.Detail["authority"] == "EO 12981; 15 CFR 750.4" {
			found++
		}
	}
	if found != 1 || doc.Referral.DoDDuePassed != "deemed_no_objection" || len(doc.DueChanges) != 1 ||
		doc.DueChanges[0].Kind != bot.EventDeemedNoObjection || doc.DueChanges[0].To != "2026-12-20" {
		t.Errorf("export: %d deemed events, dod_due_passed %q, due changes %+v; want 1, deemed_no_objection and the passing of 2026-12-20",
			found, doc.Referral.DoDDuePassed, doc.DueChanges)
	}
}

// ackBlocksText is the text of the blocks of a slash command's reply.
func ackBlocksText(t *testing.T, ack slackfake.Ack) string {
	t.Helper()
	var m struct {
		Blocks slack.Blocks `json:"blocks"`
	}
	if err := ack.Decode(&m); err != nil {
		t.Fatalf("ack %s: %v", ack.Body, err)
	}
	return blocksText(m.Blocks)
}
