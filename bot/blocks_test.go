package bot_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var answeredAt = time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)

func roster() *bot.Roster {
	offices := bot.DefaultOffices()
	offices[0].UserGroup = "SARMY"
	return &bot.Roster{Analysts: []string{"UANALYST"}, Offices: offices}
}

// sampleTally is a referral with a spread of positions, for golden files.
func sampleTally() *bot.Tally {
	r := &bot.Referral{ID: 7, Agency: bot.AgencyCommerce, CaseNumber: "Z123456", LicenseType: "BIS-748P",
		Applicant: "Acme Photonics <Inc>", Commodity: "Thermal imaging cameras", Classification: "6A003.b.4",
		Destination: "DE", EndUser: "Bundeswehr", ValueUSD: 1250000, ReceivedOn: day(2026, 11, 20),
		DoDDueDate: day(2026, 12, 20), OfficeDueDate: day(2026, 12, 11), AnalystID: "UANALYST", State: bot.ReferralOpen}
	pos := func(office string, o bot.Outcome, by string) *bot.Position {
		return &bot.Position{OfficeCode: office, Outcome: o, AnsweredBy: by, AnsweredAt: answeredAt, Version: 1}
	}
	army := pos("army", bot.OutcomeApproveWithProvisos, "UARMY1")
	army.Provisos = []bot.Proviso{{OfficeCode: "army", Text: "For stated end-use only"}, {OfficeCode: "army", Text: "No reexport without U.S. Government authorization", Code: "BIS-2"}}
	policy := pos("policy", bot.OutcomeDeny, "UPOL1")
	policy.Reasons = "Diversion risk to a sanctioned end user."
	policy.Basis = "15 CFR 742.4 (national security); 50 U.S.C. 4813"
	asks := []*bot.Ask{
		{ID: 1, ReferralID: 7, OfficeCode: "army", DueDate: r.OfficeDueDate, State: bot.AskAnswered, Current: army},
		{ID: 2, ReferralID: 7, OfficeCode: "navy", DueDate: r.OfficeDueDate, State: bot.AskAnswered, Current: pos("navy", bot.OutcomeApprove, "UNAVY1")},
		{ID: 3, ReferralID: 7, OfficeCode: "policy", DueDate: r.OfficeDueDate, State: bot.AskAnswered, Current: policy},
		{ID: 4, ReferralID: 7, OfficeCode: "technology", DueDate: r.OfficeDueDate, State: bot.AskAwaiting},
	}
	return &bot.Tally{Referral: r, Asks: asks}
}

// stateTally is sampleTally referred by State: its binding terms are provisos, and
// a denial carries no separate basis.
func stateTally() *bot.Tally {
	t := sampleTally()
	r := t.Referral
	r.Agency, r.CaseNumber, r.LicenseType, r.Classification = bot.AgencyState, "050123456", "DSP-5", "XII(c)"
	t.Asks[2].Current.Basis = ""
	return t
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func withRecommendation(t *bot.Tally) *bot.Tally {
	t.Referral.State = bot.ReferralRecommended
	t.Recommendation = &bot.Recommendation{ReferralID: 7, Outcome: bot.OutcomeApproveWithProvisos,
		Provisos: []bot.Proviso{{OfficeCode: "army", Text: "No reexport without prior written U.S. Government authorization"},
			{OfficeCode: bot.OfficeDTSA, Text: "Report shipments quarterly"}},
		// Army's first proviso (condition) is dropped and its second reworded: a partial override.
		Treatments: []bot.Treatment{
			{OfficeCode: "army", Number: 1, OfficeText: t.Asks[0].Current.Provisos[0].Text, Fate: bot.FateDropped, Reason: "The end-use check <EUC> covers it"},
			{OfficeCode: "army", Number: 2, OfficeText: t.Asks[0].Current.Provisos[1].Text, Fate: bot.FateModified,
				DTSAText: "No reexport without prior written U.S. Government authorization", Code: "BIS-2"},
		},
		Rationale: "Policy's diversion concern is met by the end-use proviso.", Dissent: []string{"policy"},
		RecordedBy: "UANALYST", RecordedAt: answeredAt.Add(time.Hour)}
	for _, a := range t.Asks {
		a.State = bot.AskClosed
	}
	return t
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s differs from %s; run go test ./bot -update and review the diff\ngot:\n%s", name, path, got)
	}
}

func TestRenderGolden(t *testing.T) {
	ro := roster()
	open := sampleTally()
	golden(t, "summary_open", bot.SummaryMessage(open, ro).Blocks)
	golden(t, "ask_awaiting", bot.AskMessage(open.Referral, open.Asks[3], ro).Blocks)
	golden(t, "ask_answered", bot.AskMessage(open.Referral, open.Asks[0], ro).Blocks)
	golden(t, "modal_new_referral", bot.NewReferralModal(ro, "2026-11-27", "2026-12-27", "2026-12-27", bot.StaffingForm{}))
	golden(t, "modal_position_deny", bot.PositionModal(open.Referral, open.Asks[2], bot.OutcomeDeny, ro, "C1", 1, nil))
	golden(t, "modal_recommendation", bot.RecommendationModal(open, ro))
	closed := withRecommendation(sampleTally())
	golden(t, "summary_recommended", bot.SummaryMessage(closed, ro).Blocks)
	golden(t, "ask_closed", bot.AskMessage(closed.Referral, closed.Asks[0], ro).Blocks)
	golden(t, "final", bot.FinalMessage(closed, ro).Blocks)
	golden(t, "override_notice", bot.OverrideNotice(closed.Referral, closed.Asks[0], closed.Recommendation, ro).Blocks)
	golden(t, "modal_position_rwa", bot.PositionModal(open.Referral, open.Asks[3], bot.OutcomeRWA, ro, "C1", 0, nil))
	golden(t, "modal_position_conditions", bot.PositionModal(open.Referral, open.Asks[0], bot.OutcomeApproveWithProvisos, ro, "C1", 1, nil))

	// State: provisos, and a denial with reasons only.
	state := stateTally()
	golden(t, "modal_position_provisos_state", bot.PositionModal(state.Referral, state.Asks[0], bot.OutcomeApproveWithProvisos, ro, "C1", 1, nil))
	golden(t, "modal_position_deny_state", bot.PositionModal(state.Referral, state.Asks[2], bot.OutcomeDeny, ro, "C1", 1, nil))
	golden(t, "modal_recommendation_state", bot.RecommendationModal(state, ro))
	golden(t, "final_state", bot.FinalMessage(withRecommendation(stateTally()), ro).Blocks)

	// Office queues: the ask as its office's queue shows it, withdrawn, and the
	// morning messages.
	qr := queueRoster()
	golden(t, "ask_queue_awaiting", bot.OfficeAskMessage(open.Referral, open.Asks[3], qr).Blocks)
	withdrawn := *open.Asks[1]
	withdrawn.State, withdrawn.WithdrawnReason = bot.AskWithdrawn, "No naval equities <none>"
	golden(t, "ask_withdrawn", bot.OfficeAskMessage(open.Referral, &withdrawn, qr).Blocks)
	army, _ := qr.Office("army")
	golden(t, "digest", bot.DigestText(army, []bot.DigestLine{
		{CaseNumber: "Z123456", Link: "https://t.slack.com/archives/CQARMY/p1764255600000100", DueWords: "due today"},
		{CaseNumber: "Z654321", Link: "https://t.slack.com/archives/CQARMY/p1764255600000200", DueWords: "1 business day overdue"},
	}, 3))
	golden(t, "escalation", bot.EscalationText([]bot.EscalationLine{
		{CaseNumber: "Z123456", ChannelID: "CREF1", Offices: []string{"Army", "Navy"}},
	}, 0))
}

// queueRoster is roster() with Army and Technology working from queue channels and
// Navy named by users only (no user group).
func queueRoster() *bot.Roster {
	ro := roster()
	for i := range ro.Offices {
		switch ro.Offices[i].Code {
		case "army":
			ro.Offices[i].QueueChannel = "CQARMY"
		case "technology":
			ro.Offices[i].QueueChannel, ro.Offices[i].UserGroup = "CQTECH", "STECH"
		case "navy":
			ro.Offices[i].Users = []string{"UNAVY1", "UNAVY2"}
		}
	}
	return ro
}

func TestMorningMessagesStayShort(t *testing.T) {
	var lines []bot.DigestLine
	var esc []bot.EscalationLine
	for i := range 200 {
		lines = append(lines, bot.DigestLine{CaseNumber: fmt.Sprintf("Z%06d", i),
			Link: fmt.Sprintf("https://dtsa.slack.com/archives/C0123QUEUE/p17642556%08d", i), DueWords: "12 business days overdue"})
		esc = append(esc, bot.EscalationLine{CaseNumber: fmt.Sprintf("Z%06d", i), ChannelID: "C0123REFERRAL",
			Offices: []string{"Army", "Navy", "Air Force", "Joint Staff", "A&S / R&E", "Policy", "DTSA Technology", "DTSA Foreign Affairs", "DTSA Information Security"}})
	}
	army, _ := queueRoster().Office("army")
	for name, text := range map[string]string{"digest": bot.DigestText(army, lines, 0), "escalation": bot.EscalationText(esc, 0)} {
		if len(text) > 4000 {
			t.Errorf("%s of 200 lines is %d characters; want under Slack's recommended 4,000", name, len(text))
		}
		if !strings.Contains(text, "more") || !strings.Contains(text, "200") {
			t.Errorf("%s does not count what it leaves out: %q", name, text[len(text)-120:])
		}
	}
}

func TestOfficeAskMessage(t *testing.T) {
	qr := queueRoster()
	open := sampleTally()
	text := func(m bot.Message) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m.Blocks); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	queued := bot.OfficeAskMessage(open.Referral, open.Asks[3], qr) // technology: queue, user group
	if got := text(queued); !strings.Contains(got, bot.ActionJoinDiscussion) || !strings.Contains(got, "Thermal imaging cameras") || strings.Contains(got, "subteam") {
		t.Errorf("ask in a queue = %s; want the facts and a Join button, and no mention of the office", got)
	}
	inChannel := bot.OfficeAskMessage(open.Referral, open.Asks[1], qr) // navy: no queue, no user group
	if got := text(inChannel); !strings.Contains(got, "<@UNAVY1> <@UNAVY2>") || strings.Contains(got, bot.ActionJoinDiscussion) {
		t.Errorf("ask in the referral channel of an office with no user group = %s; want its users mentioned and no Join", got)
	}
	withdrawn := *open.Asks[3]
	withdrawn.State, withdrawn.WithdrawnReason = bot.AskWithdrawn, "not a technology case"
	if got := text(bot.OfficeAskMessage(open.Referral, &withdrawn, qr)); strings.Contains(got, `"actions"`) || !strings.Contains(got, "not a technology case") {
		t.Errorf("withdrawn ask = %s; want the reason and no buttons", got)
	}
}

// largestTally is the largest realistic referral: every office, each at its
// maximum of the longest provisos, questions and reasons, a 10,000-character
// commodity description cut by validation to its limit.
func largestTally(ro *bot.Roster) *bot.Tally {
	long := func(n int, c string) string { return strings.Repeat(c, n) }
	r := &bot.Referral{ID: 1, Agency: bot.AgencyState, CaseNumber: long(20, "9"), LicenseType: "DSP-73",
		Applicant: long(bot.MaxShortText, "A&"), Commodity: long(500, "<c>"), Classification: "XVIII(a)(1)(b)(c)",
		Destination: "GB", EndUser: long(500, "e"), ValueUSD: bot.MaxValueUSD, ReceivedOn: day(2026, 11, 2),
		DoDDueDate: day(2026, 12, 2), OfficeDueDate: day(2026, 11, 24), AnalystID: "UANALYST"}
	t := &bot.Tally{Referral: r}
	outcomes := bot.Outcomes
	for i, o := range ro.Offices {
		p := &bot.Position{OfficeCode: o.Code, Outcome: outcomes[i%4], AnsweredBy: "UREVIEWER", AnsweredAt: answeredAt,
			Comment: long(bot.MaxLongText, "m"), Questions: long(bot.MaxLongText, "q"), Reasons: long(bot.MaxLongText, "r")}
		for j := range bot.MaxProvisos {
			p.Provisos = append(p.Provisos, bot.Proviso{OfficeCode: o.Code, Text: fmt.Sprintf("%d%s", j, long(bot.MaxProvisoLen-1, "<"))})
		}
		t.Asks = append(t.Asks, &bot.Ask{ID: int64(i + 1), OfficeCode: o.Code, DueDate: r.OfficeDueDate, State: bot.AskAnswered, Current: p})
	}
	return t
}

func TestLargestReferralFitsBlockKitLimits(t *testing.T) {
	ro := roster()
	open := largestTally(ro)
	messages := map[string]bot.Message{"summary": bot.SummaryMessage(open, ro)}
	for _, a := range open.Asks {
		messages["ask "+a.OfficeCode] = bot.AskMessage(open.Referral, a, ro)
	}
	// Every office's ten longest provisos do not fit one form: it is refused, saying so.
	if err := bot.RecommendationFits(open, ro); bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(err.Error(), "90 provisos") {
		t.Errorf("RecommendationFits(largest) = %v; want a refusal naming the 90 provisos", err)
	}
	fitting, kept := largestTally(ro), 0
	for i := len(fitting.Asks) - 1; bot.RecommendationFits(fitting, ro) != nil; {
		p := fitting.Asks[i].Current
		if len(p.Provisos) == 0 {
			i--
			continue
		}
		p.Provisos = p.Provisos[:len(p.Provisos)-1]
	}
	for _, a := range fitting.Asks {
		kept += len(a.Current.Provisos)
	}
	if kept < 25 {
		t.Errorf("the largest form fits %d provisos; want at least 25", kept)
	}
	views := map[string]slack.ModalViewRequest{
		"new referral": bot.NewReferralModal(ro, "2026-11-27", "2026-12-27", "2026-12-27", bot.StaffingForm{}),
		"new referral, staffed": bot.NewReferralModal(ro, "2026-11-27", "2026-12-27", "2026-12-27", bot.StaffingForm{Rules: true, Applied: true,
			Suggested: []bot.OfficeSuggestion{{Office: "navy", Rules: []string{strings.Repeat("r", 40), strings.Repeat("s", 40)}}}}),
		"recommendation": bot.RecommendationModal(fitting, ro),
	}
	for _, o := range bot.Outcomes {
		views["position "+string(o)] = bot.PositionModal(open.Referral, open.Asks[0], o, ro, "C1", 1, nil)
	}
	closed := largestTally(ro)
	closed.Referral.State = bot.ReferralRecommended
	var all []bot.Proviso
	var dissent []string
	for _, a := range closed.Asks {
		all = append(all, a.Current.Provisos...)
		dissent = append(dissent, a.OfficeCode)
	}
	closed.Recommendation = &bot.Recommendation{Outcome: bot.OutcomeApproveWithProvisos, Provisos: all,
		Rationale: strings.Repeat("w", bot.MaxLongText), Dissent: dissent, RecordedBy: "UANALYST", RecordedAt: answeredAt}
	messages["final"] = bot.FinalMessage(closed, ro)
	qr := queueRoster()
	for _, a := range open.Asks {
		messages["queue ask "+a.OfficeCode] = bot.OfficeAskMessage(open.Referral, a, qr)
	}
	messages["summary recommended"] = bot.SummaryMessage(closed, ro)

	for name, m := range messages {
		raw, _ := json.Marshal(m.Blocks)
		if problems := slackfake.ValidateMessageBlocks(raw); len(problems) > 0 {
			t.Errorf("%s breaks Block Kit limits: %v", name, problems)
		}
	}
	for name, v := range views {
		raw, _ := json.Marshal(v)
		if problems := slackfake.ValidateView(raw); len(problems) > 0 {
			t.Errorf("%s modal breaks Block Kit limits: %v", name, problems)
		}
		if len(raw) > 250_000 {
			t.Errorf("%s modal is %d bytes; Slack refuses views over 250 KB", name, len(raw))
		}
	}
}
