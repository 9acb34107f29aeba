package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// A day at DTSA's volume (issue 10): 250 referrals opened through the real handlers
// on one Monday, worked over the next five business mornings with offices
// answering as offices do, and the noise budget checked from what the emulator
// recorded. The same day runs in referral-channel mode for the before/after table
// of docs/VOLUME.md, which TestVolumeDay prints.

const (
	dayReferrals = 250
	silentOffice = "joint_staff" // never answers: overdue, reminded and escalated every morning
	joinEvery    = 25            // every 25th referral, a reviewer of its first office presses Join
	never        = 1 << 20       // the business day of an answer that never comes
	// raceReferrals is the referral-channel run's size under -race, which makes the
	// emulator's and the bot's JSON several times slower (docs/VOLUME.md): that run
	// is only the comparison, and office-queue mode keeps all 250.
	raceReferrals = 50
)

// TestVolumeDay runs DTSA's day in office-queue mode, checking the noise budget,
// and in referral-channel mode for comparison, and prints the table of
// docs/VOLUME.md. Refresh the document with
//
//	go test ./cmd/referralbot -run TestVolumeDay -v
func TestVolumeDay(t *testing.T) {
	var before, after dayNoise
	compared := dayReferrals
	if raceDetector {
		compared = raceReferrals
	}
	t.Run("modes", func(t *testing.T) {
		t.Run("office queues", func(t *testing.T) {
			t.Parallel()
			after = newDayRun(t, true, dayReferrals).runAndCheck()
		})
		t.Run("referral channels", func(t *testing.T) {
			t.Parallel()
			before = newDayRun(t, false, compared).runAndCheck()
		})
	})
	switch {
	case t.Failed() || before.topLevel == nil || after.topLevel == nil: // or -run picked one mode
	case compared != dayReferrals:
		t.Logf("referral-channel mode ran %d referrals (-race): run without -race for the table", compared)
	default:
		t.Logf("what one day's %d referrals cost each reviewer, worked from %s to %s:\n%s",
			dayReferrals, dayCalendar[0], dayCalendar[lastMorning], noiseTable(before, after))
	}
}

// dayCalendar holds the business days the referrals are worked over, written out
// by hand so that the test does not reckon business days with the code it tests
// (no federal holiday falls in them). Day 0 is the Monday they are opened; the
// mornings run from day 1 to lastMorning.
var dayCalendar = []civilDay{{2026, 11, 30}, {2026, 12, 1}, {2026, 12, 2}, {2026, 12, 3}, {2026, 12, 4}, {2026, 12, 7}}

const lastMorning = 5 // the last day of dayCalendar

type civilDay struct {
	y int
	m time.Month
	d int
}

func (c civilDay) String() string { return fmt.Sprintf("%04d-%02d-%02d", c.y, c.m, c.d) }

func (c civilDay) at(loc *time.Location, hour, min, sec int) time.Time {
	return time.Date(c.y, c.m, c.d, hour, min, sec, 0, loc)
}

// dayReferral is one referral of the day as the test planned it.
type dayReferral struct {
	caseNumber string
	analyst    string
	offices    []string
	due        int            // the office due date, as a day of dayCalendar
	answerOn   map[string]int // office → the day it answers, after that morning's pass
	ref        *bot.Referral
	asks       map[string]*bot.Ask
	recommend  int // the day the analyst records the recommendation; never if not in the week
}

// planDay plans the day's referrals deterministically: each asks 4, 5 or 6 of the
// nine offices (5 on average), with office due dates spread over Wednesday to the
// next Monday. Offices answer from two business days early to one day late; the
// Joint Staff never does.
func planDay(offices []bot.Office, n int) []*dayReferral {
	var out []*dayReferral
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(i), 2026))
		picked := rng.Perm(len(offices))[:4+i%3]
		slices.Sort(picked)
		r := &dayReferral{
			caseNumber: fmt.Sprintf("D%06d", 100000+i),
			analyst:    []string{analyst, analyst2}[i%2],
			due:        2 + i%4,
			answerOn:   map[string]int{},
			recommend:  never,
		}
		last := 0
		for _, k := range picked {
			code := offices[k].Code
			r.offices = append(r.offices, code)
			r.answerOn[code] = never
			if code != silentOffice {
				r.answerOn[code] = max(r.due+(i+k)%4-2, 0)
			}
			last = max(last, r.answerOn[code])
		}
		if last <= lastMorning {
			r.recommend = max(last, 2) // the analyst adjudicates from Wednesday on
		}
		out = append(out, r)
	}
	return out
}

// awaiting reports whether the office's ask is still awaiting at morning j's pass.
func (r *dayReferral) awaiting(office string, j int) bool { return r.answerOn[office] >= j }

// dayRun is the day driven through one sandbox.
type dayRun struct {
	*harness
	queues bool
	refs   []*dayReferral
	joins  map[string][]string // reviewer → referral channels they pressed Join for
	errs   int                 // failures reported so far
}

// errorf reports a failure; past the first 20 it only counts them, so that one
// broken rule does not print a line for each of a thousand asks.
func (d *dayRun) errorf(format string, args ...any) {
	d.t.Helper()
	d.errs++
	switch {
	case d.errs <= 20:
		d.t.Errorf(format, args...)
	case d.errs == 21:
		d.t.Error("… and more failures, not shown")
	}
}

func newDayRun(t *testing.T, queues bool, referrals int) *dayRun {
	var opts []sandbox.Option
	if queues {
		opts = append(opts, sandbox.WithQueues())
	}
	h := newHarness(t, "http", opts...)
	return &dayRun{harness: h, queues: queues, refs: planDay(h.App.Roster.Offices, referrals), joins: map[string][]string{}}
}

// runAndCheck runs the day, checks it against the plan and returns its figures.
func (d *dayRun) runAndCheck() dayNoise {
	d.run()
	noise := d.Noise()
	d.checkStates()
	d.checkReferralChannels(noise)
	d.checkReminders(noise)
	d.checkEscalations(noise)
	if d.queues {
		d.checkQueues(noise)
	} else {
		d.checkInvitedAll(noise)
	}
	return d.measure(noise)
}

// run opens the day's referrals, then works them over the mornings.
func (d *dayRun) run() {
	loc := d.App.Config.Location()
	// One outbox worker works through the burst while the analysts open referrals.
	d.busy(func() {
		for i, r := range d.refs {
			d.Clock.Set(dayCalendar[0].at(loc, 10, i, 0)) // one a minute from 10:00
			d.submitReferral(r.analyst, r.caseNumber,
				slackfake.Input{BlockID: bot.FieldOffices, Values: r.offices},
				slackfake.Input{BlockID: bot.FieldOfficeDue, Value: dayCalendar[r.due].String()})
		}
	})
	for _, r := range d.refs {
		ref, err := d.App.DB.ReferralByCase(d.ctx, bot.AgencyCommerce, r.caseNumber)
		if err != nil {
			d.t.Fatalf("referral %s not stored: %v", r.caseNumber, err)
		}
		asks, err := d.App.DB.Asks(d.ctx, ref.ID)
		if err != nil {
			d.t.Fatal(err)
		}
		r.ref, r.asks = ref, map[string]*bot.Ask{}
		for _, a := range asks {
			r.asks[a.OfficeCode] = a
		}
		if len(r.asks) != len(r.offices) {
			d.t.Fatalf("%s: %d asks; want %d", r.caseNumber, len(r.asks), len(r.offices))
		}
	}
	if d.queues {
		d.checkJoined("after opening")
		d.strangerJoins()
	}
	d.work(0, loc)
	for j := 1; j <= lastMorning; j++ {
		if j == lastMorning { // the weekend: no business morning, nothing posted
			d.saturday(loc)
		}
		d.morning(dayCalendar[j].at(loc, 9, 0, 30))
		d.work(j, loc)
	}
	if d.queues {
		d.checkJoined("at the end")
	}
}

// busy does f with an outbox worker running alongside, as the serving bot's
// workers do while people click, then stops the worker and drains what is left.
func (d *dayRun) busy(f func()) {
	ctx, cancel := context.WithCancel(d.ctx)
	stopped := make(chan struct{})
	go func() {
		d.App.Service.RunWorkers(ctx, 1)
		close(stopped)
	}()
	f()
	cancel()
	<-stopped
	d.drain()
}

// morning runs the reminder loop's passes until nothing more is due, with the
// outbox after each, as RunReminders and the outbox workers would.
func (d *dayRun) morning(at time.Time) {
	d.t.Helper()
	d.Clock.Set(at)
	for {
		n, err := d.App.Service.ProcessReminders(d.ctx)
		if err != nil {
			d.t.Fatalf("reminders at %s: %v", at, err)
		}
		d.drain()
		if n == 0 {
			return
		}
	}
}

// saturday runs a pass on Saturday morning: no digest, no reminder, no escalation.
func (d *dayRun) saturday(loc *time.Location) {
	before := len(d.Fake.CallsTo("chat.postMessage"))
	d.morning(time.Date(2026, 12, 5, 9, 0, 30, 0, loc))
	if after := len(d.Fake.CallsTo("chat.postMessage")); after != before {
		d.errorf("Saturday morning: %d messages posted; want none", after-before)
	}
}

// work is a business day's work after the morning's pass: offices answer, on day 1
// some reviewers join discussions, and the analysts record recommendations.
func (d *dayRun) work(j int, loc *time.Location) {
	d.Clock.Set(dayCalendar[j].at(loc, 11, 0, 0))
	if j == 0 {
		d.Clock.Set(dayCalendar[j].at(loc, 15, 0, 0))
	}
	d.busy(func() {
		for i, r := range d.refs {
			for n, office := range r.offices {
				if r.answerOn[office] == j {
					d.click(sandbox.Reviewer(office, 1+(i+n)%2), r.askChannel(office), r.asks[office].MessageTS,
						bot.ActionAnswerPrefix+string(bot.OutcomeApprove))
				}
			}
		}
		if j == 1 && d.queues {
			for i := 0; i < len(d.refs); i += joinEvery {
				r := d.refs[i]
				who, a := sandbox.Reviewer(r.offices[0], 1), r.asks[r.offices[0]]
				d.click(who, a.ChannelID, a.MessageTS, bot.ActionJoinDiscussion)
				d.joins[who] = append(d.joins[who], r.ref.ChannelID)
			}
		}
	})
	d.Clock.Set(dayCalendar[j].at(loc, 16, 0, 0))
	d.busy(func() {
		for _, r := range d.refs {
			if r.recommend == j {
				d.command(r.analyst, r.ref.ChannelID, "recommend")
				v := d.lastView(r.analyst, bot.CallbackRecommendation)
				d.submit(r.analyst, v.ID,
					slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApprove)},
					slackfake.Input{BlockID: bot.FieldRationale, Value: "Every office approves."})
			}
		}
	})
}

// strangerJoins has a Navy reviewer press Join on an Army ask: refused, and nobody
// is invited anywhere.
func (d *dayRun) strangerJoins() {
	invites := len(d.Fake.CallsTo("conversations.invite"))
	for _, r := range d.refs {
		if a, ok := r.asks["army"]; ok {
			// A Navy reviewer with a seat in the (private) Army queue, but not on its roster.
			stranger := sandbox.Reviewer("navy", 1)
			d.Fake.JoinChannel(a.ChannelID, stranger)
			d.click(stranger, a.ChannelID, a.MessageTS, bot.ActionJoinDiscussion)
			d.drain()
			told := d.ephemeralsTo(a.ChannelID, stranger)
			for _, m := range d.Fake.Messages(d.Fake.DMChannel(stranger)) {
				told = append(told, m.Text)
			}
			if len(told) != 1 || !strings.Contains(told[0], "Only people on the Army roster") {
				d.errorf("a Navy reviewer pressing Join on an Army ask was told %q; want one refusal", told)
			}
			break
		}
	}
	if n := len(d.Fake.CallsTo("conversations.invite")); n != invites {
		d.errorf("a refused Join made %d invitations", n-invites)
	}
}

// checkJoined checks the first rule of the noise budget: a reviewer is in no
// referral channel but those they pressed Join for.
func (d *dayRun) checkJoined(when string) {
	d.t.Helper()
	in := map[string][]string{}
	for _, r := range d.refs {
		c, ok := d.Fake.Channel(r.ref.ChannelID)
		if !ok {
			d.t.Fatalf("%s: no channel %s", r.caseNumber, r.ref.ChannelID)
		}
		for _, u := range c.Members {
			in[u] = append(in[u], c.ID)
		}
	}
	for _, o := range d.App.Roster.Offices {
		for n := 1; n <= 2; n++ {
			who := sandbox.Reviewer(o.Code, n)
			got, want := in[who], d.joins[who]
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				d.errorf("%s: %s is in referral channels %v; want only those they joined, %v", when, who, got, want)
			}
		}
	}
}
