package main

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// The day's checks, each computed from the test's own plan and compared with what
// the emulator recorded.

// digestCount reads how many asks a digest lists.
var digestCount = regexp.MustCompile(`: (\d+) asks? due within two business days or overdue`)

// askChannel is where the ask of an office was posted.
func (r *dayReferral) askChannel(office string) string {
	return cmp.Or(r.asks[office].ChannelID, r.ref.ChannelID)
}

// dayOf is the day of dayCalendar a message was posted on; -1 when none.
func (d *dayRun) dayOf(m slackfake.Message) int {
	posted := m.Posted.In(d.App.Config.Location()).Format("2006-01-02")
	return slices.IndexFunc(dayCalendar, func(c civilDay) bool { return c.String() == posted })
}

// topLevel reports whether a message is not a thread reply.
func topLevel(m slackfake.Message) bool { return m.ThreadTS == "" || m.ThreadTS == m.TS }

// checkStates checks that the bot recorded what the plan did: every answer, and
// the recommendations.
func (d *dayRun) checkStates() {
	for _, r := range d.refs {
		ref, err := d.App.DB.Referral(d.ctx, r.ref.ID)
		if err != nil {
			d.t.Fatal(err)
		}
		if got, want := ref.State == bot.ReferralRecommended, r.recommend <= lastMorning; got != want {
			d.errorf("%s recommended = %v; want %v", r.caseNumber, got, want)
		}
		if a := d.ask(r.ref, r.offices[0]); (a.Current != nil) != (r.answerOn[r.offices[0]] <= lastMorning) {
			d.errorf("%s: %s's position %+v; planned on day %d", r.caseNumber, r.offices[0], a.Current, r.answerOn[r.offices[0]])
		}
	}
}

// checkQueues checks that each office's queue holds one top-level message per ask
// and one digest per business morning on which the office has an ask due within
// two business days or overdue, listing exactly those.
func (d *dayRun) checkQueues(noise *sandbox.Noise) {
	for _, o := range d.App.Roster.Offices {
		asks := map[string]bool{}
		for _, r := range d.refs {
			if a, ok := r.asks[o.Code]; ok {
				asks[a.MessageTS] = true
			}
		}
		want := map[int]int{} // morning → asks its digest lists
		for j := 1; j <= lastMorning; j++ {
			for _, r := range d.refs {
				if _, asked := r.asks[o.Code]; asked && r.awaiting(o.Code, j) && r.due <= j+2 {
					want[j]++
				}
			}
		}
		got, posts, seenAsks := map[int]int{}, 0, 0
		for _, m := range noise.Messages[d.Queues[o.Code]] {
			switch {
			case m.User != d.Fake.BotUserID() || !topLevel(m):
			case asks[m.TS]:
				seenAsks++
				posts++
			case strings.HasPrefix(m.Text, ":sunrise:"):
				j := d.dayOf(m)
				if _, twice := got[j]; twice {
					d.errorf("%s queue: a second digest on day %d", o.Code, j)
				}
				n := digestCount.FindStringSubmatch(m.Text)
				if n == nil {
					d.errorf("%s queue: digest %q does not say how many asks it lists", o.Code, m.Text)
					continue
				}
				got[j], _ = strconv.Atoi(n[1])
				posts++
			default:
				d.errorf("%s queue: unexpected top-level message %q", o.Code, m.Text)
			}
		}
		if seenAsks != len(asks) {
			d.errorf("%s queue: %d ask messages; want %d", o.Code, seenAsks, len(asks))
		}
		if !maps.Equal(got, want) {
			d.errorf("%s queue: digests (morning → asks listed) %v; want %v", o.Code, got, want)
		}
		if posts != len(asks)+len(want) {
			d.errorf("%s queue: %d top-level messages; want %d asks + %d digests", o.Code, posts, len(asks), len(want))
		}
	}
}

// checkReferralChannels checks each referral channel's top-level bot posts: in
// queue mode the summary, then the final recommendation and the record (at most
// 3); in referral-channel mode the asks besides.
func (d *dayRun) checkReferralChannels(noise *sandbox.Noise) {
	posts := map[string]int{}
	for _, c := range noise.Channels {
		posts[c.ID] = c.TopLevel
	}
	for _, r := range d.refs {
		want := 1
		if r.recommend <= lastMorning {
			want += 2
		}
		if !d.queues {
			want += len(r.offices)
		}
		if got := posts[r.ref.ChannelID]; got != want || d.queues && got > 3 {
			d.errorf("%s: %d top-level bot posts in its channel; want %d", r.caseNumber, got, want)
		}
	}
}

// checkReminders checks that every reminder is a reply in its ask's thread, and
// that each ask got one each business morning from two business days before its
// due date while it awaited an answer.
func (d *dayRun) checkReminders(noise *sandbox.Noise) {
	type askKey struct{ channel, ts string }
	askOf := map[askKey]*dayReferral{}
	officeOf := map[askKey]string{}
	channels := map[string]bool{}
	for _, r := range d.refs {
		channels[r.ref.ChannelID] = true
		for office, a := range r.asks {
			k := askKey{r.askChannel(office), a.MessageTS}
			askOf[k], officeOf[k] = r, office
			channels[k.channel] = true
		}
	}
	got := map[askKey][]int{}
	for ch := range channels {
		for _, m := range noise.Messages[ch] {
			if !strings.HasPrefix(m.Text, "Reminder:") {
				continue
			}
			k := askKey{ch, m.ThreadTS}
			if topLevel(m) || askOf[k] == nil {
				d.errorf("reminder %q is not a reply in its ask's thread (thread_ts %q)", m.Text, m.ThreadTS)
				continue
			}
			got[k] = append(got[k], d.dayOf(m))
		}
	}
	replies := 0
	for k, r := range askOf {
		office := officeOf[k]
		var want []int
		for j := max(r.due-2, 1); j <= lastMorning; j++ {
			if r.awaiting(office, j) {
				want = append(want, j)
			}
		}
		slices.Sort(got[k])
		if !slices.Equal(got[k], want) {
			d.errorf("%s, %s: reminders on days %v; want %v", r.caseNumber, office, got[k], want)
		}
		replies += len(want)
	}
	if replies == 0 {
		d.errorf("no reminders at all: the mornings did not run")
	}
}

// checkEscalations checks that each analyst got one direct message on each
// morning one of their offices was overdue, and none on the others.
func (d *dayRun) checkEscalations(noise *sandbox.Noise) {
	for _, who := range []string{analyst, analyst2} {
		var want, got []int
		for j := 1; j <= lastMorning; j++ {
			for _, r := range d.refs {
				if r.analyst == who && slices.ContainsFunc(r.offices, func(o string) bool { return r.awaiting(o, j) && r.due < j }) {
					want = append(want, j)
					break
				}
			}
		}
		for _, m := range noise.Messages[d.Fake.DMChannel(who)] {
			if strings.HasPrefix(m.Text, ":rotating_light:") {
				got = append(got, d.dayOf(m))
			}
		}
		if !slices.Equal(got, want) {
			d.errorf("%s: escalation messages on days %v; want one on each of %v", who, got, want)
		}
	}
}

// checkInvitedAll checks referral-channel mode's cost: each reviewer is in the
// channel of every referral that asks their office.
func (d *dayRun) checkInvitedAll(noise *sandbox.Noise) {
	for _, o := range d.App.Roster.Offices {
		want := 0
		for _, r := range d.refs {
			if slices.Contains(r.offices, o.Code) {
				want++
			}
		}
		if got := len(noise.People[sandbox.Reviewer(o.Code, 1)].Channels); got != want {
			d.errorf("%s: %s is in %d channels; want the %d of its referrals", o.Code, sandbox.Reviewer(o.Code, 1), got, want)
		}
	}
}
