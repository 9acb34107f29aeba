package bot_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackapi"
	"github.com/referralbot/referralbot/internal/slackfake"
	"github.com/referralbot/referralbot/store"
	"github.com/referralbot/referralbot/store/reminders"
)

// The reminder tests run the lifecycle service against a real SQLite file, a real
// Redis (REDIS_URL, default 127.0.0.1:6379; they fail if it does not answer) and the
// Slack fake, on a clock they move by hand. The referral they open is due from the
// offices on Thursday 2026-12-10, so under the default policy its reminders go out
// at 09:00 New York time on Tue 12-08 (2 business days ahead), Wed 12-09 (1 ahead),
// Thu 12-10 (due today), then every business morning from Fri 12-11 (overdue,
// escalated to the analyst).

const (
	analystID  = "UANALYST"
	outsiderID = "UOUTSIDER"
	officeDue  = "2026-12-10"
)

var (
	ny      = mustLocation("America/New_York")
	opened  = nyTime(2026, 12, 1, 10, 0) // Tuesday
	offices = []string{"army", "navy", "policy"}
)

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func nyTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, ny)
}

// morning is 09:00 in New York on a December 2026 day: when reminders go out.
func morning(day int) time.Time { return nyTime(2026, 12, day, 9, 0) }

func reviewerOf(office string) string { return "U" + strings.ToUpper(office) + "1" }
func groupOf(office string) string    { return "S" + strings.ToUpper(office) }

// queueKind chooses the reminder queue a bot instance runs on.
type queueKind string

const (
	onRedis  queueKind = "redis"
	inMemory queueKind = "memory"
)

// world is what outlives a bot process: the database file, Redis (under a key
// prefix of the test's own) and the Slack workspace.
type world struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock.Manual
	fake   *slackfake.Server
	dbPath string
	roster *bot.Roster
	redis  *redis.Options
	admin  *redis.Client // the test's own connection, for inspecting and emptying Redis
	prefix string
	// wrapQueue, wrapSlack and wrapStore, when set, wrap what the instances started
	// afterwards talk to, so that a test can watch it or make it fail.
	wrapQueue func(bot.ReminderQueue) bot.ReminderQueue
	wrapSlack func(bot.Slack) bot.Slack
	wrapStore func(*store.DB) bot.Store
}

// quietRedis keeps go-redis from logging every refused dial of the Redis-down tests.
var quietRedis sync.Once

type discardRedisLog struct{}

func (discardRedisLog) Printf(context.Context, string, ...any) {}

func newWorld(t *testing.T) *world {
	t.Helper()
	quietRedis.Do(func() { redis.SetLogger(discardRedisLog{}) })
	clk := clock.NewManual(opened)
	fake := slackfake.New(slackfake.WithClock(clk.Now))
	t.Cleanup(fake.Close)
	fake.AddUser(analystID, "dana.analyst")
	fake.AddUser(outsiderID, "olly.outsider")
	roster := &bot.Roster{Analysts: []string{analystID}}
	for _, code := range offices {
		fake.AddUser(reviewerOf(code), code+".one")
		fake.AddUserGroup(groupOf(code), code+"-reviewers", reviewerOf(code))
		roster.Offices = append(roster.Offices, bot.Office{Code: code, Name: strings.ToUpper(code[:1]) + code[1:], UserGroup: groupOf(code)})
	}
	opts := redisOptions(t)
	admin := redis.NewClient(opts)
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := admin.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s did not answer (%v): the reminder tests need a real Redis; start one or set REDIS_URL", opts.Addr, err)
	}
	w := &world{
		t: t, ctx: context.Background(), clock: clk, fake: fake,
		dbPath: filepath.Join(t.TempDir(), "referralbot.db"), roster: roster,
		redis: opts, admin: admin, prefix: "referralbot:test:bot:" + rand.Text() + ":",
	}
	t.Cleanup(func() { w.flushRedis() })
	return w
}

// redisOptions reads REDIS_URL, defaulting to the local server's database 0.
func redisOptions(tb testing.TB) *redis.Options {
	tb.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("parse REDIS_URL %q: %v", url, err)
	}
	return opts
}

// flushRedis deletes every key under the test's prefix: to the bots, whose queue
// keys all live there, that is a FLUSHDB, without touching anyone else's data.
func (w *world) flushRedis() {
	w.t.Helper()
	iter := w.admin.Scan(w.ctx, 0, w.prefix+"*", 1000).Iterator()
	for iter.Next(w.ctx) {
		if err := w.admin.Unlink(w.ctx, iter.Val()).Err(); err != nil {
			w.t.Errorf("delete %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		w.t.Errorf("scan %s*: %v", w.prefix, err)
	}
}

// instance is one bot process: its database handle, Redis connection and service.
type instance struct {
	w      *world
	db     *store.DB
	svc    *bot.Service
	queue  bot.ReminderQueue
	dialer *switchDialer // nil on the in-memory queue
	client *redis.Client
	closed bool
}

// start starts a bot process over the world's database, Redis prefix and workspace.
func (w *world) start(kind queueKind) *instance {
	w.t.Helper()
	db, err := store.Open(w.ctx, w.dbPath, w.clock.Now)
	if err != nil {
		w.t.Fatalf("open database: %v", err)
	}
	inst := &instance{w: w, db: db}
	switch kind {
	case onRedis:
		inst.dialer = &switchDialer{}
		opts := *w.redis
		opts.Dialer = inst.dialer.dial
		// Fail at once while "down", and never trip go-redis's dial circuit breaker,
		// which would delay the return by up to a second of wall time.
		opts.MaxRetries, opts.DialerRetries, opts.PoolSize = -1, 1, 1000
		inst.client = redis.NewClient(&opts)
		inst.queue = reminders.NewRedis(inst.client, w.prefix)
	case inMemory:
		inst.queue = reminders.NewMemory()
	}
	if w.wrapQueue != nil {
		inst.queue = w.wrapQueue(inst.queue)
	}
	api := slack.New(w.fake.BotToken(), slack.OptionAPIURL(w.fake.APIURL()))
	rules := deadline.NewRules(deadline.NewCalendar(ny), deadline.Defaults{})
	log := slog.New(slog.NewTextHandler(testLog{w.t}, &slog.HandlerOptions{Level: slog.LevelError}))
	var client bot.Slack = slackapi.New(api, w.fake.BotUserID())
	if w.wrapSlack != nil {
		client = w.wrapSlack(client)
	}
	var st bot.Store = db
	if w.wrapStore != nil {
		st = w.wrapStore(db)
	}
	inst.svc = bot.NewService(st, client, w.clock.Now, bot.Config{
		Roster: w.roster, Rules: rules, Policy: deadline.DefaultPolicy(), Queue: inst.queue, Log: log,
	})
	w.t.Cleanup(inst.stop)
	return inst
}

// stop ends the process: it lets go of the database and Redis.
func (inst *instance) stop() {
	if inst.closed {
		return
	}
	inst.closed = true
	if inst.client != nil {
		inst.client.Close()
	}
	if err := inst.db.Close(); err != nil {
		inst.w.t.Errorf("close database: %v", err)
	}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// switchDialer connects a bot's Redis client, and can take Redis away from it: while
// down, connections are refused and the open ones are cut, as when the server dies.
type switchDialer struct {
	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

func (d *switchDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.down {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused (redis is down in this test)")}
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		d.conns = append(d.conns, c)
	}
	return c, err
}

func (d *switchDialer) setDown(down bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down = down
	if down {
		for _, c := range d.conns {
			c.Close()
		}
		d.conns = nil
	}
}

// openReferral opens a referral asking the offices, due from them on officeDue,
// as the analyst would, and runs the Slack work that creates its channel.
func (inst *instance) openReferral(caseNumber string, codes ...string) *bot.Referral {
	t := inst.w.t
	t.Helper()
	r, err := inst.svc.OpenReferral(inst.w.ctx, analystID, bot.ReferralInput{
		Agency: "commerce", CaseNumber: caseNumber, LicenseType: "BIS-748P", Applicant: "Acme Photonics Inc.",
		Commodity: "Uncooled thermal imaging cameras", Classification: "6A003.b.4", Destination: "DE",
		EndUser: "Bundeswehr procurement office", Value: "1250000", Received: "2026-11-30",
		OfficeDue: officeDue, Offices: codes,
	}, "open-"+caseNumber)
	if err != nil {
		t.Fatalf("open referral %s: %v", caseNumber, err)
	}
	inst.drain()
	if r, err = inst.db.Referral(inst.w.ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if r.ChannelID == "" || !r.Provisioned {
		t.Fatalf("referral %s: channel not provisioned", caseNumber)
	}
	return r
}

// drain runs the queued Slack work, as the outbox workers would.
func (inst *instance) drain() {
	inst.w.t.Helper()
	if err := inst.svc.DrainJobs(inst.w.ctx); err != nil {
		inst.w.t.Fatalf("drain outbox: %v", err)
	}
}

// tick is one pass of the reminder loop followed by the Slack work it queued. It
// returns how many reminders the pass claimed.
func (inst *instance) tick() int {
	inst.w.t.Helper()
	n, err := inst.svc.ProcessReminders(inst.w.ctx)
	if err != nil {
		inst.w.t.Fatalf("process reminders: %v", err)
	}
	inst.drain()
	return n
}

// asks returns the referral's asks by office code.
func (inst *instance) asks(r *bot.Referral) map[string]*bot.Ask {
	inst.w.t.Helper()
	asks, err := inst.db.Asks(inst.w.ctx, r.ID)
	if err != nil {
		inst.w.t.Fatal(err)
	}
	out := map[string]*bot.Ask{}
	for _, a := range asks {
		out[a.OfficeCode] = a
	}
	return out
}

// pending returns how many reminders the queue holds, checking none is leased.
func (inst *instance) pending() int {
	inst.w.t.Helper()
	p, l, err := inst.queue.Len(inst.w.ctx)
	if err != nil {
		inst.w.t.Fatalf("queue length: %v", err)
	}
	if l != 0 {
		inst.w.t.Errorf("%d reminders still leased; want 0", l)
	}
	return p
}

// recorded returns the reminders recorded for the referral by id.
func (inst *instance) recorded(r *bot.Referral) map[string]*bot.Reminder {
	inst.w.t.Helper()
	rems, err := inst.db.Reminders(inst.w.ctx, r.ID)
	if err != nil {
		inst.w.t.Fatal(err)
	}
	out := map[string]*bot.Reminder{}
	for _, rem := range rems {
		out[rem.ID] = rem
	}
	return out
}

// reminderID is the id the bot gives reminder seq of an ask's due date.
func reminderID(a *bot.Ask, seq int) string {
	return fmt.Sprintf("ask:%d:due:%s:n:%d", a.ID, bot.FormatDate(a.DueDate), seq)
}

// keyOf returns a message's key (Slack metadata), "" when it has none.
func keyOf(m slackfake.Message) string {
	if m.Metadata == nil {
		return ""
	}
	k, _ := m.Metadata.EventPayload["key"].(string)
	return k
}

// keyed returns the channel's messages whose key starts with prefix, by key; a key
// seen twice fails the test.
func (w *world) keyed(channelID, prefix string) map[string]slackfake.Message {
	w.t.Helper()
	out := map[string]slackfake.Message{}
	for _, m := range w.fake.Messages(channelID) {
		if k := keyOf(m); strings.HasPrefix(k, prefix) {
			if _, dup := out[k]; dup {
				w.t.Errorf("channel %s: %s posted twice", channelID, k)
			}
			out[k] = m
		}
	}
	return out
}

// dm returns the bot's direct-message channel with the user, "" if none was opened.
func (w *world) dm(user string) string {
	for _, c := range w.fake.Channels() {
		if c.IsIM && c.HasMember(user) {
			return c.ID
		}
	}
	return ""
}

// textOf joins a message's section and context texts.
func textOf(m slackfake.Message) string {
	var parts []string
	for _, b := range m.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				parts = append(parts, b.Text.Text)
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					parts = append(parts, t.Text)
				}
			}
		}
	}
	return strings.Join(parts, "\n")
}

// buttons returns a message's buttons as action_id → value.
func buttons(m slackfake.Message) map[string]string {
	out := map[string]string{}
	for _, b := range m.Blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					out[btn.ActionID] = btn.Value
				}
			}
		}
	}
	return out
}

// reminderPosts counts chat.postMessage calls by message key, over every channel.
func (w *world) reminderPosts() map[string]int {
	w.t.Helper()
	out := map[string]int{}
	for _, c := range w.fake.CallsTo("chat.postMessage") {
		if c.Error != "" {
			continue
		}
		var md struct {
			Payload map[string]any `json:"event_payload"`
		}
		if raw := c.Param("metadata"); raw != "" {
			if err := json.Unmarshal([]byte(raw), &md); err != nil {
				w.t.Fatalf("chat.postMessage metadata %q: %v", raw, err)
			}
		}
		if k, _ := md.Payload["key"].(string); k != "" {
			out[k]++
		}
	}
	return out
}

// expectation is a reminder that must have gone out: in the channel and, when
// escalated, by direct message to the analyst.
type expectation struct {
	ask       *bot.Ask
	seq       int
	words     string // how the message puts the due date
	escalated bool
	late      bool
}

// checkSent checks that exactly the expected reminders went out since the channel
// held seen (and the DM seenDM), and updates both.
func (w *world) checkSent(r *bot.Referral, seen, seenDM map[string]bool, want ...expectation) {
	w.t.Helper()
	got := w.keyed(r.ChannelID, "reminder:")
	dms := map[string]slackfake.Message{}
	if dm := w.dm(analystID); dm != "" {
		dms = w.keyed(dm, "escalation:")
	}
	wantKeys, wantDMs := map[string]bool{}, map[string]bool{}
	for _, e := range want {
		id := reminderID(e.ask, e.seq)
		wantKeys["reminder:"+id] = true
		m, ok := got["reminder:"+id]
		if !ok {
			w.t.Errorf("%s: reminder %s not posted in the channel", w.clock.Now().In(ny).Format(time.DateTime), id)
			continue
		}
		text := textOf(m)
		if !strings.Contains(text, "<!subteam^"+groupOf(e.ask.OfficeCode)+">") {
			w.t.Errorf("reminder %s does not mention the office's user group: %q", id, text)
		}
		if !strings.Contains(text, e.words) || !strings.Contains(text, "(due "+bot.FormatDate(e.ask.DueDate)+")") {
			w.t.Errorf("reminder %s says %q; want %q and the due date %s", id, text, e.words, bot.FormatDate(e.ask.DueDate))
		}
		if got := strings.Contains(text, "Escalated to the analyst <@"+analystID+">"); got != e.escalated {
			w.t.Errorf("reminder %s escalation line present = %v; want %v", id, got, e.escalated)
		}
		if got := strings.Contains(text, "Sent late"); got != e.late {
			w.t.Errorf("reminder %s marked late = %v; want %v (%q)", id, got, e.late, text)
		}
		value := fmt.Sprint(e.ask.ID)
		if b := buttons(m); b[bot.ActionAnswerNow] != value || b[bot.ActionSnooze] != value {
			w.t.Errorf("reminder %s buttons = %v; want Answer now and Snooze for ask %s", id, b, value)
		}
		if e.escalated {
			// One direct message a morning lists every overdue office of the analyst.
			key := "escalation:" + analystID + ":" + w.clock.Now().In(ny).Format(time.DateOnly)
			wantDMs[key] = true
			dm, ok := dms[key]
			if !ok {
				w.t.Errorf("escalation %s (for reminder %s) not sent to the analyst", key, id)
				continue
			}
			checkDM(w.t, r, e.ask, dm, w.roster)
		}
	}
	for k := range got {
		if !seen[k] && !wantKeys[k] {
			w.t.Errorf("%s: unexpected reminder %s", w.clock.Now().In(ny).Format(time.DateTime), k)
		}
		if seen[k] && wantKeys[k] {
			w.t.Errorf("%s: reminder %s sent again", w.clock.Now().In(ny).Format(time.DateTime), k)
		}
		seen[k] = true
	}
	for k := range dms {
		if !seenDM[k] && !wantDMs[k] {
			w.t.Errorf("%s: unexpected escalation %s", w.clock.Now().In(ny).Format(time.DateTime), k)
		}
		seenDM[k] = true
	}
}

// checkDM checks that the morning's escalation DM names the case, the overdue office
// and links the channel, and carries none of the referral's controlled details.
func checkDM(t *testing.T, r *bot.Referral, a *bot.Ask, m slackfake.Message, roster *bot.Roster) {
	t.Helper()
	text := textOf(m) + "\n" + m.Text
	for _, want := range []string{r.CaseNumber, roster.OfficeName(a.OfficeCode), "<#" + r.ChannelID + ">"} {
		if !strings.Contains(text, want) {
			t.Errorf("escalation DM %q lacks %q", text, want)
		}
	}
	for _, secret := range []string{r.Applicant, r.Commodity, r.Classification, r.EndUser, "1250000", "1,250,000"} {
		if strings.Contains(text, secret) {
			t.Errorf("escalation DM %q carries referral detail %q", text, secret)
		}
	}
	if len(buttons(m)) != 0 {
		t.Errorf("escalation DM has buttons %v; want none", buttons(m))
	}
}
