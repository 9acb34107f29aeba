package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
	"github.com/referralbot/referralbot/store"
)

// TestMain lets the test binary serve as the bot itself, so crash tests can run it as
// a separate process and kill it with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("REFERRALBOT_CHILD") == "serve" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		// The child sees the tests' day, whatever day it runs, at the real rate.
		if err := run(ctx, clock.From(start), []string{"serve"}, os.Getenv, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashProxy sits between the bot process and the Slack emulator. It counts the
// calls per method, and at a chosen call it tells the test and never answers: the
// test then kills the bot, "after" Slack did what it was asked (the emulator applied
// it) or "before" (the call never reached Slack).
type crashProxy struct {
	srv  *httptest.Server
	mu   sync.Mutex
	cond *sync.Cond
	n    map[string]int
	seq  []string // every call, in order, shown when the test fails
	at   string   // method to crash at
	nth  int      // on its nth call
	mode string   // "after" or "before"
	hit  chan struct{}
	hold chan struct{}
}

func newCrashProxy(t *testing.T, fake *slackfake.Server) *crashProxy {
	p := &crashProxy{n: map[string]int{}, hit: make(chan struct{}), hold: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	target, _ := url.Parse(fake.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		// Forward a copy of the body. ReverseProxy's transport may read the body once
		// more after sending it, and by then the server has closed it (golang/go#40747):
		// the transport then drops the connection to the emulator mid-answer, and the
		// bot hears "unexpected EOF" from Slack that Slack never said.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.mu.Lock()
		p.n[method]++
		p.seq = append(p.seq, method)
		crash := method == p.at && p.n[method] == p.nth
		mode := p.mode
		p.cond.Broadcast()
		p.mu.Unlock()
		if crash && mode == "pause" {
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			close(p.hit)
			<-p.hold // answered late, once the test lets go
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		if crash && mode == "before" {
			close(p.hit)
			<-p.hold
			return
		}
		if crash {
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r) // Slack applies the call
			close(p.hit)
			<-p.hold // the answer never reaches the bot
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		if t.Failed() {
			p.mu.Lock()
			t.Logf("calls to Slack, in order: %s", strings.Join(p.seq, " "))
			p.mu.Unlock()
		}
		select {
		case <-p.hold:
		default:
			close(p.hold)
		}
		p.srv.Close()
	})
	return p
}

// crashAt sets the call to crash at: the nth call to method from now on counting
// all calls so far, killing "before" or "after" Slack applies it.
func (p *crashProxy) crashAt(method string, nth int, mode string) {
	p.mu.Lock()
	p.at, p.nth, p.mode = method, nth, mode
	p.mu.Unlock()
}

// waitFor blocks until cond holds over the call counts.
func (p *crashProxy) waitFor(t *testing.T, what string, cond func(n map[string]int) bool) {
	t.Helper()
	done := make(chan struct{})
	timer := time.AfterFunc(20*time.Second, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
		close(done)
	})
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for !cond(p.n) {
		select {
		case <-done:
			t.Fatalf("timed out waiting for %s; calls: %v", what, p.n)
		default:
		}
		p.cond.Wait()
	}
}

// child is one bot process.
type botProcess struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	log  []string // what the process printed, shown when the test fails
}

func startBotProcess(t *testing.T, env []string) *botProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "REFERRALBOT_CHILD=serve", "HTTP_ADDR=127.0.0.1:0", "LOG_FORMAT=json")...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &botProcess{cmd: cmd}
	t.Cleanup(func() {
		c.kill(syscall.SIGKILL)
		if t.Failed() {
			c.mu.Lock()
			defer c.mu.Unlock()
			t.Logf("bot process %d printed:\n%s", cmd.Process.Pid, strings.Join(c.log, "\n"))
		}
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		c.keep(lines.Text())
		var rec struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "listening" {
			c.addr = rec.Addr
			break
		}
	}
	if c.addr == "" {
		t.Fatalf("bot process did not start listening")
	}
	go func() { // keep the pipe drained
		for lines.Scan() {
			c.keep(lines.Text())
		}
	}()
	return c
}

func (c *botProcess) keep(line string) {
	c.mu.Lock()
	c.log = append(c.log, line)
	c.mu.Unlock()
}

func (c *botProcess) kill(sig syscall.Signal) {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(sig)
	_ = c.cmd.Wait()
}

// stop sends SIGTERM and waits: the bot must finish the work in flight and exit
// cleanly, so a crash on the way out fails the test instead of passing for a kill.
func (c *botProcess) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("stop bot process: %v", err)
	}
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("bot process exited with %v after SIGTERM; want a clean exit", err)
	}
}

// crashWorld is a Slack emulator, the proxy and a database shared by bot processes.
type crashWorld struct {
	fake  *slackfake.Server
	proxy *crashProxy
	env   []string
	db    string
}

func newCrashWorld(t *testing.T) *crashWorld {
	t.Helper()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	var roster strings.Builder
	fmt.Fprintf(&roster, "analysts: [%s]\noffices:\n", analyst)
	fake.AddUser(analyst, "dana.analyst")
	members := []string{analyst}
	for _, o := range bot.DefaultOffices() {
		fake.AddUser(reviewer(o.Code, 1), o.Code+".one")
		fake.AddUserGroup(group(o.Code), o.Code, reviewer(o.Code, 1))
		members = append(members, reviewer(o.Code, 1))
		fmt.Fprintf(&roster, "  - {code: %s, name: %q, usergroup: %s}\n", o.Code, o.Name, group(o.Code))
	}
	fake.AddChannel("general", false, members...)
	dir := t.TempDir()
	rosterPath := filepath.Join(dir, "roster.yaml")
	if err := os.WriteFile(rosterPath, []byte(roster.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &crashWorld{fake: fake, proxy: newCrashProxy(t, fake), db: filepath.Join(dir, "bot.db")}
	w.env = []string{
		"SLACK_BOT_TOKEN=" + fake.BotToken(), "SLACK_SIGNING_SECRET=" + sandbox.SigningSecret, "SLACK_APP_TOKEN=",
		"SLACK_API_URL=" + w.proxy.srv.URL + "/api/", "DATABASE_PATH=" + w.db, "ROSTER_PATH=" + rosterPath,
		"OUTBOX_WORKERS=1", "OUTBOX_LEASE=1s", "REDIS_URL=", "SLACK_RATE_SCALE=0",
	}
	return w
}

func (w *crashWorld) tr(c *botProcess) slackfake.HTTPTransport {
	return slackfake.HTTPTransport{BaseURL: "http://" + c.addr, SigningSecret: sandbox.SigningSecret}
}

func (w *crashWorld) open(t *testing.T, c *botProcess) {
	t.Helper()
	general, _ := w.fake.ChannelByName("general")
	if _, err := w.fake.SlashCommand(w.tr(c), analyst, general.ID, "/referral", "new"); err != nil {
		t.Fatal(err)
	}
	v, _ := w.fake.LastView(analyst)
	ack, err := w.fake.SubmitView(w.tr(c), analyst, v.ID, referralInputs("Z123456")...)
	if err != nil || len(ack.Body) != 0 {
		t.Fatalf("open: %s %v", ack.Body, err)
	}
}

// check reads the database as it is on disk and the emulator's state.
func (w *crashWorld) check(t *testing.T) (*bot.Referral, []*bot.Ask) {
	t.Helper()
	db, err := store.Open(context.Background(), w.db, clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.ReferralByCase(context.Background(), bot.AgencyCommerce, "Z123456")
	if err != nil {
		t.Fatal(err)
	}
	asks, _ := db.Asks(context.Background(), r.ID)
	var ours []string
	for _, c := range w.fake.Channels() {
		if c.Creator == w.fake.BotUserID() {
			ours = append(ours, c.Name)
		}
	}
	if len(ours) != 1 || ours[0] != "ref-commerce-z123456" || r.ChannelID == "" {
		t.Errorf("channels the bot made = %v; want exactly ref-commerce-z123456", ours)
	}
	if got := len(w.fake.Messages(r.ChannelID)); got != 10 {
		t.Errorf("channel has %d messages; want summary + 9 asks, once each", got)
	}
	if !r.Provisioned || len(asks) != 9 {
		t.Errorf("provisioned = %v, asks = %d", r.Provisioned, len(asks))
	}
	return r, asks
}

// TestKilledWhileOpening kills the bot process with SIGKILL after (or before) each
// Slack step of opening a referral; a restarted bot completes the opening, and nothing
// is doubled.
func TestKilledWhileOpening(t *testing.T) {
	// found is how many messages the killed bot posted without recording them: the
	// restarted bot must find each and update it rather than post it again. The
	// summary is recorded as soon as it is posted, the asks all at once after the last.
	steps := []struct {
		method string
		nth    int
		mode   string
		found  int
	}{
		{"conversations.create", 1, "after", 0},
		{"conversations.create", 1, "before", 0},
		{"conversations.setTopic", 1, "after", 0},
		{"conversations.invite", 1, "after", 0},
		{"chat.postMessage", 1, "after", 1},
		{"chat.postMessage", 2, "after", 1},
		{"chat.postMessage", 10, "after", 9},
	}
	for _, s := range steps {
		t.Run(fmt.Sprintf("%s %s #%d", s.mode, s.method, s.nth), func(t *testing.T) {
			w := newCrashWorld(t)
			w.proxy.crashAt(s.method, s.nth, s.mode)
			first := startBotProcess(t, w.env)
			w.open(t, first)
			<-w.proxy.hit
			first.kill(syscall.SIGKILL)
			close(w.proxy.hold)

			second := startBotProcess(t, w.env)
			// Opening ends with the summary and the nine asks out. A message the killed
			// bot posted without recording it is found and updated, not posted again.
			w.proxy.waitFor(t, "the opening to complete", func(n map[string]int) bool {
				return n["chat.postMessage"] >= 10 && n["chat.update"] >= s.found
			})
			second.stop(t)
			w.check(t)
		})
	}
}

// TestKilledWhileRecording kills the bot right after a position is recorded, before
// and after the ask message is updated; after a restart the messages catch up and the
// position is recorded once.
func TestKilledWhileRecording(t *testing.T) {
	for _, mode := range []string{"before", "after"} {
		t.Run(mode+" the ask update", func(t *testing.T) {
			w := newCrashWorld(t)
			first := startBotProcess(t, w.env)
			w.open(t, first)
			w.proxy.waitFor(t, "the opening", func(n map[string]int) bool { return n["chat.postMessage"] >= 10 })
			first.stop(t) // lets the opening's last step finish
			first = startBotProcess(t, w.env)
			r, asks := w.check(t)
			w.proxy.mu.Lock()
			next := w.proxy.n["chat.update"] + 1
			w.proxy.mu.Unlock()
			w.proxy.crashAt("chat.update", next, mode)
			ack, err := w.fake.ClickButton(w.tr(first), reviewer("army", 1), r.ChannelID, asks[0].MessageTS, "answer_approve")
			if err != nil || ack.Status != 200 {
				t.Fatalf("press: %d %v", ack.Status, err)
			}
			<-w.proxy.hit
			first.kill(syscall.SIGKILL)
			close(w.proxy.hold)

			second := startBotProcess(t, w.env)
			w.proxy.waitFor(t, "the ask and summary updates", func(n map[string]int) bool { return n["chat.update"] >= next+2 })
			second.stop(t)
			db, err := store.Open(context.Background(), w.db, clock.Stopped(start))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			history, _ := db.Positions(context.Background(), asks[0].ID)
			if len(history) != 1 {
				t.Errorf("versions = %d; want 1", len(history))
			}
			msgs := w.fake.Messages(r.ChannelID)
			if !strings.Contains(msgs[0].Text, "1 of 9 offices answered") {
				t.Errorf("summary = %q; want it to count the answer", msgs[0].Text)
			}
			ask, _ := w.fake.FindMessage(r.ChannelID, func(m slackfake.Message) bool { return m.TS == asks[0].MessageTS })
			if !strings.Contains(ask.Text, "Approve") {
				t.Errorf("ask message = %q; want the position shown", ask.Text)
			}
			if n := len(msgs); n != 10 {
				t.Errorf("messages = %d; want 10", n)
			}
		})
	}
}

// TestGracefulShutdown sends SIGTERM while the bot is in the middle of Slack work:
// it finishes the work in flight and exits cleanly; a later start has nothing left
// to redo.
func TestGracefulShutdown(t *testing.T) {
	w := newCrashWorld(t)
	w.proxy.crashAt("chat.postMessage", 3, "pause") // the second ask is on its way to Slack
	bot1 := startBotProcess(t, w.env)
	w.open(t, bot1)
	<-w.proxy.hit
	if err := bot1.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	close(w.proxy.hold) // Slack answers the call the bot was waiting on

	if err := bot1.cmd.Wait(); err != nil {
		t.Fatalf("bot exited with %v; want a clean exit after SIGTERM", err)
	}
	r, _ := w.check(t) // the opening was finished before exiting
	if !r.Provisioned {
		t.Fatal("in-flight opening not finished on shutdown")
	}
	calls := map[string]int{}
	w.proxy.mu.Lock()
	for k, v := range w.proxy.n {
		calls[k] = v
	}
	w.proxy.mu.Unlock()

	bot2 := startBotProcess(t, w.env)
	// A press through the new process proves it serves, and its update goes out.
	asks := mustAsks(t, w.db, r.ID)
	if ack, err := w.fake.ClickButton(w.tr(bot2), reviewer("army", 1), r.ChannelID, asks[0].MessageTS, "answer_approve"); err != nil || ack.Status != 200 {
		t.Fatalf("press after restart: %d %v", ack.Status, err)
	}
	w.proxy.waitFor(t, "the ask update", func(n map[string]int) bool { return n["chat.update"] >= calls["chat.update"]+2 })
	bot2.stop(t)
	w.proxy.mu.Lock()
	defer w.proxy.mu.Unlock()
	for _, m := range []string{"conversations.create", "chat.postMessage", "conversations.invite"} {
		if w.proxy.n[m] != calls[m] {
			t.Errorf("%s called %d more times after restart; the shut-down bot left work undone", m, w.proxy.n[m]-calls[m])
		}
	}
}

func mustAsks(t *testing.T, path string, referralID int64) []*bot.Ask {
	t.Helper()
	db, err := store.Open(context.Background(), path, clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	asks, err := db.Asks(context.Background(), referralID)
	if err != nil {
		t.Fatal(err)
	}
	return asks
}
