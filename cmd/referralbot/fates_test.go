package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestProvisoFates drives the fates of the offices' conditions over signed HTTP
// and Socket Mode, with asks in the referral's channel and in office queues: the
// analyst keeps, modifies and drops Army's conditions (a drop without a reason is
// refused on the field), keeps Navy's; the post and the record name Army as
// partially overridden, and Army, not Navy, is told in its ask's thread, through a
// rate-limited Slack.
func TestProvisoFates(t *testing.T) {
	bothTransports(t, func(t *testing.T, transport string) {
		t.Run("referral channel", func(t *testing.T) { testProvisoFates(t, newHarness(t, transport)) })
		t.Run("office queues", func(t *testing.T) { testProvisoFates(t, newHarness(t, transport, sandbox.WithQueues())) })
	})
}

func testProvisoFates(t *testing.T, h *harness) {
	r := h.openReferral("Z123456")
	answer := func(office, conditions string) {
		t.Helper()
		a := h.ask(r, office)
		h.click(reviewer(office, 1), a.Channel(r), a.MessageTS, "answer_approve_with_provisos")
		v := h.lastView(reviewer(office, 1), bot.CallbackPosition)
		h.submit(reviewer(office, 1), v.ID, slackfake.Input{BlockID: bot.FieldProvisos, Value: conditions})
		h.drain()
		if p := h.ask(r, office).Current; p == nil || len(p.Provisos) != strings.Count(conditions, "\n")+1 {
			t.Fatalf("%s position = %+v", office, p)
		}
	}
	answer("army", "For stated end-use only\nNo reexport without prior U.S. Government authorization\nQuarterly end-use reports to the Army")
	answer("navy", "Applicant must inform consignee of all license conditions")

	h.command(analyst, r.ChannelID, "recommend")
	v := h.lastView(analyst, bot.CallbackRecommendation)
	modal := string(v.JSON)
	for _, want := range []string{"Army condition 3: Quarterly end-use reports to the Army", "Navy condition 1: Applicant must inform",
		`"block_id":"fate_reason.army.3"`, "Reason (required to drop)", "DTSA's wording (if modified)", `"text":"Modify"`} {
		if !strings.Contains(modal, want) {
			t.Errorf("recommendation modal lacks %s", want)
		}
	}
	awp := slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApproveWithProvisos)}
	modify := []slackfake.Input{
		{BlockID: bot.FieldFate("army", 2), Value: string(bot.FateModified)},
		{BlockID: bot.FieldFateWords("army", 2), Value: "No reexport without prior written U.S. Government authorization"},
	}
	drop := slackfake.Input{BlockID: bot.FieldFate("army", 3), Value: string(bot.FateDropped)}
	rationale := slackfake.Input{BlockID: bot.FieldRationale, Value: "Army's and Navy's conditions meet Policy's concern."}

	// A drop without its reason is refused on the reason, and records nothing.
	ack := h.submit(analyst, v.ID, append(modify, awp, drop, rationale)...)
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := ack.Decode(&resp); err != nil || resp.Action != "errors" || len(resp.Errors) != 1 ||
		!strings.Contains(resp.Errors[bot.FieldFateReason("army", 3)], "Give the reason for dropping Army's condition 3") {
		t.Fatalf("drop without a reason: ack %s (%v); want one error on its reason", ack.Body, err)
	}
	h.drain()
	if n := h.count(`SELECT COUNT(*) FROM recommendations`); n != 0 {
		t.Fatalf("%d recommendations recorded after a refused form", n)
	}

	// With the reason it is recorded, through a Slack that rate-limits two posts.
	reason := slackfake.Input{BlockID: bot.FieldFateReason("army", 3), Value: "The end-use check covers it"}
	h.Fake.RateLimitNext("chat.postMessage", 0)
	h.Fake.RateLimitNext("chat.postMessage", 0)
	if ack := h.submit(analyst, v.ID, append(modify, awp, drop, reason, rationale)...); len(ack.Body) > 0 {
		t.Fatalf("recommendation refused: %s", ack.Body)
	}
	h.drain()
	limited := 0
	for _, c := range h.Fake.CallsTo("chat.postMessage") {
		if c.Error == "ratelimited" {
			limited++
		}
	}
	if limited != 2 {
		t.Errorf("%d posts rate-limited; want 2", limited)
	}
	if n := h.count(`SELECT COUNT(*) FROM proviso_fates WHERE fate = 'dropped' AND reason = 'The end-use check covers it'`); n != 1 {
		t.Errorf("%d dropped fates stored with the reason; want 1", n)
	}

	final, ok := h.Fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool { return strings.Contains(m.Text, "Final DoD recommendation") })
	post := blocksText(final.Blocks)
	for _, want := range []string{
		":warning: *Partially overrides Army:* condition 2 modified; condition 3 dropped — reason: The end-use check covers it",
		"• No reexport without prior written U.S. Government authorization — *modified by DTSA*; Army wrote: “No reexport without prior U.S. Government authorization”",
		"• For stated end-use only", "*Navy*\n• Applicant must inform consignee",
	} {
		if !ok || !strings.Contains(post, want) {
			t.Errorf("final post lacks %q:\n%s", want, post)
		}
	}
	if strings.Contains(post, "Quarterly end-use reports") || strings.Contains(post, "Partially overrides Navy") {
		t.Errorf("final post carries the dropped condition or overrides Navy:\n%s", post)
	}

	// Army is told in its ask's thread, once; Navy, whose condition was kept, is not.
	army, navy := h.ask(r, "army"), h.ask(r, "navy")
	var told []string
	for _, a := range []*bot.Ask{army, navy} {
		for _, m := range h.Fake.Messages(a.Channel(r)) {
			if m.ThreadTS == a.MessageTS && m.TS != a.MessageTS && strings.Contains(m.Text, "partially overrides") {
				told = append(told, a.OfficeCode+": "+blocksText(m.Blocks))
			}
		}
	}
	if len(told) != 1 || !strings.HasPrefix(told[0], "army: ") || !strings.Contains(told[0], "Condition 3 *dropped*: “Quarterly end-use reports to the Army” — reason: The end-use check covers it") ||
		!strings.Contains(told[0], "<@"+reviewer("army", 1)+">") {
		t.Errorf("thread notices = %q; want one, to Army, naming the dropped condition and its reason", told)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE kind = 'override.told' AND json_extract(detail, '$.office') = 'army'`); n != 1 {
		t.Errorf("%d override.told events for Army; want 1", n)
	}

	full, err := h.App.Service.Record(h.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	md := record.Markdown(full)
	for _, want := range []string{
		"\nPartially overrides Army: condition 2 modified; condition 3 dropped — reason: The end-use check covers it\n",
		"Conditions dropped, by originating office:\n\n- **Army**\n  - Quarterly end-use reports to the Army (condition 3) — reason: The end-use check covers it\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("record lacks %q", want)
		}
	}
	var doc record.Document
	raw, err := record.JSON(full)
	if err != nil || json.Unmarshal(raw, &doc) != nil {
		t.Fatalf("JSON record: %v", err)
	}
	if f := doc.Recommendation; len(f.PartialOverrides) != 1 || f.PartialOverrides[0].Office != "army" || len(f.Dropped) != 1 || len(f.Dissent) != 0 {
		t.Errorf("JSON recommendation = %+v; want Army partially overridden, one condition dropped, no dissent", f)
	}
	if out, _, err := runCmd(clock.Stopped(h.Clock.Now()), environ{"DATABASE_PATH": h.App.DB.Path()}, "verify"); err != nil {
		t.Errorf("verify after the fates: %v\n%s", err, out)
	}
}
