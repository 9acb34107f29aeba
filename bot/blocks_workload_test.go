package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/internal/slackfake"
)

func TestWorkloadOf(t *testing.T) {
	loads := []bot.AnalystLoad{
		{Analyst: "UA", Open: 5, Overdue: 1},
		{Analyst: "UFORMER", Open: 2, Overdue: 2}, // off the roster, still owning referrals
		{Analyst: "UB", Open: 10, Overdue: 1},
	}
	got := bot.WorkloadOf([]string{"UA", "UB", "UC"}, loads)
	var order []string
	for _, l := range got {
		order = append(order, fmt.Sprintf("%s:%d/%d", l.Analyst, l.Open, l.Overdue))
	}
	// Most overdue first, then most open; an idle analyst last, with nothing open.
	if want := "UFORMER:2/2 UB:10/1 UA:5/1 UC:0/0"; strings.Join(order, " ") != want {
		t.Errorf("WorkloadOf = %s; want %s", strings.Join(order, " "), want)
	}
}

// sampleWorkload is three analysts (one with overdue referrals, one idle) and two
// recommendations awaiting sign-off, one an amendment of a State referral.
func sampleWorkload() *bot.Workload {
	rules := deadline.NewRules(deadline.NewCalendar(ny), deadline.Defaults{})
	deny := &bot.Referral{ID: 5, Agency: bot.AgencyCommerce, LicenseType: "BIS-748P", CaseNumber: "Z100005",
		Applicant: "Acme Photonics", DoDDueDate: day(2026, 12, 16), AnalystID: "UANALYST2", State: bot.ReferralOpen, ChannelID: "C5"}
	amended := &bot.Referral{ID: 6, Agency: bot.AgencyState, LicenseType: "DSP-5", CaseNumber: "050-123456",
		DoDDueDate: day(2026, 12, 11), AnalystID: "UANALYST", State: bot.ReferralRecommended, ChannelID: "C6"}
	return &bot.Workload{
		Analysts: []bot.AnalystLoad{
			{Analyst: "UANALYST", Open: 312, Overdue: 17, NextDoDDue: day(2026, 12, 9)},
			{Analyst: "UANALYST2", Open: 240, NextDoDDue: day(2026, 12, 16)},
			{Analyst: "UANALYST3"},
		},
		SignOffs: []*bot.PendingSignOff{
			{Referral: amended, Recommendation: &bot.Recommendation{ID: 9, ReferralID: 6, Outcome: bot.OutcomeApproveWithProvisos, RecordedBy: "UANALYST", Version: 2},
				DoD: bot.ReckonDoD(rules, amended.Agency, amended.DoDDueDate, homeToday)},
			{Referral: deny, Recommendation: &bot.Recommendation{ID: 8, ReferralID: 5, Outcome: bot.OutcomeDeny, RecordedBy: "UANALYST2", Version: 1},
				DoD: bot.ReckonDoD(rules, deny.Agency, deny.DoDDueDate, homeToday)},
		},
		MoreSignOffs: 3,
	}
}

func TestWorkloadGolden(t *testing.T) {
	ro := roster()
	w := worklist(t, sampleWorklist(), bot.ListMine, "USUPERVISOR", false, nil, bot.SupervisorHomeLimit)
	w.Workload = sampleWorkload()
	golden(t, "home_supervisor", bot.HomeView(w, ro))
	unread := worklist(t, sampleWorklist(), bot.ListMine, "USUPERVISOR", false, nil, bot.SupervisorHomeLimit)
	unread.SupervisorsUnreadable = true
	golden(t, "home_supervisors_unreadable", bot.HomeView(unread, ro))
	refs := sampleWorklist().refs[:3]
	golden(t, "modal_reassign", bot.ReassignModal("UANALYST", refs, 3))
	golden(t, "modal_reassign_paged", bot.ReassignModal("UANALYST", refs, 312))
}

// TestSupervisorHomeFitsBlockKitLimits fills a supervisor's Home tab (who is also an
// analyst and a reviewer) beyond every section's limit, and the reassign modal to
// the most options a static select holds, with the longest case numbers.
func TestSupervisorHomeFitsBlockKitLimits(t *testing.T) {
	ro, c := fullestWorklist()
	w := worklist(t, c, bot.ListMine, "UANALYST", true, []string{"army"}, bot.SupervisorHomeLimit)
	w.Unreadable = []string{strings.Repeat("N", 40)}
	load := &bot.Workload{MoreAnalysts: 30, MoreSignOffs: 200}
	for i := range bot.WorkloadAnalystLimit {
		load.Analysts = append(load.Analysts, bot.AnalystLoad{Analyst: fmt.Sprintf("U%020d", i), Open: 99999, Overdue: 9999, NextDoDDue: day(2026, 12, 1)})
	}
	for _, r := range c.refs[:bot.WorkloadSignOffLimit] {
		load.SignOffs = append(load.SignOffs, &bot.PendingSignOff{Referral: r,
			Recommendation: &bot.Recommendation{Outcome: bot.OutcomeApproveWithProvisos, RecordedBy: "U01234567890123456789", Version: 99}})
	}
	w.Workload = load
	if w.MoreReferrals == 0 || w.MoreAsks == 0 {
		t.Fatalf("want both worklist sections paged; more = %d, %d", w.MoreReferrals, w.MoreAsks)
	}
	checkHomeLimits(t, bot.HomeView(w, ro))

	raw, _ := json.Marshal(bot.ReassignModal("UANALYST", c.refs[:bot.ReassignChoiceLimit], len(c.refs)))
	if problems := slackfake.ValidateView(raw); len(problems) > 0 {
		t.Errorf("the fullest reassign modal breaks Block Kit limits: %v", problems)
	}
}
