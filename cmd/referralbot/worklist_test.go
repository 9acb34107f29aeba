package main

import (
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// openHomeTab has user open the bot's Home tab, as Slack tells the bot, and runs
// what the bot does after acknowledging; it returns the event id.
func (h *harness) openHomeTab(user string) string {
	h.t.Helper()
	id, ack, err := h.Fake.SendEvent(h.tr, "app_home_opened", map[string]any{"user": user, "tab": "home", "channel": "D" + user})
	if err != nil || ack.Status != 200 {
		h.t.Fatalf("app_home_opened for %s: %v (status %d)", user, err, ack.Status)
	}
	h.drain()
	return id
}

// homeText is the text of user's Home tab, failing when none was published.
func (h *harness) homeText(user string) string {
	h.t.Helper()
	v, ok := h.Fake.HomeView(user)
	if !ok {
		h.t.Fatalf("no Home tab published for %s", user)
	}
	return blocksText(v.Blocks)
}

// publishes counts the Home tabs published for user.
func (h *harness) publishes(user string) int {
	n := 0
	for _, c := range h.Fake.CallsTo("views.publish") {
		if c.Param("user_id") == user && c.Error == "" {
			n++
		}
	}
	return n
}

func TestHomeTab(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456")
	army, navy := reviewer("army", 1), reviewer("navy", 1)

	// Nobody has opened the Home tab: opening the referral published none.
	if n := len(h.Fake.CallsTo("views.publish")); n != 0 {
		t.Fatalf("%d Home tabs published before anyone opened one", n)
	}

	id := h.openHomeTab(analyst)
	home := h.homeText(analyst)
	for _, want := range []string{"Your open referrals", "<#" + r.ChannelID + ">", "Z123456", "DoD due *2026-12-20*", "0 answered", "9 awaiting"} {
		if !strings.Contains(home, want) {
			t.Errorf("analyst's Home tab lacks %q:\n%s", want, home)
		}
	}
	if strings.Contains(home, "Waiting on your offices") || strings.Contains(home, "Acme Photonics") {
		t.Errorf("analyst's Home tab shows an office section or the applicant:\n%s", home)
	}

	// Slack retries the event: the Home tab is published once.
	if _, err := h.Fake.Redeliver(h.tr, id); err != nil {
		t.Fatal(err)
	}
	h.drain()
	if n := h.publishes(analyst); n != 1 {
		t.Errorf("Home tab published %d times for one app_home_opened delivered twice; want 1", n)
	}
	// The Messages tab is not the Home tab.
	if _, _, err := h.Fake.SendEvent(h.tr, "app_home_opened", map[string]any{"user": outsider, "tab": "messages"}); err != nil {
		t.Fatal(err)
	}
	h.drain()
	if _, ok := h.Fake.HomeView(outsider); ok {
		t.Error("opening the Messages tab published a Home tab")
	}

	h.openHomeTab(army)
	if home := h.homeText(army); !strings.Contains(home, "Waiting on your offices") || !strings.Contains(home, "*Army* · <#"+r.ChannelID+">") ||
		strings.Contains(home, "Your open referrals") {
		t.Errorf("army reviewer's Home tab:\n%s", home)
	}

	// Army answers: the analyst's and the army reviewer's tabs follow; Navy's
	// reviewer never opened the tab and gets none.
	h.click(army, r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.drain()
	if home := h.homeText(analyst); !strings.Contains(home, "1 answered") || !strings.Contains(home, "8 awaiting") {
		t.Errorf("analyst's Home tab after Army answered:\n%s", home)
	}
	if home := h.homeText(army); !strings.Contains(home, "Nothing is waiting on your offices") {
		t.Errorf("army reviewer's Home tab after answering:\n%s", home)
	}
	if _, ok := h.Fake.HomeView(navy); ok {
		t.Error("a Home tab was published for someone who never opened it")
	}
	analystPublishes := h.publishes(analyst)

	// Navy denies: the offices disagree, and the analyst sees the split.
	h.click(navy, r.ChannelID, h.askMessage(r, "navy").TS, "answer_deny")
	v := h.lastView(navy, bot.CallbackPosition)
	h.submit(navy, v.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "Diversion risk."}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	h.drain()
	if home := h.homeText(analyst); !strings.Contains(home, "*split:* approve / deny") {
		t.Errorf("analyst's Home tab lacks the split:\n%s", home)
	}
	if h.publishes(analyst) != analystPublishes+1 {
		t.Errorf("analyst's Home tab published %d times after one more position; want %d", h.publishes(analyst), analystPublishes+1)
	}

	// A second referral appears once its channel exists; moving a due date and
	// passing it shows the office overdue.
	r2 := h.openReferral("Z654321")
	if home := h.homeText(analyst); !strings.Contains(home, "<#"+r2.ChannelID+">") {
		t.Errorf("analyst's Home tab lacks the new referral:\n%s", home)
	}
	if home := h.homeText(army); !strings.Contains(home, "Z654321") {
		t.Errorf("army reviewer's Home tab lacks the new ask:\n%s", home)
	}
	h.command(analyst, r2.ChannelID, "extend army 2026-11-30 waiting on the technical data")
	h.drain()
	if home := h.homeText(army); !strings.Contains(home, "due *2026-11-30*") {
		t.Errorf("army reviewer's Home tab after the extension:\n%s", home)
	}
	h.Clock.Set(time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC))
	h.openHomeTab(army)
	if home := h.homeText(army); !strings.Contains(home, "due *2026-11-30* · :warning: *overdue*") {
		t.Errorf("army reviewer's Home tab a day after the due date:\n%s", home)
	}

	// The final recommendation takes the referral off the analyst's Home tab.
	h.command(analyst, r.ChannelID, "recommend")
	v = h.lastView(analyst, bot.CallbackRecommendation)
	h.submit(analyst, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeDeny)},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Navy's diversion concern stands."},
		slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	h.drain()
	if home := h.homeText(analyst); strings.Contains(home, "Z123456") || !strings.Contains(home, "Z654321") {
		t.Errorf("analyst's Home tab after the recommendation:\n%s", home)
	}
	for _, v := range h.Fake.Views() {
		if v.Type == "home" && len(v.Blocks.BlockSet) > 100 {
			t.Errorf("Home tab of %s has %d blocks", v.UserID, len(v.Blocks.BlockSet))
		}
	}
}

func TestListCommand(t *testing.T) {
	h := newHarness(t, "http")
	r1 := h.openReferral("Z100001")
	r2 := h.openReferral("Z100002")
	h.command(analyst, r2.ChannelID, "reassign <@"+analyst2+">")
	h.drain()
	h.click(reviewer("army", 1), r1.ChannelID, h.askMessage(r1, "army").TS, "answer_approve")
	h.drain()

	text := func(ack slackfake.Ack) string {
		var m struct {
			Text   string `json:"text"`
			Blocks []any  `json:"blocks"`
		}
		if err := ack.Decode(&m); err != nil {
			t.Fatalf("ack %s: %v", ack.Body, err)
		}
		return m.Text + "\n" + string(ack.Body)
	}
	for _, tt := range []struct {
		user, args string
		want, not  []string
	}{
		{analyst, "list", []string{"Your open referrals* (1)", "Z100001", "1 answered"}, []string{"Z100002", "Waiting on your offices"}},
		{analyst2, "list mine", []string{"Your open referrals* (1)", "Z100002"}, []string{"Z100001"}},
		{analyst, "list all", []string{"Open referrals* (2)", "Z100001", "Z100002"}, nil},
		{analyst, "list overdue", []string{"Nothing is overdue"}, []string{"Z100001"}},
		{reviewer("army", 1), "list", []string{"Waiting on your offices* (Army: 1)", "Z100002"}, []string{"Z100001", "Your open referrals"}},
		{delegate, "list", []string{"Waiting on your offices* (Army: 1)"}, nil},
		{reviewer("army", 1), "list all", []string{"Only licensing analysts can list every open referral"}, []string{"Z100002"}},
		{outsider, "list", []string{"Nothing is waiting on you"}, nil},
		{analyst, "list everything", []string{"is not a list"}, nil},
	} {
		got := text(h.command(tt.user, h.General, tt.args))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s by %s lacks %q: %s", tt.args, tt.user, w, got)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(got, w) {
				t.Errorf("%s by %s shows %q: %s", tt.args, tt.user, w, got)
			}
		}
	}

	// Past the office due date (2026-12-11), both are overdue; Army answered on Z100001.
	h.Clock.Set(time.Date(2026, 12, 14, 15, 0, 0, 0, time.UTC))
	if got := text(h.command(analyst, h.General, "list overdue")); !strings.Contains(got, "with an overdue office* (2)") || !strings.Contains(got, "8 overdue") {
		t.Errorf("list overdue = %s", got)
	}
	if got := text(h.command(reviewer("army", 2), h.General, "list overdue")); !strings.Contains(got, "Overdue for your offices* (Army: 1)") ||
		!strings.Contains(got, "Z100002") || strings.Contains(got, "Z100001") {
		t.Errorf("list overdue by an army reviewer = %s", got)
	}
	// A referral on hold is not overdue.
	h.command(analyst2, r2.ChannelID, "hold waiting on the applicant")
	if got := text(h.command(analyst, h.General, "list overdue")); !strings.Contains(got, "with an overdue office* (1)") || strings.Contains(got, "Z100002") {
		t.Errorf("list overdue with Z100002 on hold = %s", got)
	}
}

func TestRemindCommand(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456")
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.drain()
	reminders := func() []slackfake.Message {
		var out []slackfake.Message
		for _, m := range h.Fake.Messages(r.ChannelID) {
			if strings.HasPrefix(m.Text, "Reminder:") {
				out = append(out, m)
			}
		}
		return out
	}

	// One office, from anywhere, with the case number.
	if got := h.command(analyst, h.General, "remind Z123456 navy").Text(); got != "Reminding Navy in <#"+r.ChannelID+"> now." {
		t.Errorf("remind navy = %q", got)
	}
	h.drain()
	rems := reminders()
	if len(rems) != 1 || !strings.Contains(blocksText(rems[0].Blocks), "<!subteam^SNAVY> (*Navy*): your position on *Z123456* is due in 10 business days (due 2026-12-11)") {
		t.Fatalf("reminders posted = %d: %v", len(rems), rems)
	}
	// Sent twice within the minute (a double submit): one reminder.
	if got := h.command(analyst, r.ChannelID, "remind navy").Text(); !strings.Contains(got, "reminded a moment ago") {
		t.Errorf("second remind within the minute = %q", got)
	}
	h.drain()
	if n := len(reminders()); n != 1 {
		t.Errorf("%d reminders after a double submit; want 1", n)
	}

	// Every office still awaited, in the channel: all but Army (answered) and Navy's
	// new one, a minute later.
	h.Clock.Advance(time.Minute)
	if got := h.command(analyst, r.ChannelID, "remind").Text(); !strings.Contains(got, "Navy, Air Force") || strings.Contains(got, "Army") {
		t.Errorf("remind = %q", got)
	}
	h.drain()
	if n := len(reminders()); n != 1+8 {
		t.Errorf("%d reminders posted; want 9", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM reminders WHERE kind = 'manual' AND posted_channel = 1`); n != 9 {
		t.Errorf("%d manual reminders recorded as posted; want 9", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE kind = 'reminder.manual' AND actor = ?`, analyst); n != 9 {
		t.Errorf("%d reminder.manual events; want 9", n)
	}

	for _, tt := range []struct{ user, channel, text, want string }{
		{reviewer("navy", 1), r.ChannelID, "remind", "Only licensing analysts can remind"},
		{reviewer("navy", 1), h.General, "remind Z123456", "Only licensing analysts can chase the offices of a referral from outside its channel"},
		{analyst, r.ChannelID, "remind army", "Army has already answered"},
		{analyst, r.ChannelID, "remind marines", `"marines" is not an office asked on Z123456`},
		{analyst, h.General, "remind", "isn't a referral channel"},
	} {
		if got := h.command(tt.user, tt.channel, tt.text).Text(); !strings.Contains(got, tt.want) {
			t.Errorf("%s by %s = %q; want …%s…", tt.text, tt.user, got, tt.want)
		}
	}
	h.command(analyst, r.ChannelID, "hold waiting on the applicant")
	if got := h.command(analyst, r.ChannelID, "remind").Text(); !strings.Contains(got, "on hold") {
		t.Errorf("remind on hold = %q", got)
	}
	h.drain()
	if n := len(reminders()); n != 9 {
		t.Errorf("%d reminders after the refusals; want still 9", n)
	}
}

func TestReassignCommand(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456")
	h.openHomeTab(analyst)
	h.openHomeTab(analyst2)
	if ch, _ := h.Fake.Channel(r.ChannelID); ch.HasMember(analyst2) {
		t.Fatal("the second analyst is in the channel before the reassignment")
	}

	for _, tt := range []struct{ user, channel, text, want string }{
		{reviewer("army", 1), r.ChannelID, "reassign <@" + analyst2 + ">", "Only licensing analysts and supervisors can reassign"},
		{analyst, r.ChannelID, "reassign <@" + outsider + ">", "is not a licensing analyst"},
		{analyst, r.ChannelID, "reassign <@" + analyst + ">", "already the analyst"},
		{analyst, r.ChannelID, "reassign sam", "I can't tell who"},
		{analyst, r.ChannelID, "reassign", "Use `/referral reassign @analyst`"},
	} {
		if got := h.command(tt.user, tt.channel, tt.text).Text(); !strings.Contains(got, tt.want) {
			t.Errorf("%s by %s = %q; want …%s…", tt.text, tt.user, got, tt.want)
		}
	}

	// From anywhere, with the case number; Slack escapes the mention with a name.
	got := h.command(analyst, h.General, "reassign commerce:Z123456 <@"+analyst2+"|sam.analyst>").Text()
	if !strings.Contains(got, "Z123456 is now <@"+analyst2+">'s") {
		t.Errorf("reassign = %q", got)
	}
	h.drain()
	if ref, _ := h.App.DB.Referral(h.ctx, r.ID); ref.AnalystID != analyst2 {
		t.Errorf("analyst = %s; want %s", ref.AnalystID, analyst2)
	}
	if ch, _ := h.Fake.Channel(r.ChannelID); !ch.HasMember(analyst2) {
		t.Error("the new analyst was not invited to the channel")
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE kind = 'referral.reassigned' AND actor = ? AND json_extract(detail, '$.from') = ? AND json_extract(detail, '$.to') = ?`,
		analyst, analyst, analyst2); n != 1 {
		t.Errorf("%d reassignment events; want 1", n)
	}
	summary := h.Fake.Messages(r.ChannelID)[0]
	if txt := blocksText(summary.Blocks); !strings.Contains(txt, "analyst <@"+analyst2+">") {
		t.Errorf("summary not updated to the new analyst:\n%s", txt)
	}
	if home := h.homeText(analyst); strings.Contains(home, "Z123456") {
		t.Errorf("the former analyst's Home tab still lists the referral:\n%s", home)
	}
	if home := h.homeText(analyst2); !strings.Contains(home, "Z123456") {
		t.Errorf("the new analyst's Home tab lacks the referral:\n%s", home)
	}
	// Now the first analyst may not take it back by accident with the same command twice.
	if got := h.command(analyst, r.ChannelID, "reassign <@"+analyst2+">").Text(); !strings.Contains(got, "already the analyst") {
		t.Errorf("second reassign = %q", got)
	}
}

// TestCommandsNameACase runs the commands about one referral from elsewhere with
// its case number, and checks who may and what they are told.
func TestCommandsNameACase(t *testing.T) {
	h := newHarness(t, "http")
	r1 := h.openReferral("Z100001")
	r2 := h.openReferral("Z100002")

	// Status from #general, and from another referral's channel, by an analyst.
	for _, ch := range []string{h.General, r2.ChannelID} {
		if got := string(h.command(analyst, ch, "status Z100001").Body); !strings.Contains(got, "Where the offices stand on Z100001") {
			t.Errorf("status Z100001 in %s = %s", ch, got)
		}
	}
	if got := string(h.command(analyst2, h.General, "status commerce:z100002").Body); !strings.Contains(got, "Where the offices stand on Z100002") {
		t.Errorf("status commerce:z100002 = %s", got)
	}
	// The recommendation modal opens from anywhere for an analyst.
	h.command(analyst, h.General, "recommend Z100002")
	if v := h.lastView(analyst, bot.CallbackRecommendation); !strings.Contains(v.PrivateMetadata+string(v.JSON), "Z100002") {
		t.Errorf("recommendation modal is not about Z100002")
	}
	// Extend, hold and resume with the case number.
	if got := h.command(analyst, h.General, "extend Z100001 navy 2026-12-18 waiting on a technical answer").Text(); !strings.Contains(got, "Moved Navy's suspense date on Z100001 to *2026-12-18*") {
		t.Errorf("extend = %q", got)
	}
	if got := h.command(analyst, h.General, "hold Z100001 RWA question out").Text(); !strings.Contains(got, "Z100001 is on hold") {
		t.Errorf("hold = %q", got)
	}
	if got := h.command(analyst, h.General, "resume Z100001").Text(); !strings.Contains(got, "Z100001 resumed") {
		t.Errorf("resume = %q", got)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind IN ('due.changed', 'clock.held', 'clock.resumed')`, r1.ID); n != 3 {
		t.Errorf("%d clock events on Z100001; want 3", n)
	}
	// In a referral's channel a first word that is no case number is an argument.
	if got := h.command(analyst, r2.ChannelID, "hold 2nd-look requested by Policy").Text(); !strings.Contains(got, "Z100002 is on hold") {
		t.Errorf("hold with a reason starting with a number = %q", got)
	}

	// Refusals: nobody but analysts names a case from outside its channel, and they
	// are told the same whether or not it exists.
	for _, tt := range []struct{ user, channel, text, want string }{
		{reviewer("army", 1), h.General, "status Z100001", "Only licensing analysts can look at a referral from outside its channel"},
		{reviewer("army", 1), h.General, "status Z999999", "Only licensing analysts can look at a referral from outside its channel"},
		{reviewer("army", 1), r2.ChannelID, "status Z100001", "Only licensing analysts can look at a referral from outside its channel"},
		{reviewer("army", 1), r2.ChannelID, "status Z999999", "Only licensing analysts can look at a referral from outside its channel"},
		{analyst, h.General, "status Z999999", "No referral has case number Z999999"},
		{analyst, r2.ChannelID, "status Z999999", "No referral has case number Z999999"},
		{analyst, h.General, "status Z100001 Z100002", "Give one case number"},
		{analyst, h.General, "status", "isn't a referral channel"},
		{analyst, h.General, "status nonsense:Z1", "isn't a referral channel"},
		{reviewer("army", 1), h.General, "recommend Z100001", "Only licensing analysts can recommend on a referral"},
		{reviewer("army", 1), r1.ChannelID, "extend Z100001 navy 2026-12-18 why", "Only licensing analysts can change due dates"},
	} {
		if got := string(h.command(tt.user, tt.channel, tt.text).Body); !strings.Contains(got, tt.want) {
			t.Errorf("%s by %s in %s = %s; want …%s…", tt.text, tt.user, tt.channel, got, tt.want)
		}
	}
	// In its own channel a reviewer may name it.
	if got := string(h.command(reviewer("army", 1), r1.ChannelID, "status Z100001").Body); !strings.Contains(got, "Where the offices stand on Z100001") {
		t.Errorf("status Z100001 by a reviewer in its channel = %s", got)
	}
}

func TestHelpListsTheWorklist(t *testing.T) {
	h := newHarness(t, "http")
	got := h.command(outsider, h.General, "help").Text()
	for _, want := range []string{"/referral list [mine|all|overdue]", "/referral remind [office]", "/referral reassign @analyst", "`/referral status Z123456`"} {
		if !strings.Contains(got, want) {
			t.Errorf("help lacks %q:\n%s", want, got)
		}
	}
}
