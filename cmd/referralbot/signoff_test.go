package main

import (
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestAmendedFinal: the analyst amends a recorded final recommendation with a
// reason. The amendment is a new version posted as amended, saying why; the
// record keeps every version. A reviewer cannot amend; a form without a reason
// records nothing.
func TestAmendedFinal(t *testing.T) { bothTransports(t, testAmendedFinal) }

func testAmendedFinal(t *testing.T, transport string) {
	h := newHarness(t, transport)
	r := h.openReferralWith("Z123456", askOffices("army", "navy"), alsoInvite(reviewer("army", 1)))
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.click(reviewer("navy", 1), r.ChannelID, h.askMessage(r, "navy").TS, "answer_approve")
	h.drain()

	h.command(analyst, r.ChannelID, "amend")
	if got := strings.Join(h.ephemeralsTo(r.ChannelID, analyst), "\n"); !strings.Contains(got, "no final recommendation to amend yet") {
		t.Errorf("amend before the final: %q", got)
	}
	h.recommend(r, bot.OutcomeApprove, "")
	h.command(reviewer("army", 1), r.ChannelID, "amend")
	if got := strings.Join(h.ephemeralsTo(r.ChannelID, reviewer("army", 1)), "\n"); !strings.Contains(got, "Only licensing analysts can amend") {
		t.Errorf("amend by a reviewer: %q", got)
	}

	h.command(analyst, r.ChannelID, "amend")
	v := h.lastView(analyst, bot.CallbackAmend)
	if txt := blocksText(v.Blocks); !strings.Contains(txt, "final recommendation *Approve* (version 1)") {
		t.Errorf("amend modal:\n%s", txt)
	}
	outcome := slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApproveWithProvisos)}
	condition := slackfake.Input{BlockID: bot.FieldAmendProvisos, Value: "For stated end-use only"}
	errs := errorsOf(t, h.submit(analyst, v.ID, outcome, condition, slackfake.Input{BlockID: bot.FieldAmendReason, Value: "  \n "}))
	if !strings.Contains(errs[bot.FieldAmendReason], "why the recommendation is amended") || len(errs) != 1 {
		t.Errorf("amendment without a reason: errors %v", errs)
	}
	reason := "BIS amended the application: a new consignee; DoD adds a condition."
	if ack := h.submit(analyst, v.ID, outcome, condition, slackfake.Input{BlockID: bot.FieldAmendReason, Value: reason}); len(ack.Body) > 0 {
		t.Fatalf("amendment refused: %s", ack.Body)
	}
	h.drain()

	versions, err := h.App.DB.RecommendationVersions(h.ctx, r.ID)
	if err != nil || len(versions) != 2 || versions[0].Outcome != bot.OutcomeApprove || versions[1].Version != 2 ||
		versions[1].Outcome != bot.OutcomeApproveWithProvisos || versions[1].AmendReason != reason || len(versions[1].Provisos) != 1 {
		t.Fatalf("versions = %+v, %v; want the first and the amendment", versions, err)
	}
	if rec, err := h.App.DB.Recommendation(h.ctx, r.ID); err != nil || rec.Version != 2 {
		t.Errorf("final recommendation = %+v, %v; want version 2", rec, err)
	}
	amended, ok := h.Fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool {
		return strings.HasPrefix(m.Text, "Final DoD recommendation (amended)")
	})
	if txt := blocksText(amended.Blocks); !ok || !strings.Contains(txt, "*Amended* (version 2; version 1 and earlier stay in the record). *Why:* "+reason) ||
		!strings.Contains(txt, "For stated end-use only") {
		t.Errorf("amended post (found %v):\n%s", ok, txt)
	}
	if n := len(h.topLevelWith(r.ChannelID, "Final DoD recommendation")); n != 2 {
		t.Errorf("%d final posts; want the first and the amended one", n)
	}
	summary := blocksText(h.Fake.Messages(r.ChannelID)[0].Blocks)
	if !strings.Contains(summary, "*Final DoD recommendation: Approve with conditions* — <@"+analyst+">") || !strings.Contains(summary, "amended (version 2)") {
		t.Errorf("summary:\n%s", summary)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = 'recommendation.amended'`, r.ID); n != 1 {
		t.Errorf("recommendation.amended events = %d; want 1", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = 'record.uploaded'`, r.ID); n != 2 {
		t.Errorf("record uploads = %d; want one per version", n)
	}

	full, err := h.App.Service.Record(h.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	md := record.Markdown(full)
	for _, want := range []string{"**Approve with conditions**, recorded by", "Amended: this is version 2 of the recommendation. Amended because: " + reason,
		"## Every version of the recommendation", "- Version 1: **Approve**, recorded by " + analyst, "- Version 2: **Approve with conditions**"} {
		if !strings.Contains(md, want) {
			t.Errorf("record lacks %q", want)
		}
	}
	if doc := record.NewDocument(full); len(doc.Versions) != 2 || doc.Recommendation.Version != 2 || doc.Versions[1].AmendReason != reason {
		t.Errorf("export versions = %+v", doc.Versions)
	}
}

// TestSignOffForDeny: with SIGN_OFF_REQUIRED=deny, the analyst's Deny is recorded
// as waiting for a supervisor's sign-off and is not final: no final post, the asks
// stay open. The analyst and a non-supervisor pressing Sign off are told why not
// and nothing is recorded; the supervisor's press, from their direct message,
// makes it final with their name and time, and the record shows the signature.
func TestSignOffForDeny(t *testing.T) { bothTransports(t, testSignOffForDeny) }

func testSignOffForDeny(t *testing.T, transport string) {
	h := newHarness(t, transport, sandbox.WithSetting("SIGN_OFF_REQUIRED", "deny"))
	r := h.openReferralWith("Z123456", askOffices("army", "navy"), alsoInvite(outsider))
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.drain()

	h.command(analyst, r.ChannelID, "recommend")
	v := h.lastView(analyst, bot.CallbackRecommendation)
	if ack := h.submit(analyst, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeDeny)},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Diversion risk."},
		slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21"}); len(ack.Body) > 0 {
		t.Fatalf("deny refused: %s", ack.Body)
	}
	h.drain()
	notFinal := func(when string) {
		t.Helper()
		if ref := h.referral(r.ID); ref.State != bot.ReferralOpen {
			t.Errorf("%s: referral %s; want open until signed off", when, ref.State)
		}
		if _, err := h.App.DB.Recommendation(h.ctx, r.ID); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("%s: a final recommendation exists (%v)", when, err)
		}
		if a := h.ask(r, "navy"); a.State != bot.AskAwaiting {
			t.Errorf("%s: navy ask %s; want still awaiting", when, a.State)
		}
		if n := len(h.topLevelWith(r.ChannelID, "Final DoD recommendation")); n != 0 {
			t.Errorf("%s: %d final posts; want none", when, n)
		}
	}
	notFinal("after the analyst's Deny")
	request, ok := h.Fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool { return strings.HasPrefix(m.Text, "Sign-off needed on Z123456: Deny") })
	if !ok || !strings.Contains(blocksText(request.Blocks), "[Sign off]") {
		t.Fatalf("no sign-off request in the channel (%v): %s", ok, blocksText(request.Blocks))
	}
	if summary := blocksText(h.Fake.Messages(r.ChannelID)[0].Blocks); !strings.Contains(summary, "*Awaiting a supervisor's sign-off: Deny*") {
		t.Errorf("summary:\n%s", summary)
	}
	h.command(analyst, r.ChannelID, "recommend")
	if got := strings.Join(h.ephemeralsTo(r.ChannelID, analyst), "\n"); !strings.Contains(got, "awaiting a supervisor's sign-off") {
		t.Errorf("second recommend while pending: %q", got)
	}

	h.click(analyst, r.ChannelID, request.TS, bot.ActionSignOff)
	h.click(outsider, r.ChannelID, request.TS, bot.ActionSignOff)
	h.drain()
	if got := strings.Join(h.ephemeralsTo(r.ChannelID, analyst), "\n"); !strings.Contains(got, "must come from a supervisor other than the analyst") {
		t.Errorf("analyst's own sign-off: %q", got)
	}
	if got := strings.Join(h.ephemeralsTo(r.ChannelID, outsider), "\n"); !strings.Contains(got, "Only supervisors can sign off") {
		t.Errorf("outsider's sign-off: %q", got)
	}
	notFinal("after refused presses")

	dm := h.Fake.DMChannel(sandbox.Supervisor)
	msgs := h.Fake.Messages(dm)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Z123456") || strings.Contains(msgs[0].Text, "Diversion") {
		t.Fatalf("supervisor's direct messages = %+v; want one, with the case number and no details", msgs)
	}
	h.click(sandbox.Supervisor, dm, msgs[0].TS, bot.ActionSignOff)
	h.drain()

	if ref := h.referral(r.ID); ref.State != bot.ReferralRecommended {
		t.Errorf("after sign-off: referral %s; want recommended", ref.State)
	}
	rec, err := h.App.DB.Recommendation(h.ctx, r.ID)
	if err != nil || rec.SignOff != bot.SignOffSigned || rec.SignedBy != sandbox.Supervisor || !rec.SignedAt.Equal(h.Clock.Now()) {
		t.Fatalf("recommendation = %+v, %v; want signed by the supervisor", rec, err)
	}
	if a := h.ask(r, "navy"); a.State != bot.AskClosed {
		t.Errorf("navy ask %s after sign-off; want closed", a.State)
	}
	final := h.topLevelWith(r.ChannelID, "Final DoD recommendation")
	if len(final) != 1 || !strings.Contains(blocksText(final[0].Blocks), "Signed off by supervisor <@"+sandbox.Supervisor+">") {
		t.Errorf("final posts = %d; want one naming the supervisor", len(final))
	}
	if request, _ := h.Fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool { return m.TS == request.TS }); strings.Contains(blocksText(request.Blocks), "[Sign off]") ||
		!strings.Contains(request.Text, "Signed off on Z123456") {
		t.Errorf("request after sign-off still asks: %s", blocksText(request.Blocks))
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = 'record.uploaded'`, r.ID); n != 1 {
		t.Errorf("record uploads = %d; want 1, after the sign-off", n)
	}
	h.click(sandbox.Supervisor, dm, msgs[0].TS, bot.ActionSignOff)
	if got := strings.Join(h.ephemeralsTo(dm, sandbox.Supervisor), "\n"); !strings.Contains(got, "already signed off by <@"+sandbox.Supervisor+">") {
		t.Errorf("second press: %q", got)
	}
	for _, kind := range []string{"recommendation.awaiting_sign_off", "recommendation.signed_off"} {
		if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = ?`, r.ID, kind); n != 1 {
			t.Errorf("%s events = %d; want 1", kind, n)
		}
	}
	full, err := h.App.Service.Record(h.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if md := record.Markdown(full); !strings.Contains(md, "Signed off by supervisor "+sandbox.Supervisor+" on ") {
		t.Errorf("record lacks the signature:\n%s", md)
	}
}

// topLevelWith returns the channel's top-level messages whose text starts with prefix.
func (h *harness) topLevelWith(channel, prefix string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.topLevel(channel) {
		if strings.HasPrefix(m.Text, prefix) {
			out = append(out, m)
		}
	}
	return out
}

// errorsOf decodes a view submission's field errors, failing if it has none.
func errorsOf(t *testing.T, ack slackfake.Ack) map[string]string {
	t.Helper()
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := ack.Decode(&resp); err != nil || resp.Action != "errors" {
		t.Fatalf("ack = %s (%v); want response_action errors", ack.Body, err)
	}
	return resp.Errors
}
