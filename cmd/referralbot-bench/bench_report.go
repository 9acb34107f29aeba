package main

import (
	"fmt"
	"strings"
	"time"
)

// addAck adds part 1 and the memory figures.
func (r *benchReport) addAck(o *benchOptions, a *ackResult, baseRSS float64) {
	openOK := a.botOpen.failed == 0
	r.add(benchRow{metric: fmt.Sprintf("ack p50, signed Approve presses at %.0f/s", o.rate), unit: "ms",
		value: msOf(a.botOpen.pct(0.50)), baseline: msOf(a.bareOpen.pct(0.50)), baseName: "bare handler"})
	r.add(benchRow{metric: fmt.Sprintf("ack p99, signed Approve presses at %.0f/s", o.rate), unit: "ms",
		value: msOf(a.botOpen.pct(0.99)), baseline: msOf(a.bareOpen.pct(0.99)), baseName: "bare handler",
		target: fmt.Sprintf("< %d ms", targetAckP99.Milliseconds()), pass: verdict(openOK && a.botOpen.pct(0.99) < targetAckP99)})
	satRatio := a.botSat.perSecond() / a.bareSat.perSecond()
	r.add(benchRow{metric: fmt.Sprintf("presses answered/s at saturation (%d clients)", o.clients), unit: "/s",
		value: a.botSat.perSecond(), baseline: a.bareSat.perSecond(), baseName: "bare handler",
		target: fmt.Sprintf(">= %.1fx bare", targetSatRatio), pass: verdict(a.botSat.failed == 0 && satRatio >= targetSatRatio)})
	r.add(benchRow{metric: "position versions recorded per press answered", unit: "",
		value: float64(a.versions), baseline: float64(a.presses - a.refused), baseName: fmt.Sprintf("presses answered, less %d told to try again", a.refused),
		target: "every press", pass: verdict(a.versions == a.presses-a.refused && a.presses > a.refused)})
	r.note("Part 1: %d referrals (%d asks) pressed by the office's two reviewers in turn, each press a new version. "+
		"Latency at a fixed rate runs from each press's scheduled time (open loop), so queueing is not hidden. "+
		"Bot at saturation: p50 %v, p99 %v (bare: p50 %v, p99 %v). Failed presses: %d at %.0f/s, %d at saturation. "+
		"The outbox (4 workers, Slack fake without limits) was empty %v after the load stopped.",
		o.ackReferrals, 9*o.ackReferrals, ms(a.botSat.pct(0.5)), ms(a.botSat.pct(0.99)), ms(a.bareSat.pct(0.5)),
		ms(a.bareSat.pct(0.99)), a.botOpen.failed, o.rate, a.botSat.failed, a.drain.Round(time.Millisecond))
	if a.warnings != nil {
		r.note("Part 1: the bot logged %v", a.warnings)
	}

	c := a.child
	childOK := c != nil && c.skipped == ""
	inTarget, inPass := "", (*bool)(nil)
	if !childOK {
		inTarget, inPass = fmt.Sprintf("< %.0f MB", targetIdleRSSMB), verdict(a.rssIdle < targetIdleRSSMB)
	}
	r.add(benchRow{metric: "RSS idle after start-up, bench process (bot + Slack fake + generator)", unit: "MB",
		value: a.rssIdle, baseline: baseRSS, baseName: "bench process before start", target: inTarget, pass: inPass})
	r.add(benchRow{metric: "RSS peak under the part 1 load, bench process", unit: "MB",
		value: a.rssPeak, baseline: baseRSS, baseName: "bench process before start"})
	switch {
	case c == nil:
		r.note("Memory of the bot alone: not measured (-child=false); the bench process's RSS includes the Slack fake and the load generator.")
	case c.skipped != "":
		r.note("Memory of the bot alone: not measured (%s); the bench process's RSS includes the Slack fake and the load generator.", c.skipped)
	default:
		r.add(benchRow{metric: "RSS idle after start-up, `referralbot serve` alone", unit: "MB",
			value: c.idle, baseline: c.bareIdle, baseName: "bare handler process",
			target: fmt.Sprintf("< %.0f MB", targetIdleRSSMB), pass: verdict(c.idle < targetIdleRSSMB)})
		r.add(benchRow{metric: fmt.Sprintf("RSS peak at %.0f presses/s, `referralbot serve` alone", o.rate), unit: "MB",
			value: c.peak, baseline: c.barePeak, baseName: "bare handler process"})
		r.add(benchRow{metric: fmt.Sprintf("ack p99 at %.0f/s, `referralbot serve` alone", o.rate), unit: "ms",
			value: msOf(c.load.pct(0.99)), baseline: msOf(c.bareLoad.pct(0.99)), baseName: "bare handler process",
			target: fmt.Sprintf("< %d ms", targetAckP99.Milliseconds()), pass: verdict(c.load.failed == 0 && c.load.pct(0.99) < targetAckP99)})
		r.note("`referralbot serve` as a child process on part 1's database, against the same Slack fake: RSS read from /proc/<pid>/status "+
			"1 s after its reminder rebuild (idle), then sampled every 50 ms during %v at %.0f presses/s (peak; VmHWM %.1f MB). p50 %v. "+
			"Baseline: `referralbot-bench -bare-server` (the same binary serving only the signature check) under the same presses.",
			o.childLoad, o.rate, c.hwm, ms(c.load.pct(0.5)))
		if c.bareSkipped != "" {
			r.note("The bare handler process did not run (%s); its baselines are missing.", c.bareSkipped)
		}
		if c.warnings != nil {
			r.note("`referralbot serve` logged %v", c.warnings)
		}
	}
}

// addBurst adds part 2.
func (r *benchReport) addBurst(o *benchOptions, b burstResult) {
	minimum := b.minimum.Seconds()
	row := benchRow{metric: fmt.Sprintf("%d referrals opened in a burst: until all provisioned", o.burst), unit: "s",
		value: b.elapsed.Seconds(), baseline: minimum, baseName: "rate-limit minimum",
		target: fmt.Sprintf("<= %.2fx minimum", targetBurstRatio)}
	if minimum > 0 {
		row.pass = verdict(b.elapsed.Seconds() <= targetBurstRatio*minimum && b.provisioned == b.opened)
	} else {
		row.target = "n/a: too few referrals to be rate limited"
	}
	r.add(row)
	r.add(benchRow{metric: "referrals provisioned: 10 messages each, nothing failed", unit: "",
		value: float64(b.provisioned), baseline: float64(b.opened), baseName: "referrals opened",
		target: "all", pass: verdict(b.provisioned == b.opened && len(b.problems) == 0)})
	r.note("Part 2: the Slack fake enforced, per minute scaled %gx (a minute lasts %v): views.open 100, conversations.create 20, "+
		"conversations.setTopic 20, conversations.invite 50, usergroups.users.list 20, chat.update 50, conversations.history 50, "+
		"conversations.list 20, and chat.postMessage %d workspace-wide (assumed: Slack documents 1/s per channel plus an unpublished "+
		"workspace limit; the fake has no per-channel limit). Referrals were opened through the form (signed slash command, "+
		"views.open, signed view_submission), submitted in %v. Minimum: N calls at L per window need ceil(N/L)-1 windows after the first; "+
		"the binding method was %s. Successful calls: %s. Answered 429: %s.",
		o.scale, (time.Duration(float64(time.Minute) / o.scale)).Round(time.Millisecond), o.postPerMin,
		b.submitting.Round(time.Millisecond), b.binding, countList(b.calls), countList(b.limited))
	if len(b.problems) > 0 {
		r.note("Part 2 problems: %s", strings.Join(b.problems[:min(len(b.problems), 5)], "; "))
	}
}

// addStartup adds part 3.
func (r *benchReport) addStartup(s startupResult) {
	r.add(benchRow{metric: fmt.Sprintf("start-up with %d open referrals (newApp + reminder rebuild + first /readyz 200)", s.referrals), unit: "ms",
		value: msOf(s.full.total()), baseline: msOf(s.empty.total()), baseName: "empty database",
		target: fmt.Sprintf("< %d ms", targetStartup.Milliseconds()), pass: verdict(s.full.total() < targetStartup)})
	r.note("Part 3: %d referrals written straight into SQLite, provisioned, all nine asks awaiting (the worst case for the rebuild). "+
		"Median start-up: newApp %v, rebuild %v (%d reminders scheduled in the in-process queue), listen + /readyz %v; "+
		"empty database: newApp %v, rebuild %v, /readyz %v. Warm page cache; the first start is not counted. "+
		"Live heap the started bot holds (after a GC): %.1f MB, against %.1f MB with the empty database.",
		s.referrals, ms(s.full.newApp), ms(s.full.rebuild), s.full.reminders, ms(s.full.ready),
		ms(s.empty.newApp), ms(s.empty.rebuild), ms(s.empty.ready), s.full.heapMB, s.empty.heapMB)
	switch p := s.process; {
	case p == nil:
	case p.skipped != "":
		r.note("`referralbot serve` as a process on the start-up databases: not measured (%s).", p.skipped)
	default:
		r.add(benchRow{metric: fmt.Sprintf("`referralbot serve` process, %d open referrals: exec to first /readyz 200", s.referrals), unit: "ms",
			value: msOf(p.full.ready), baseline: msOf(p.empty.ready), baseName: "empty database"})
		r.add(benchRow{metric: fmt.Sprintf("`referralbot serve` process, %d open referrals: exec to reminders rebuilt", s.referrals), unit: "ms",
			value: msOf(p.full.rebuilt), baseline: msOf(p.empty.rebuilt), baseName: "empty database"})
		r.add(benchRow{metric: fmt.Sprintf("RSS idle after the rebuild, `referralbot serve`, %d open referrals", s.referrals), unit: "MB",
			value: p.full.rss, baseline: p.empty.rss, baseName: "empty database",
			target: fmt.Sprintf("< %.0f MB", targetIdleRSSMB), pass: verdict(p.full.rss < targetIdleRSSMB)})
		r.note("`referralbot serve` as a process (in-process reminder queue, no REDIS_URL): it listens after %v and answers /readyz "+
			"before its reminder rebuild, which runs in the background and logs \"reminder schedule rebuilt\" (exec to that line shown); "+
			"RSS read 1 s after it.", ms(p.full.listen))
	}
}
