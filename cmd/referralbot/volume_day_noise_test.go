package main

import (
	"fmt"
	"strings"

	"github.com/referralbot/referralbot/internal/sandbox"
)

// The noise table of docs/VOLUME.md: what the day cost each reviewer, in each mode,
// read from the emulator's records (sandbox.Noise).

// figure is a mean over people, with the largest value.
type figure struct {
	mean float64
	max  int
}

func (f figure) String() string {
	if f.mean == float64(int(f.mean)) {
		return fmt.Sprintf("%d (%d)", int(f.mean), f.max)
	}
	return fmt.Sprintf("%.1f (%d)", f.mean, f.max)
}

func over(people []string, value func(string) int) figure {
	var f figure
	for _, p := range people {
		v := value(p)
		f.mean += float64(v)
		f.max = max(f.max, v)
	}
	f.mean /= float64(len(people))
	return f
}

// dayNoise is one mode's row of figures.
type dayNoise struct {
	channels figure   // conversations the bot posted in while the reviewer was there
	topLevel []figure // by business day: top-level posts where the reviewer was
	pings    []figure // by business day: posts that notified the reviewer
	replies  figure   // over the week: thread replies where the reviewer was
	analyst  figure   // over the week: the analysts' direct messages
}

// measure reads the day's figures from the emulator.
func (d *dayRun) measure(noise *sandbox.Noise) dayNoise {
	var reviewers []string
	for _, o := range d.App.Roster.Offices {
		reviewers = append(reviewers, sandbox.Reviewer(o.Code, 1), sandbox.Reviewer(o.Code, 2))
	}
	person := func(u string) *sandbox.PersonNoise {
		if p := noise.People[u]; p != nil {
			return p
		}
		return &sandbox.PersonNoise{}
	}
	n := dayNoise{
		channels: over(reviewers, func(u string) int { return len(person(u).Channels) }),
		replies:  over(reviewers, func(u string) int { return sandbox.Total(person(u).Replies) }),
		analyst: over([]string{analyst, analyst2}, func(u string) int {
			count := 0
			for _, m := range noise.Messages[d.Fake.DMChannel(u)] {
				if m.User == d.Fake.BotUserID() {
					count++
				}
			}
			return count
		}),
	}
	for j := 0; j <= lastMorning; j++ {
		day := dayCalendar[j].String()
		n.topLevel = append(n.topLevel, over(reviewers, func(u string) int { return person(u).TopLevel[day] }))
		n.pings = append(n.pings, over(reviewers, func(u string) int { return person(u).Pings[day] }))
	}
	return n
}

// noiseTable is the markdown table of docs/VOLUME.md.
func noiseTable(before, after dayNoise) string {
	var b strings.Builder
	row := func(what string, x, y any) { fmt.Fprintf(&b, "| %s | %v | %v |\n", what, x, y) }
	b.WriteString("| per reviewer: mean (max) over the 18 reviewers | referral channels (before) | office queues (after) |\n")
	b.WriteString("| --- | ---: | ---: |\n")
	row("channels the bot posts in that they are in", before.channels, after.channels)
	for j := 0; j <= lastMorning; j++ {
		what := dayCalendar[j].String()
		if j == 0 {
			what += " (250 referrals opened)"
		}
		row(what+": top-level posts", before.topLevel[j], after.topLevel[j])
		row(what+": notifications (mentions)", before.pings[j], after.pings[j])
	}
	row("whole week: thread replies (no badge)", before.replies, after.replies)
	row("whole week: direct messages per analyst", before.analyst, after.analyst)
	return b.String()
}
