package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
)

// dodWorklist is an analyst's open referrals on Monday 2026-12-14, in the order
// the store reads them (DoD due date): a State one due Friday 12-11 and a
// Commerce one due Saturday 12-12, both passed; one due today; and a State one
// due Friday 12-18 beside a Commerce one due Sunday 12-20, whose last business
// day is the same Friday.
func dodWorklist() *worklistReader {
	ref := func(id int64, agency bot.Agency, caseNumber string, due time.Time) *bot.Referral {
		r := &bot.Referral{ID: id, Agency: agency, CaseNumber: caseNumber, LicenseType: "BIS-748P", DoDDueDate: due,
			OfficeDueDate: due.AddDate(0, 0, -7), AnalystID: "UANALYST", State: bot.ReferralOpen, ChannelID: "C" + caseNumber}
		if agency == bot.AgencyState {
			r.LicenseType = "DSP-5"
		}
		return r
	}
	c := &worklistReader{standings: map[int64][]bot.Standing{}, refs: []*bot.Referral{
		ref(1, bot.AgencyState, "050200001", day(2026, 12, 11)),
		ref(2, bot.AgencyCommerce, "Z200002", day(2026, 12, 12)),
		ref(3, bot.AgencyCommerce, "Z200003", day(2026, 12, 14)),
		ref(4, bot.AgencyState, "050200004", day(2026, 12, 18)),
		ref(5, bot.AgencyCommerce, "Z200005", day(2026, 12, 20)),
	}}
	for _, r := range c.refs {
		c.standings[r.ID] = []bot.Standing{
			{ReferralID: r.ID, OfficeCode: "army", State: bot.AskAnswered, Outcome: bot.OutcomeApprove, DueDate: day(2026, 12, 9)},
			{ReferralID: r.ID, OfficeCode: "navy", State: bot.AskAwaiting, DueDate: r.OfficeDueDate},
		}
	}
	return c
}

// The Home tab and /referral list put the least time left first and tell the
// two clocks apart: the DoD due date with the business days left to it (or what
// its passing means for the agency), and the offices' suspense.
func TestWorklistLeastTimeLeftFirst(t *testing.T) {
	w := worklist(t, dodWorklist(), bot.ListMine, "UANALYST", true, nil, bot.HomeLimit)
	var got []string
	for _, l := range w.Referrals {
		got = append(got, l.Referral.CaseNumber)
	}
	// Z200002 (due Sat) and 050200001 (due Fri) share Friday 12-11; Commerce first.
	// Z200005 (due Sun) and 050200004 (due Fri) share Friday 12-18; Commerce first.
	if want := "Z200002 050200001 Z200003 Z200005 050200004"; strings.Join(got, " ") != want {
		t.Errorf("order = %s; want %s", strings.Join(got, " "), want)
	}
	for _, tt := range []struct{ caseNumber, want string }{
		{"Z200002", "DoD due *2026-12-12* (Commerce, passed: :scales: *deemed no objection* under EO 12981) · offices due 2026-12-05"},
		{"050200001", "DoD due *2026-12-11* (State, :warning: *overdue*, no deemed concurrence) · offices due 2026-12-04"},
		{"Z200003", "DoD due *2026-12-14* (Commerce, due *today*) · offices due 2026-12-07"},
		{"Z200005", "DoD due *2026-12-20* (Commerce, 4 business days left) · offices due 2026-12-13"},
		{"050200004", "DoD due *2026-12-18* (State, 4 business days left) · offices due 2026-12-11"},
	} {
		_, blocks := bot.ListMessage(w, roster())
		if text := sectionTexts(blocks); !strings.Contains(text, tt.caseNumber+"* · "+tt.want) {
			t.Errorf("list line of %s lacks %q:\n%s", tt.caseNumber, tt.want, text)
		}
	}
	golden(t, "home_dod_clocks", bot.HomeView(w, roster()))
}

// What the analyst's morning message says of each DoD due date, and that it stays
// short with the overdue offices below.
func TestAnalystMorningText(t *testing.T) {
	rules := deadline.NewRules(deadline.NewCalendar(ny), deadline.Defaults{})
	today := day(2026, 12, 18) // Friday
	line := func(caseNumber string, agency bot.Agency, due time.Time) bot.DoDAlertLine {
		return bot.DoDAlertLine{CaseNumber: caseNumber, ChannelID: "C" + caseNumber, Clock: bot.ReckonDoD(rules, agency, due, today)}
	}
	text := bot.AnalystMorningText([]bot.DoDAlertLine{
		line("Z200001", bot.AgencyCommerce, day(2026, 12, 17)),
		line("050200002", bot.AgencyState, day(2026, 12, 17)),
		line("Z200003", bot.AgencyCommerce, day(2026, 12, 18)),
		line("Z200004", bot.AgencyCommerce, day(2026, 12, 20)),
		line("050200005", bot.AgencyState, day(2026, 12, 21)),
		line("Z200006", bot.AgencyCommerce, day(2026, 12, 27)),
	}, []bot.EscalationLine{{CaseNumber: "Z200003", ChannelID: "CZ200003", Offices: []string{"Army", "Navy"}}})
	golden(t, "analyst_morning", text)
	for _, want := range []string{
		"• Z200001 <#CZ200001> — DoD due Thu 2026-12-17 passed with no final recommendation: under EO 12981 DoD is *deemed to have no objection* (Commerce).",
		"• 050200002 <#C050200002> — DoD due Thu 2026-12-17 passed with no final recommendation: *overdue* (State). No deemed concurrence",
		"• Z200003 <#CZ200003> — DoD due *today*, Fri 2026-12-18 (Commerce)",
		"• Z200004 <#CZ200004> — DoD due Sun 2026-12-20 (Commerce): *today is the last business day* before it",
		"• 050200005 <#C050200005> — DoD due Mon 2026-12-21 (State): 1 business day left",
		// Christmas (Fri 12-25) is no business day: Sun 12-27 is met by Thu 12-24.
		"• Z200006 <#CZ200006> — DoD due Sun 2026-12-27 (Commerce): 4 business days left, the last on Thu 2026-12-24",
		"\n\n:rotating_light: Overdue this morning on 1 of your referrals:\n• Z200003 <#CZ200003> — Army, Navy",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("morning message lacks %q:\n%s", want, text)
		}
	}

	var many []bot.DoDAlertLine
	var esc []bot.EscalationLine
	for range 200 {
		many = append(many, line("Z999999", bot.AgencyCommerce, day(2026, 12, 17)))
		esc = append(esc, bot.EscalationLine{CaseNumber: "Z999999", ChannelID: "C0123REFERRAL", Offices: []string{"Army", "Navy", "Air Force"}})
	}
	long := bot.AnalystMorningText(many, esc)
	if len(long) > 4000 || !strings.Contains(long, "on 200 of your referrals") || strings.Count(long, "more") != 2 {
		t.Errorf("a morning of 200 DoD lines and 200 overdue referrals is %d characters (want under 4,000), counting what it leaves out twice:\n%s",
			len(long), long[len(long)-300:])
	}
}

// sectionTexts joins the texts of the section blocks.
func sectionTexts(blocks []slack.Block) string {
	var parts []string
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			parts = append(parts, s.Text.Text)
		}
	}
	return strings.Join(parts, "\n")
}
