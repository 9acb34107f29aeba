// Command referralbot-demo runs a whole referral through the built-in Slack
// emulator and prints a transcript: the README's "run it" command. It needs no
// settings, no Slack workspace and no Redis.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// demoStart is Friday 2026-11-27 10:00 in New York.
var demoStart = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "referralbot-demo:", err)
		os.Exit(1)
	}
}

// run runs a whole referral through the built-in Slack emulator in office-queue
// mode (each office works from its own queue channel): signed requests to the
// bot's real HTTP handlers, the outbox doing the Slack work, and the clock moved
// ahead to show reminders, the morning digest, the escalation and the archive. It
// prints what each person did and what the bot told Slack, the final record, and
// what it all cost in notifications.
func run(ctx context.Context, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "referralbot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	library := filepath.Join(dir, "provisos.yaml")
	if err := os.WriteFile(library, []byte(demoLibrary), 0o600); err != nil {
		return err
	}
	// The sandbox starts when the applicant's first earlier referral came in
	// (seedPrecedents), months before the story.
	sb, err := sandbox.New(ctx, "http", dir, seedStart, log, sandbox.WithQueues(), sandbox.WithSetting("PROVISO_LIBRARY_PATH", library))
	if err != nil {
		return fmt.Errorf("start the sandbox: %w", err)
	}
	defer sb.Close()
	d := &demoRun{ctx: ctx, sb: sb, out: stdout, names: map[string]string{}}
	for _, c := range sb.Fake.Channels() {
		d.names[c.ID] = c.Name
	}
	return d.run()
}

// demoRun narrates one demo: each step is a person's action followed by what the
// bot told Slack because of it, read from the emulator's record of Web API calls.
type demoRun struct {
	ctx   context.Context
	sb    *sandbox.Sandbox
	out   io.Writer
	seen  int               // Web API calls already narrated
	names map[string]string // channel id → name
	quiet bool              // while the earlier referrals are seeded: nothing is narrated
	err   error
}

func (d *demoRun) say(format string, args ...any) {
	if !d.quiet {
		fmt.Fprintf(d.out, format+"\n", args...)
	}
}

// act narrates a person's action, performs it, lets the bot finish its Slack work,
// and narrates what the bot did.
func (d *demoRun) act(who, what string, do func() (slackfake.Ack, error)) slackfake.Ack {
	if d.err != nil {
		return slackfake.Ack{}
	}
	d.say("\n▶ @%s %s", name(who), what)
	ack, err := do()
	if err == nil {
		err = d.sb.App.Service.DrainJobs(d.ctx)
	}
	if err != nil {
		d.err = fmt.Errorf("%s %s: %w", name(who), what, err)
		return ack
	}
	if txt := ack.Text(); txt != "" {
		d.say("  (only @%s sees) %s", name(who), d.readable(txt))
	}
	d.narrateCalls()
	return ack
}

// tick moves the clock and lets the reminder loop and the outbox run once.
func (d *demoRun) tick(to time.Time) {
	if d.err != nil {
		return
	}
	d.sb.Clock.Set(to)
	d.say("\n⏩ The clock moves to %s", to.In(d.sb.App.Config.Location()).Format("Mon 2006-01-02 15:04 MST"))
	if _, err := d.sb.App.Service.ProcessReminders(d.ctx); err != nil {
		d.err = err
		return
	}
	if err := d.sb.App.Service.DrainJobs(d.ctx); err != nil {
		d.err = err
		return
	}
	d.narrateCalls()
}

// narrateCalls prints the Web API calls made since the last narration.
func (d *demoRun) narrateCalls() {
	calls := d.sb.Fake.Calls()
	for _, c := range calls[d.seen:] {
		ch := c.Param("channel")
		switch {
		case c.Method == "chat.postEphemeral" && c.Error == "user_not_in_channel":
			d.say("  (@%s is not in %s, so the bot tells them by direct message)", name(c.Param("user")), d.where(ch))
			continue
		case c.Error != "":
			d.say("  bot → Slack %s failed: %s", c.Method, c.Error)
			continue
		}
		switch c.Method {
		case "conversations.create":
			d.say("  bot creates private channel #%s", c.Param("name"))
			for _, x := range d.sb.Fake.Channels() {
				d.names[x.ID] = x.Name
			}
		case "conversations.setTopic":
			d.say("  bot sets the topic of #%s: %q", d.channel(ch), c.Param("topic"))
		case "conversations.invite":
			var who []string
			for u := range strings.SplitSeq(c.Param("users"), ",") {
				who = append(who, "@"+name(u))
			}
			d.say("  bot invites %s to #%s", strings.Join(who, ", "), d.channel(ch))
		case "conversations.kick":
			d.say("  bot removes @%s from #%s", name(c.Param("user")), d.channel(ch))
		case "conversations.archive":
			d.say("  bot archives #%s", d.channel(ch))
		case "chat.postMessage":
			how := "posts in"
			if c.Param("thread_ts") != "" {
				how = "replies in a thread in"
			}
			// The lines of a digest after its first stand indented under it.
			d.say("  bot %s %s: %s", how, d.where(ch), strings.ReplaceAll(d.readable(c.Param("text")), "\n", "\n      "))
		case "chat.update":
			d.say("  bot updates its message in %s: %s", d.where(ch), d.readable(firstLine(c.Param("text"))))
		case "chat.postEphemeral":
			if p := panel(c.Param("blocks")); p != "" {
				// The precedent panel, shown whole: it is what the analyst reads.
				d.say("  (only @%s sees) %s", name(c.Param("user")), strings.ReplaceAll(d.readable(p), "\n", "\n      "))
				continue
			}
			d.say("  (only @%s sees) %s", name(c.Param("user")), d.readable(firstLine(c.Param("text"))))
		case "files.completeUploadExternal":
			d.say("  bot uploads the record to %s", d.where(c.Param("channel_id")))
		case "views.open":
			view, _ := c.JSON["view"].(map[string]any)
			title, _ := view["title"].(map[string]any)["text"].(string)
			d.say("  bot opens the %q form", title)
			if p := panel(view["blocks"]); p != "" {
				// One line per match in the form; its parts on lines of their own here.
				p = strings.NewReplacer("\n", "\n      ", " · ", "\n        ").Replace(d.readable(p))
				d.say("      %s", p)
			}
		}
	}
	d.seen = len(calls)
}

func (d *demoRun) channel(id string) string {
	if n, ok := d.names[id]; ok {
		return n
	}
	return id
}

// where names a channel, or the direct message it is.
func (d *demoRun) where(id string) string {
	if n, ok := d.names[id]; ok {
		return "#" + n
	}
	if c, ok := d.sb.Fake.Channel(id); ok && c.IsIM {
		for _, m := range c.Members {
			if m != d.sb.Fake.BotUserID() {
				return "a direct message to @" + name(m)
			}
		}
	}
	return id
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// name is how the demo shows a sandbox user: dana.analyst, army.one, …
func name(id string) string {
	switch id {
	case sandbox.Analyst:
		return "dana.analyst"
	case sandbox.Analyst2:
		return "sam.analyst"
	case sandbox.Delegate:
		return "dee.delegate"
	case sandbox.Outsider:
		return "olly.outsider"
	}
	for _, o := range bot.DefaultOffices() {
		for n, suffix := range map[int]string{1: ".one", 2: ".two"} {
			if id == sandbox.Reviewer(o.Code, n) {
				return o.Code + suffix
			}
		}
	}
	return id
}
