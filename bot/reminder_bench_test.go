package bot_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// Reminder benchmarks. Both need the test Redis and run only with -bench:
//
//	go test -run '^$' -bench ReminderClaimSend -benchtime 1x -timeout 30m ./bot/
//	go test -run '^$' -bench ReminderMorning -benchtime 1x ./bot/
//
// BenchmarkReminderClaimSend puts REMINDER_BENCH_N reminders (default 1,000,000)
// through the Redis queue and the Slack fake; BenchmarkReminderMorning puts a
// morning's reminders (REMINDER_BENCH_ASKS, default 5,000) through the whole bot.

// Settings of the benchmarks' workloads.
const (
	benchClaimBatch = 100              // reminders per Claim with nothing to send, as ProcessReminders takes them
	benchSendBatch  = 10               // reminders per Claim by a sender: no more than it sends promptly, so a backlog is shared
	benchIdlePoll   = time.Millisecond // a claimer that found nothing looks again after this
	benchLoad       = 0.5              // lag phase: reminders fall due at this share of the measured claim+send rate
	benchStall      = 60 * time.Second // give up when nothing was claimed for this long
	benchZAddBatch  = 1000             // members per raw ZADD, as ScheduleMany batches
	benchZAddDepth  = 16               // ZADDs per round trip, as ScheduleMany pipelines
	benchDue        = "2026-12-10"     // the due date in the benchmark's reminder ids
	benchTick       = 100 * time.Millisecond
)

// claimSendResult is what BenchmarkReminderClaimSend measured; rates are reminders per second.
type claimSendResult struct {
	n                                    int
	zadd, schedule, claim, claimSend     float64
	window                               time.Duration
	lagP50, lagP99, lagMax               time.Duration
	postedClaimSend, postedLag, repeated int64
}

func (r claimSendResult) String() string {
	return fmt.Sprintf("n=%d zadd=%.0f/s schedule=%.0f/s (%.3fx) claim+ack=%.0f/s (%.3fx) claim+send+ack=%.0f/s (%.4fx) lag over %v: p50=%v p99=%v max=%v",
		r.n, r.zadd, r.schedule, r.schedule/r.zadd, r.claim, r.claim/r.zadd, r.claimSend, r.claimSend/r.zadd,
		r.window.Round(time.Second), r.lagP50, r.lagP99, r.lagMax)
}

// BenchmarkReminderClaimSend measures, in one run against the same Redis: raw
// pipelined ZADD (the baseline), ScheduleMany, claim+ack with nothing sent, and
// claim + chat.postMessage of the reminder's Block Kit message to the Slack fake
// through slackapi + ack, with everything overdue. Then it schedules the reminders
// again to fall due over a window (at half the measured claim+send rate unless
// REMINDER_BENCH_WINDOW says otherwise) and records, per reminder, the lag from
// its due time to the end of its chat.postMessage.
func BenchmarkReminderClaimSend(b *testing.B) {
	n := benchEnvInt(b, "REMINDER_BENCH_N", 1_000_000)
	benchSenders = benchEnvInt(b, "REMINDER_BENCH_SENDERS", 8)
	var window time.Duration
	if s := os.Getenv("REMINDER_BENCH_WINDOW"); s != "" {
		var err error
		if window, err = time.ParseDuration(s); err != nil || window <= 0 {
			b.Fatalf("REMINDER_BENCH_WINDOW=%q: want a positive duration", s)
		}
	}
	client := benchRedis(b)
	var r claimSendResult
	for b.Loop() {
		r = runClaimSend(b, client, n, window)
	}
	b.Log(r)
	b.ReportMetric(r.zadd, "zadd/s")
	b.ReportMetric(r.schedule, "schedule/s")
	b.ReportMetric(r.schedule/r.zadd, "schedule/zadd")
	b.ReportMetric(r.claim, "claim/s")
	b.ReportMetric(r.claim/r.zadd, "claim/zadd")
	b.ReportMetric(r.claimSend, "claimsend/s")
	b.ReportMetric(r.claimSend/r.zadd, "claimsend/zadd")
	b.ReportMetric(float64(r.lagP50.Microseconds())/1000, "lag_p50_ms")
	b.ReportMetric(float64(r.lagP99.Microseconds())/1000, "lag_p99_ms")
}

func runClaimSend(b *testing.B, client *redis.Client, n int, window time.Duration) claimSendResult {
	ctx := context.Background()
	prefix := "referralbot:bench:bot:" + rand.Text() + ":"
	defer benchDeleteKeys(b, client, prefix)
	q := reminders.NewRedis(client, prefix)
	r := claimSendResult{n: n}

	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("ask:%d:due:%s:n:0", i+1, benchDue)
	}
	start := clock.Wall()
	if err := benchRawZAdd(ctx, client, prefix+"raw", ids); err != nil {
		b.Fatalf("raw zadd: %v", err)
	}
	r.zadd = benchRate(n, clock.Elapsed(start))
	client.Unlink(ctx, prefix+"raw")

	overdue := func() time.Duration {
		items := make([]bot.Scheduled, n)
		past := clock.Wall().Add(-time.Hour)
		for i := range items {
			items[i] = bot.Scheduled{ID: ids[i], At: past.Add(time.Duration(i) * time.Hour / time.Duration(n))}
		}
		start := clock.Wall()
		if err := q.ScheduleMany(ctx, items); err != nil {
			b.Fatalf("schedule: %v", err)
		}
		return clock.Elapsed(start)
	}
	scheduled := overdue()
	r.schedule = benchRate(n, scheduled)

	start = clock.Wall()
	benchDrain(b, q, n, nil)
	r.claim = benchRate(n, clock.Elapsed(start))

	overdue()
	send := newBenchSender(b)
	start = clock.Wall()
	benchDrain(b, q, n, send.post)
	r.claimSend = benchRate(n, clock.Elapsed(start))
	r.postedClaimSend = send.close()

	// As they fall due: spread so that they arrive at benchLoad of the capacity.
	if window == 0 {
		window = time.Duration(float64(n) / (benchLoad * r.claimSend) * float64(time.Second))
	}
	r.window = window
	first := clock.Wall().Add(2*scheduled + time.Second)
	items := make([]bot.Scheduled, n)
	for i := range items {
		items[i] = bot.Scheduled{ID: ids[i], At: first.Add(time.Duration(i) * window / time.Duration(n))}
	}
	if err := q.ScheduleMany(ctx, items); err != nil {
		b.Fatalf("schedule: %v", err)
	}
	send = newBenchSender(b)
	lags := benchDrain(b, q, n, send.post)
	r.postedLag = send.close()
	slices.Sort(lags)
	r.lagP50, r.lagP99, r.lagMax = lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1]
	if r.postedClaimSend != int64(n) || r.postedLag != int64(n) {
		b.Fatalf("the fake accepted %d and %d reminder messages; want %d each", r.postedClaimSend, r.postedLag, n)
	}
	return r
}

// benchSenders is how many claim-send loops run at once (REMINDER_BENCH_SENDERS,
// default 8: about the Slack fake's sweet spot on a two-core machine).
var benchSenders = 8

// benchFakeMessages is how many messages one Slack fake takes before the sender
// moves on to a fresh one. The fake keeps every message and call in memory; a
// million of them make a heap of gigabytes whose garbage collection, not the
// queue, would then set the lag. Slack does not slow down as a workspace fills.
const benchFakeMessages = 100_000

// benchWorkspace is one Slack fake and a client for it.
type benchWorkspace struct {
	fake     *slackfake.Server
	api      *slackapi.Client
	channels []string
	taken    atomic.Int64 // messages handed to this workspace
}

func newBenchWorkspace() *benchWorkspace {
	fake := slackfake.New()
	w := &benchWorkspace{
		fake: fake,
		api: slackapi.New(slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()),
			slack.OptionHTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * benchSenders}})), fake.BotUserID()),
	}
	for i := range 100 { // as many referral channels
		w.channels = append(w.channels, fake.AddChannel(fmt.Sprintf("ref-commerce-z%06d", i), true, fake.BotUserID()))
	}
	return w
}

// benchSender posts reminders to the Slack fake, spread over referral channels.
type benchSender struct {
	roster *bot.Roster
	ref    bot.Referral
	due    time.Time
	posted atomic.Int64 // messages the fake accepted (ok, with a ts)

	cur     atomic.Pointer[benchWorkspace]
	mu      sync.Mutex
	retired *benchWorkspace // the previous workspace, stopped when the next one retires
	stopped sync.WaitGroup
}

func newBenchSender(b *testing.B) *benchSender {
	due, _ := bot.ParseDate(benchDue)
	s := &benchSender{
		roster: &bot.Roster{Offices: []bot.Office{{Code: "army", Name: "Army", UserGroup: "SARMY"}}},
		ref:    bot.Referral{CaseNumber: "Z123456", AnalystID: "UANALYST"},
		due:    due,
	}
	s.cur.Store(newBenchWorkspace())
	return s
}

// workspace returns the workspace to post the next message to.
func (s *benchSender) workspace() *benchWorkspace {
	for {
		w := s.cur.Load()
		if w.taken.Add(1) <= benchFakeMessages {
			return w
		}
		s.mu.Lock()
		if s.cur.Load() == w {
			s.cur.Store(newBenchWorkspace())
			if old := s.retired; old != nil { // long idle: nothing is in flight to it
				s.stopped.Go(old.fake.Close)
			}
			s.retired = w
		}
		s.mu.Unlock()
	}
}

// post renders a reminder's channel message and posts it, as sendReminders does.
func (s *benchSender) post(it bot.Scheduled, i int) error {
	w := s.workspace()
	ref := s.ref
	ref.ChannelID = w.channels[i%len(w.channels)]
	a := &bot.Ask{ID: int64(i + 1), OfficeCode: "army", DueDate: s.due}
	rem := &bot.Reminder{ID: it.ID, DaysLeft: 2, DueAt: it.At}
	ts, err := w.api.PostMessage(context.Background(), ref.ChannelID, bot.ReminderMessage(&ref, a, rem, s.roster))
	if err == nil && ts != "" {
		s.posted.Add(1)
	}
	return err
}

// close stops the fakes and returns how many messages they accepted.
func (s *benchSender) close() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.retired != nil {
		s.retired.fake.Close()
	}
	s.cur.Load().fake.Close()
	s.stopped.Wait()
	return s.posted.Load()
}

// benchDrain runs benchSenders claim loops on the wall clock until all n reminders
// were claimed, sent (when send is not nil) and acked, one by one as the bot acks
// them, and returns each one's lag from due time to the end of its send. A reminder
// claimed twice fails the benchmark.
func benchDrain(b *testing.B, q *reminders.Redis, n int, send func(bot.Scheduled, int) error) []time.Duration {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var (
		done     atomic.Int64
		progress atomic.Int64
		seen     = make([]atomic.Bool, n)
		mu       sync.Mutex
		lags     = make([]time.Duration, 0, n)
		wg       sync.WaitGroup
	)
	progress.Store(clock.Wall().UnixNano())
	batch := benchClaimBatch
	if send != nil {
		batch = benchSendBatch
	}
	for range benchSenders {
		wg.Go(func() {
			mine := make([]time.Duration, 0, n/benchSenders)
			defer func() { mu.Lock(); lags = append(lags, mine...); mu.Unlock() }()
			for done.Load() < int64(n) && ctx.Err() == nil {
				items, err := q.Claim(ctx, clock.Wall(), bot.ReminderLease, batch)
				if err != nil {
					cancel(err)
					return
				}
				if len(items) == 0 {
					if clock.Elapsed(time.Unix(0, progress.Load())) > benchStall {
						cancel(fmt.Errorf("stalled at %d of %d reminders", done.Load(), n))
					}
					time.Sleep(benchIdlePoll) // polling, as RunReminders' ticker does
					continue
				}
				progress.Store(clock.Wall().UnixNano())
				for _, it := range items {
					i, err := strconv.Atoi(strings.Split(it.ID, ":")[1])
					i-- // ids count from 1, as ask ids do
					if err != nil || i < 0 || i >= n || seen[i].Swap(true) {
						cancel(fmt.Errorf("reminder %s claimed twice or unknown", it.ID))
						return
					}
					if send != nil {
						if err := send(it, i); err != nil {
							cancel(fmt.Errorf("send %s: %w", it.ID, err))
							return
						}
					}
					mine = append(mine, clock.Elapsed(it.At))
					if err := q.Ack(ctx, it.ID, it.Token); err != nil {
						cancel(err)
						return
					}
				}
				done.Add(int64(len(items)))
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		b.Fatal(err)
	}
	return lags
}

// benchRawZAdd is the baseline: the same members, batching and pipelining as
// ScheduleMany, as plain ZADD commands.
func benchRawZAdd(ctx context.Context, client *redis.Client, key string, ids []string) error {
	pipe := client.Pipeline()
	for start := 0; start < len(ids); start += benchZAddBatch {
		batch := ids[start:min(start+benchZAddBatch, len(ids))]
		zs := make([]redis.Z, len(batch))
		for i, id := range batch {
			zs[i] = redis.Z{Score: float64(start + i), Member: id}
		}
		pipe.ZAdd(ctx, key, zs...)
		if pipe.Len() == benchZAddDepth {
			if _, err := pipe.Exec(ctx); err != nil {
				return err
			}
		}
	}
	_, err := pipe.Exec(ctx)
	return err
}

// morningResult is what BenchmarkReminderMorning measured.
type morningResult struct {
	asks                   int
	zadd, rate             float64
	lagP50, lagP99, lagMax time.Duration
}

func (r morningResult) String() string {
	return fmt.Sprintf("asks=%d zadd=%.0f/s bot claim+record+send=%.0f/s (%.4fx zadd) lag 09:00→posted p50=%v p99=%v max=%v",
		r.asks, r.zadd, r.rate, r.rate/r.zadd, r.lagP50, r.lagP99, r.lagMax)
}

// BenchmarkReminderMorning runs the whole bot on a real SQLite file, Redis and
// the Slack fake, as serve runs it (RunReminders, every benchTick, and the outbox
// workers), on a clock set so that 09:00 on a reminder morning comes a moment
// after start: every open ask's reminder falls due at once, as it does each
// business morning. It reports the rate from claim to posted message and each
// reminder's lag from 09:00 to its message in the channel.
func BenchmarkReminderMorning(b *testing.B) {
	asks := benchEnvInt(b, "REMINDER_BENCH_ASKS", 5000)
	workers := benchEnvInt(b, "REMINDER_BENCH_WORKERS", 4)
	client := benchRedis(b)
	var r morningResult
	for b.Loop() {
		r = runMorning(b, client, asks, workers)
	}
	b.Log(r)
	b.ReportMetric(r.zadd, "zadd/s")
	b.ReportMetric(r.rate, "sent/s")
	b.ReportMetric(r.rate/r.zadd, "sent/zadd")
	b.ReportMetric(float64(r.lagP50.Microseconds())/1000, "lag_p50_ms")
	b.ReportMetric(float64(r.lagP99.Microseconds())/1000, "lag_p99_ms")
}

// shiftedClock is the wall clock moved by an offset the benchmark sets.
type shiftedClock struct{ offset atomic.Int64 }

func (c *shiftedClock) Now() time.Time { return clock.Wall().Add(time.Duration(c.offset.Load())) }

func (c *shiftedClock) setNow(t time.Time) { c.offset.Store(int64(t.Sub(clock.Wall()))) }

// postTimes wraps the bot's Slack client and notes when each reminder message was posted.
type postTimes struct {
	bot.Slack
	clock *shiftedClock
	mu    sync.Mutex
	at    map[string]time.Time
	all   chan struct{}
	want  int
}

func (p *postTimes) PostMessage(ctx context.Context, channelID string, m bot.Message) (string, error) {
	ts, err := p.Slack.PostMessage(ctx, channelID, m)
	if err == nil && strings.HasPrefix(m.Key, "reminder:") {
		p.mu.Lock()
		if _, dup := p.at[m.Key]; !dup {
			p.at[m.Key] = p.clock.Now()
			if len(p.at) == p.want {
				close(p.all)
			}
		}
		p.mu.Unlock()
	}
	return ts, err
}

func runMorning(b *testing.B, client *redis.Client, asks, workers int) morningResult {
	ctx := context.Background()
	const officesPerReferral = 5
	referrals := (asks + officesPerReferral - 1) / officesPerReferral
	asks = referrals * officesPerReferral
	r := morningResult{asks: asks}

	prefix := "referralbot:bench:bot:" + rand.Text() + ":"
	defer benchDeleteKeys(b, client, prefix)
	ids := make([]string, 1_000_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("ask:%d:due:%s:n:0", i+1, benchDue)
	}
	start := clock.Wall()
	if err := benchRawZAdd(ctx, client, prefix+"raw", ids); err != nil {
		b.Fatalf("raw zadd: %v", err)
	}
	r.zadd = benchRate(len(ids), clock.Elapsed(start))
	client.Unlink(ctx, prefix+"raw")

	clock := &shiftedClock{}
	clock.setNow(opened)
	fake := slackfake.New(slackfake.WithClock(clock.Now))
	defer fake.Close()
	fake.AddUser(analystID, "dana.analyst")
	roster := &bot.Roster{Analysts: []string{analystID}}
	var codes []string
	for i := range officesPerReferral {
		code := fmt.Sprintf("office%d", i)
		codes = append(codes, code)
		fake.AddUser(reviewerOf(code), code+".one")
		fake.AddUserGroup(groupOf(code), code+"-reviewers", reviewerOf(code))
		roster.Offices = append(roster.Offices, bot.Office{Code: code, Name: "Office " + strconv.Itoa(i), UserGroup: groupOf(code)})
	}
	db, err := store.Open(ctx, b.TempDir()+"/referralbot.db", clock.Now)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	api := slackapi.New(slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()),
		slack.OptionHTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}})), fake.BotUserID())
	posts := &postTimes{Slack: api, clock: clock, at: map[string]time.Time{}, all: make(chan struct{}), want: asks}
	svc := bot.NewService(db, posts, clock.Now, bot.Config{
		Roster: roster, Rules: deadline.NewRules(deadline.NewCalendar(ny), deadline.Defaults{}),
		Queue: reminders.NewRedis(client, prefix)})
	for i := range referrals {
		if _, err := svc.OpenReferral(ctx, analystID, bot.ReferralInput{
			Agency: "commerce", CaseNumber: fmt.Sprintf("Z%06d", i), LicenseType: "BIS-748P", Applicant: "Acme",
			Commodity: "Cameras", Classification: "6A003.b.4", Destination: "DE", Value: "1000",
			Received: "2026-11-30", OfficeDue: benchDue, Offices: codes,
		}, ""); err != nil {
			b.Fatal(err)
		}
	}
	if err := svc.DrainJobs(ctx); err != nil {
		b.Fatal(err)
	}

	// 09:00 on Tuesday, two business days ahead, comes in half a second.
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	clock.setNow(morning(8).Add(-500 * time.Millisecond))
	wg.Go(func() { svc.RunWorkers(runCtx, workers) })
	wg.Go(func() { svc.RunReminders(runCtx, benchTick) })
	select {
	case <-posts.all:
	case <-time.After(10 * time.Minute):
		b.Fatalf("%d of %d reminders posted after 10 minutes", len(posts.at), asks)
	}
	posts.mu.Lock()
	lags := make([]time.Duration, 0, len(posts.at))
	for _, at := range posts.at {
		lags = append(lags, at.Sub(morning(8)))
	}
	posts.mu.Unlock()
	slices.Sort(lags)
	r.lagP50, r.lagP99, r.lagMax = lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1]
	r.rate = float64(asks) / r.lagMax.Seconds()
	return r
}

// benchRedis connects to the test Redis and fails the benchmark if it does not answer.
func benchRedis(b *testing.B) *redis.Client {
	b.Helper()
	opts := redisOptions(b)
	opts.PoolSize = 4 * benchSenders
	client := redis.NewClient(opts)
	b.Cleanup(func() { client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		b.Fatalf("redis at %s did not answer (%v): the benchmark needs a real Redis; start one or set REDIS_URL", opts.Addr, err)
	}
	return client
}

// benchDeleteKeys removes every key under prefix.
func benchDeleteKeys(b *testing.B, client *redis.Client, prefix string) {
	ctx := context.Background()
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		client.Unlink(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		b.Errorf("scan %s*: %v", prefix, err)
	}
}

func benchEnvInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

func benchRate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }
