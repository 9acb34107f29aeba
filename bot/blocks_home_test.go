package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/internal/slackfake"
	"github.com/slack-go/slack"
)

// worklistReader is a store holding only what the worklist reads: open referrals
// with their asks' standings, and the asks awaiting offices.
type worklistReader struct {
	refs      []*bot.Referral
	standings map[int64][]bot.Standing
	pending   []*bot.PendingAsk
}

func page[T any](all []T, limit int) ([]T, int, error) {
	return all[:min(limit, len(all))], len(all), nil
}

func (c *worklistReader) AnalystReferrals(_ context.Context, analyst string, limit int) ([]*bot.Referral, int, error) {
	var mine []*bot.Referral
	for _, r := range c.refs {
		if r.AnalystID == analyst {
			mine = append(mine, r)
		}
	}
	return page(mine, limit)
}

func (c *worklistReader) OpenReferralList(_ context.Context, limit int) ([]*bot.Referral, int, error) {
	return page(c.refs, limit)
}

func (c *worklistReader) OverdueReferrals(_ context.Context, today time.Time, limit int) ([]*bot.Referral, int, error) {
	var late []*bot.Referral
	for _, r := range c.refs {
		if r.HeldSince.IsZero() && slices.ContainsFunc(c.standings[r.ID], func(s bot.Standing) bool {
			return s.State == bot.AskAwaiting && s.DueDate.Before(today)
		}) {
			late = append(late, r)
		}
	}
	return page(late, limit)
}

func (c *worklistReader) OfficeQueue(_ context.Context, offices []string, overdueOn time.Time, limit int) ([]*bot.PendingAsk, int, error) {
	var out []*bot.PendingAsk
	for _, p := range c.pending {
		if slices.Contains(offices, p.Ask.OfficeCode) && (overdueOn.IsZero() || p.Ask.DueDate.Before(overdueOn)) {
			out = append(out, p)
		}
	}
	return page(out, limit)
}

func (c *worklistReader) Standings(_ context.Context, ids []int64) (map[int64][]bot.Standing, error) {
	return c.standings, nil
}

var homeToday = day(2026, 12, 14)

// sampleWorklist is an analyst's three open referrals (one split, one overdue, one
// on hold) and two asks waiting on the Army, which the analyst also answers for.
func sampleWorklist() *worklistReader {
	ref := func(id int64, caseNumber, channel string, due time.Time) *bot.Referral {
		return &bot.Referral{ID: id, Agency: bot.AgencyCommerce, CaseNumber: caseNumber, LicenseType: "BIS-748P",
			Applicant: "Acme Photonics <Inc>", DoDDueDate: due, OfficeDueDate: due.AddDate(0, 0, -7),
			AnalystID: "UANALYST", State: bot.ReferralOpen, ChannelID: channel}
	}
	split := ref(1, "Z100001", "C1", day(2026, 12, 18))
	late := ref(2, "Z100002", "C2", day(2026, 12, 21))
	held := ref(3, "Z100003", "C3", day(2027, 1, 8))
	held.HeldSince = time.Date(2026, 12, 10, 15, 0, 0, 0, time.UTC)
	other := ref(4, "Z100004", "", day(2026, 12, 30))
	other.AnalystID = "UANALYST2"
	st := func(ref *bot.Referral, office string, o bot.Outcome, due time.Time) bot.Standing {
		s := bot.Standing{ReferralID: ref.ID, OfficeCode: office, State: bot.AskAwaiting, DueDate: due, Outcome: o}
		if o != "" {
			s.State = bot.AskAnswered
		}
		return s
	}
	return &worklistReader{
		refs: []*bot.Referral{split, late, held, other},
		standings: map[int64][]bot.Standing{
			1: {st(split, "army", bot.OutcomeApprove, day(2026, 12, 11)), st(split, "navy", bot.OutcomeApproveWithProvisos, day(2026, 12, 11)),
				st(split, "policy", bot.OutcomeDeny, day(2026, 12, 11)), st(split, "technology", "", day(2026, 12, 16))},
			2: {st(late, "army", "", day(2026, 12, 11)), st(late, "navy", "", day(2026, 12, 14)), st(late, "policy", bot.OutcomeRWA, day(2026, 12, 11))},
			3: {st(held, "army", "", day(2026, 12, 1)), st(held, "navy", bot.OutcomeApprove, day(2026, 12, 1))},
			4: {st(other, "army", "", day(2026, 12, 23))},
		},
		pending: []*bot.PendingAsk{
			{Referral: held, Ask: &bot.Ask{ID: 31, ReferralID: 3, OfficeCode: "army", DueDate: day(2026, 12, 1), State: bot.AskAwaiting}},
			{Referral: late, Ask: &bot.Ask{ID: 21, ReferralID: 2, OfficeCode: "army", DueDate: day(2026, 12, 11), State: bot.AskAwaiting}},
			{Referral: other, Ask: &bot.Ask{ID: 41, ReferralID: 4, OfficeCode: "army", DueDate: day(2026, 12, 23), State: bot.AskAwaiting}},
		},
	}
}

func worklist(t *testing.T, r bot.WorklistReader, kind bot.ListKind, user string, analyst bool, offices []string, limit int) *bot.Worklist {
	t.Helper()
	w, err := bot.LoadWorklist(context.Background(), r, kind, user, analyst, offices, homeToday, limit)
	if err != nil {
		t.Fatal(err)
	}
	w.At = time.Date(2026, 12, 14, 15, 4, 5, 0, time.UTC)
	w.ReckonDoD(deadline.NewRules(deadline.NewCalendar(ny), deadline.Defaults{}))
	return w
}

func TestHomeGolden(t *testing.T) {
	ro := roster()
	both := worklist(t, sampleWorklist(), bot.ListMine, "UANALYST", true, []string{"army"}, bot.HomeLimit)
	golden(t, "home_analyst_and_reviewer", bot.HomeView(both, ro))
	reviewer := worklist(t, sampleWorklist(), bot.ListMine, "UARMY1", false, []string{"army", "navy"}, 2)
	reviewer.Unreadable = []string{"Navy"}
	golden(t, "home_reviewer_paged", bot.HomeView(reviewer, ro))
	golden(t, "home_nobody", bot.HomeView(worklist(t, sampleWorklist(), bot.ListMine, "UOUTSIDER", false, nil, bot.HomeLimit), ro))
	_, blocks := bot.ListMessage(worklist(t, sampleWorklist(), bot.ListOverdue, "UANALYST2", true, nil, bot.ListLimit), ro)
	golden(t, "list_overdue", blocks)
	ask := sampleWorklist().pending[1]
	golden(t, "modal_answer_choice", bot.AnswerChoiceModal(ask.Referral, ask.Ask, ro, 0))
}

func TestHomeCounts(t *testing.T) {
	w := worklist(t, sampleWorklist(), bot.ListMine, "UANALYST", true, nil, bot.HomeLimit)
	type counts struct {
		answered, awaiting, overdue int
		split                       bool
	}
	want := map[string]counts{
		"Z100001": {3, 1, 0, true},  // approve and approve with provisos agree; deny does not
		"Z100002": {1, 2, 1, false}, // army's due date passed, navy's is today
		"Z100003": {1, 1, 0, false}, // on hold: nothing is overdue
	}
	if len(w.Referrals) != len(want) || w.ShowAsks {
		t.Fatalf("worklist = %d referrals, asks shown %v; want %d and no asks", len(w.Referrals), w.ShowAsks, len(want))
	}
	for _, l := range w.Referrals {
		got := counts{l.Answered, l.Awaiting, l.Overdue, l.Split()}
		if got != want[l.Referral.CaseNumber] {
			t.Errorf("%s: got %+v; want %+v", l.Referral.CaseNumber, got, want[l.Referral.CaseNumber])
		}
	}
	if got := w.Referrals[0].Stances; !slices.Equal(got, []string{"approve", "deny"}) {
		t.Errorf("stances of the split = %v; want [approve deny]", got)
	}
}

// TestHomeFitsBlockKitLimits fills both sections beyond their limit with the
// longest case numbers and office names, and checks the Home tab and the list
// message against Slack's limits (100 blocks for a Home tab, 50 for a message).
func TestHomeFitsBlockKitLimits(t *testing.T) {
	ro, c := fullestWorklist()
	w := worklist(t, c, bot.ListMine, "UANALYST", true, []string{"army"}, bot.HomeLimit)
	w.Offices = []string{"army", "navy", "air_force", "joint_staff", "as_re", "policy", "technology", "foreign_affairs", "infosec"}
	w.Unreadable = []string{strings.Repeat("N", 40), strings.Repeat("M", 40)}
	if w.MoreReferrals == 0 || w.MoreAsks == 0 {
		t.Fatalf("want both sections paged; more = %d, %d", w.MoreReferrals, w.MoreAsks)
	}
	checkHomeLimits(t, bot.HomeView(w, ro))
	choice, _ := json.Marshal(bot.AnswerChoiceModal(c.refs[0], c.pending[0].Ask, ro, 0))
	if problems := slackfake.ValidateView(choice); len(problems) > 0 {
		t.Errorf("the answer modal breaks Block Kit limits: %v", problems)
	}

	for _, kind := range []bot.ListKind{bot.ListMine, bot.ListAll, bot.ListOverdue} {
		analyst := kind != bot.ListOverdue // an analyst's overdue list has no asks section; a reviewer's has
		w := worklist(t, c, kind, "UANALYST", analyst, []string{"army"}, bot.ListLimit)
		text, blocks := bot.ListMessage(w, ro)
		raw, _ := json.Marshal(blocks)
		if problems := slackfake.ValidateMessageBlocks(raw); len(problems) > 0 {
			t.Errorf("list %s breaks Block Kit limits: %v", kind, problems)
		}
		if text == "" {
			t.Errorf("list %s has no fallback text", kind)
		}
	}
}

// checkHomeLimits checks a Home tab against Slack's limits: 100 blocks, 250 KB,
// and every element's own.
func checkHomeLimits(t *testing.T, v slack.HomeTabViewRequest) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if problems := slackfake.ValidateView(raw); len(problems) > 0 {
		t.Errorf("the fullest Home tab breaks Block Kit limits: %v", problems)
	}
	if n := len(v.Blocks.BlockSet); n > 100 {
		t.Errorf("Home tab has %d blocks; Slack allows 100", n)
	}
	if len(raw) > 250_000 {
		t.Errorf("Home tab is %d bytes; Slack refuses views over 250 KB", len(raw))
	}
}

// fullestWorklist is a roster with the longest office names and three Home tabs'
// worth of referrals with the longest case numbers, each with an ask awaiting the Army.
func fullestWorklist() (*bot.Roster, *worklistReader) {
	ro := roster()
	for i := range ro.Offices {
		ro.Offices[i].Name = strings.Repeat("N", 40)
	}
	c := &worklistReader{standings: map[int64][]bot.Standing{}}
	for i := range 3 * bot.HomeLimit {
		r := &bot.Referral{ID: int64(i + 1), Agency: bot.AgencyState, LicenseType: "DSP-73", CaseNumber: fmt.Sprintf("%020d", i),
			DoDDueDate: day(2026, 12, 1), AnalystID: "UANALYST", State: bot.ReferralOpen, ChannelID: "C0123456789ABCDEF"}
		c.refs = append(c.refs, r)
		for j, o := range ro.Offices {
			c.standings[r.ID] = append(c.standings[r.ID], bot.Standing{ReferralID: r.ID, OfficeCode: o.Code,
				State: bot.AskAnswered, Outcome: bot.Outcomes[j%4], DueDate: day(2026, 11, 1)})
		}
		c.pending = append(c.pending, &bot.PendingAsk{Referral: r, Ask: &bot.Ask{ID: r.ID, OfficeCode: "army", DueDate: day(2026, 11, 1), State: bot.AskAwaiting}})
	}
	return ro, c
}
