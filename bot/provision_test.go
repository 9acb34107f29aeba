package bot_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackapi"
	"github.com/referralbot/referralbot/internal/slackfake"
	"github.com/referralbot/referralbot/store"
	"github.com/referralbot/referralbot/store/reminders"
)

// errCrash stands for a process dying right after Slack did what it was asked,
// before the bot could record it: the call succeeded, the bot never saw the answer.
var errCrash = errors.New("connection reset (simulated crash after the call)")

// crashingSlack does each call, then pretends to die after the ones it is told to.
type crashingSlack struct {
	bot.Slack
	mu    sync.Mutex
	after map[string]int // method → crash after the n-th call (1-based)
	calls map[string]int
}

func (c *crashingSlack) crash(method string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[method]++
	return c.after[method] == c.calls[method]
}

func (c *crashingSlack) CreateChannel(ctx context.Context, name string) (string, error) {
	id, err := c.Slack.CreateChannel(ctx, name)
	if err == nil && c.crash("create") {
		return "", errCrash
	}
	return id, err
}

func (c *crashingSlack) PostMessage(ctx context.Context, ch string, m bot.Message) (string, error) {
	ts, err := c.Slack.PostMessage(ctx, ch, m)
	if err == nil && c.crash("post") {
		return "", errCrash
	}
	return ts, err
}

type fixture struct {
	ctx   context.Context
	clk   *clock.Manual
	fake  *slackfake.Server
	db    *store.DB
	slack *crashingSlack
	svc   *bot.Service
}

func (f *fixture) advance(d time.Duration) { f.clk.Advance(d) }

// newFixture wires the lifecycle service to a real SQLite file and the Slack fake,
// with two offices whose rosters are Slack user groups.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), clk: clock.NewManual(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC))}
	f.fake = slackfake.New(slackfake.WithClock(f.clk.Now))
	t.Cleanup(f.fake.Close)
	for _, u := range []string{"UANALYST", "UARMY1", "UNAVY1"} {
		f.fake.AddUser(u, strings.ToLower(u))
	}
	f.fake.AddUserGroup("SARMY", "army", "UARMY1")
	f.fake.AddUserGroup("SNAVY", "navy", "UNAVY1")
	db, err := store.Open(f.ctx, filepath.Join(t.TempDir(), "bot.db"), f.clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	api := slack.New(f.fake.BotToken(), slack.OptionAPIURL(f.fake.APIURL()))
	f.slack = &crashingSlack{Slack: slackapi.New(api, f.fake.BotUserID()), after: map[string]int{}, calls: map[string]int{}}
	roster := &bot.Roster{Analysts: []string{"UANALYST"}, Offices: []bot.Office{
		{Code: "army", Name: "Army", UserGroup: "SARMY"}, {Code: "navy", Name: "Navy", UserGroup: "SNAVY"},
	}}
	f.svc = bot.NewService(db, f.slack, f.clk.Now, bot.Config{Roster: roster, Rules: deadline.NewRules(nil, deadline.Defaults{}),
		Queue: reminders.NewMemory()})
	return f
}

func (f *fixture) open(t *testing.T, key string) *bot.Referral {
	t.Helper()
	in := goodInput()
	in.Offices = []string{"army", "navy"}
	r, err := f.svc.OpenReferral(f.ctx, "UANALYST", in, key)
	if err != nil {
		t.Fatalf("OpenReferral: %v", err)
	}
	return r
}

// drainUntilDone runs the outbox, moving the clock past each retry's backoff, until
// nothing is left; it fails the test if that takes more than a few rounds.
func (f *fixture) drainUntilDone(t *testing.T) {
	t.Helper()
	for range 10 {
		if err := f.svc.DrainJobs(f.ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.db.PendingJobs(f.ctx); n == 0 {
			return
		}
		f.advance(10 * time.Minute)
	}
	t.Fatal("outbox did not empty")
}

// checkOpened asserts one channel, one summary and one ask per office.
func (f *fixture) checkOpened(t *testing.T, r *bot.Referral, wantName string) {
	t.Helper()
	r, err := f.db.Referral(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Provisioned || r.ChannelName != wantName {
		t.Fatalf("referral provisioned=%v channel=%q; want true, %q", r.Provisioned, r.ChannelName, wantName)
	}
	var ours int
	for _, c := range f.fake.Channels() {
		if strings.HasPrefix(c.Name, "ref-commerce-z123456") && c.Creator == f.fake.BotUserID() {
			ours++
		}
	}
	if ours != 1 {
		t.Errorf("bot created %d channels; want 1", ours)
	}
	msgs := f.fake.Messages(r.ChannelID)
	if len(msgs) != 3 {
		var texts []string
		for _, m := range msgs {
			texts = append(texts, m.Text)
		}
		t.Errorf("channel has %d messages %q; want summary + 2 asks", len(msgs), texts)
	}
	asks, _ := f.db.Asks(f.ctx, r.ID)
	for _, a := range asks {
		if a.MessageTS == "" {
			t.Errorf("ask %s has no message", a.OfficeCode)
		}
	}
}

func TestProvisionNameTaken(t *testing.T) {
	f := newFixture(t)
	f.fake.AddChannel("ref-commerce-z123456", false, "UNAVY1") // someone else's
	r := f.open(t, "k1")
	f.drainUntilDone(t)
	f.checkOpened(t, r, "ref-commerce-z123456-2")
}

func TestProvisionResumesAfterCrash(t *testing.T) {
	tests := []struct {
		name   string
		method string
		after  int
	}{
		{"after creating the channel", "create", 1},
		{"after posting the summary", "post", 1},
		{"after posting the first ask", "post", 2},
		{"after posting the last ask", "post", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.slack.after[tt.method] = tt.after
			r := f.open(t, "k1")
			f.drainUntilDone(t)
			f.checkOpened(t, r, "ref-commerce-z123456")
		})
	}
}

// TestProvisionReclaimsDeadWorker: a worker takes the job, does part of the work and
// dies holding the lease; once the lease expires another run finishes the work.
func TestProvisionReclaimsDeadWorker(t *testing.T) {
	f := newFixture(t)
	r := f.open(t, "k1")
	f.dieHoldingLease(t, 2) // the summary and the first ask go out; it dies on the second
	// Nothing settles the job: the worker is gone. Before the lease expires nobody retries it.
	if err := f.svc.DrainJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	r, _ = f.db.Referral(f.ctx, r.ID)
	if got := len(f.fake.Messages(r.ChannelID)); got != 2 {
		t.Fatalf("messages while leased = %d; want the 2 the dead worker posted", got)
	}
	f.advance(bot.JobLease + time.Second)
	f.drainUntilDone(t)
	f.checkOpened(t, r, "ref-commerce-z123456")
}

// TestProvisionResumeRefusedHalfWay: the worker that took over a dead one's opening
// is refused by Slack (a 429) before it has found every message the dead one posted
// without recording it. The attempt after that must still look for them first: a
// refusal from Slack does not make the dead worker's posts recorded.
func TestProvisionResumeRefusedHalfWay(t *testing.T) {
	f := newFixture(t)
	r := f.open(t, "k1")
	f.dieHoldingLease(t, 3) // the summary and both asks go out; it dies on the last
	f.advance(bot.JobLease + time.Second)
	// The taking-over worker finds the first ask's message, and Slack refuses its update.
	f.fake.RateLimitNext("chat.update", 0)
	f.drainUntilDone(t)
	f.checkOpened(t, r, "ref-commerce-z123456")
}

// dieHoldingLease claims the opening's job and runs it as a worker that dies right
// after its posts-th post, still holding the lease and recording nothing more.
func (f *fixture) dieHoldingLease(t *testing.T, posts int) {
	t.Helper()
	jobs, err := f.db.ClaimJobs(f.ctx, f.clk.Now(), bot.JobLease, 1)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim = %v, %v", jobs, err)
	}
	f.slack.after["post"] = posts
	if err := f.svc.RunJob(f.ctx, jobs[0]); !errors.Is(err, errCrash) {
		t.Fatalf("first run = %v; want the crash", err)
	}
}

func TestProvisionRetriesSlackErrors(t *testing.T) {
	f := newFixture(t)
	f.fake.RateLimitNext("conversations.create", 30*time.Second)
	f.fake.FailNextHTTP("chat.postMessage", 503, 2)
	f.fake.FailNext("conversations.invite", "fatal_error", 1)
	r := f.open(t, "k1")
	if err := f.svc.DrainJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Referral(f.ctx, r.ID); got.ChannelID != "" {
		t.Fatalf("channel created despite the 429")
	}
	f.advance(29 * time.Second)
	if err := f.svc.DrainJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Referral(f.ctx, r.ID); got.ChannelID != "" {
		t.Fatalf("retried before Retry-After passed")
	}
	f.drainUntilDone(t)
	f.checkOpened(t, r, "ref-commerce-z123456")
}

// TestProvisionRecordsAsksPostedBeforeARefusal: the asks' messages are recorded
// together, after the last; when Slack refuses one half-way, those already posted
// must still be recorded, because the retry after a refusal does not look for
// unrecorded messages and would post them again.
func TestProvisionRecordsAsksPostedBeforeARefusal(t *testing.T) {
	f := newFixture(t)
	f.fake.SetRateLimit("chat.postMessage", 2) // the summary and the first ask; the second is refused
	r := f.open(t, "k1")
	if err := f.svc.DrainJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	r, _ = f.db.Referral(f.ctx, r.ID)
	asks, _ := f.db.Asks(f.ctx, r.ID)
	var recorded int
	for _, a := range asks {
		if a.MessageTS != "" {
			recorded++
		}
	}
	if got := len(f.fake.Messages(r.ChannelID)); got != 2 || recorded != 1 || r.Provisioned {
		t.Fatalf("after the refusal: %d messages, %d asks recorded, provisioned %v; want 2, 1, false", got, recorded, r.Provisioned)
	}
	f.drainUntilDone(t)
	f.checkOpened(t, r, "ref-commerce-z123456")
}

// Slack errors that no retry fixes: a refused request, a missing channel.
func TestProvisionGivesUpOnPermanentErrors(t *testing.T) {
	// Refused credentials (token_revoked, …) are not among them: that work is paused
	// until the app is fixed (cmd/referralbot TestCredentialsRefusedWhileOpening).
	for _, code := range []string{"restricted_action", "channel_not_found"} {
		t.Run(code, func(t *testing.T) {
			f := newFixture(t)
			f.fake.FailNext("conversations.create", code, 1)
			r := f.open(t, "k1")
			if err := f.svc.DrainJobs(f.ctx); err != nil {
				t.Fatal(err)
			}
			if n, _ := f.db.PendingJobs(f.ctx); n != 0 {
				t.Errorf("pending jobs = %d; want the failed one set aside", n)
			}
			events, _ := f.db.Events(f.ctx, r.ID)
			if last := events[len(events)-1]; last.Kind != "slack.failed" || !strings.Contains(last.Detail, code) {
				t.Errorf("last event = %+v; want slack.failed naming %s", last, code)
			}
			// The analyst is told, by direct message, with no referral detail but the case number.
			dm := f.fake.DMChannel("UANALYST")
			msgs := f.fake.Messages(dm)
			if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Z123456: Slack refused setting up the referral's channel (`"+code+"`)") ||
				strings.Contains(msgs[0].Text, "Acme") {
				t.Errorf("analyst's DMs = %+v", msgs)
			}
		})
	}
}

func TestOpenReplayAndConflict(t *testing.T) {
	f := newFixture(t)
	r1 := f.open(t, "view:V1")
	r2 := f.open(t, "view:V1") // the same submission again
	if r1.ID != r2.ID {
		t.Fatalf("replay opened referral %d; want %d", r2.ID, r1.ID)
	}
	in := goodInput()
	in.Offices = []string{"army"}
	_, err := f.svc.OpenReferral(f.ctx, "UANALYST", in, "view:V2")
	var e *bot.Error
	if !asBotError(err, &e) || !strings.Contains(e.Fields[bot.FieldCaseNumber], "already open") {
		t.Errorf("second form for the same case: %v", err)
	}
	if _, err := f.svc.OpenReferral(f.ctx, "UARMY1", in, "view:V3"); bot.ErrorCode(err) != bot.EFORBIDDEN {
		t.Errorf("open by a reviewer: %v; want forbidden", err)
	}
	// A corrected resubmission of the same form (another case number) is refused
	// inline, never silently dropped as a replay.
	corrected := goodInput()
	corrected.CaseNumber = "Z300002"
	if _, err := f.svc.OpenReferral(f.ctx, "UANALYST", corrected, "view:V1"); !asBotError(err, &e) ||
		!strings.Contains(e.Fields[bot.FieldCaseNumber], "This form already opened") {
		t.Errorf("different content under the same form: %v; want an inline refusal", err)
	}
	if _, err := f.db.ReferralByCase(f.ctx, bot.AgencyCommerce, "Z300002"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Z300002 was opened under another form's key: %v", err)
	}
	f.drainUntilDone(t)
	f.checkOpened(t, r1, "ref-commerce-z123456")
}
