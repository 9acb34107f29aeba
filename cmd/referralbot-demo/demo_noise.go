package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/referralbot/referralbot/internal/sandbox"
)

// noise prints what the referral cost the people in the workspace, read from the
// emulator's record of the bot's Web API calls (sandbox.Noise).
func (d *demoRun) noise() {
	if d.err != nil {
		return
	}
	n := d.sb.Noise()
	d.say("\n──────── Noise: what this referral cost the people in the workspace ────────\n")
	d.say("Top-level bot messages per channel (each one marks the channel unread for its members) and")
	d.say("thread replies (they mark nothing unread). A queue holds its office's ask and its morning")
	d.say("digests; the referral's channel its summary, the final recommendation and the record:")
	replies := 0
	for _, c := range n.Channels {
		if !c.IM {
			d.say("  #%-22s %2d top-level  %2d in threads", c.Name, c.TopLevel, c.Replies)
			replies += c.Replies
		}
	}
	d.say("Direct messages:")
	for _, c := range n.Channels {
		if c.IM {
			first := ""
			if ms := n.Messages[c.ID]; len(ms) > 0 {
				first = firstLine(d.readable(ms[0].Text))
			}
			d.say("  @%-22s %2d  (%s)", name(d.imPerson(c.ID)), c.TopLevel, first)
		}
	}
	d.say("Thread replies in all: %d, each under the ask it is about.", replies)

	byChannels, byPings := map[int][]string{}, map[int][]string{}
	reviewers := 0
	for _, o := range d.sb.App.Roster.Offices {
		for i := 1; i <= 2; i++ {
			who, p := sandbox.Reviewer(o.Code, i), &sandbox.PersonNoise{}
			if got := n.People[who]; got != nil {
				p = got
			}
			byChannels[len(p.Channels)] = append(byChannels[len(p.Channels)], "@"+name(who))
			byPings[sandbox.Total(p.Pings)] = append(byPings[sandbox.Total(p.Pings)], "@"+name(who))
			reviewers++
		}
	}
	d.say("Channels per reviewer (of %d): %s.", reviewers, tally(byChannels, "channel"))
	d.say("Notifications per reviewer (mentions and direct messages): %s.", tally(byPings, "notification"))
}

// tally says how many people have each count: "1 channel: 17 (…); 2 channels: @policy.one".
func tally(by map[int][]string, unit string) string {
	var counts []int
	for k := range by {
		counts = append(counts, k)
	}
	slices.Sort(counts)
	var parts []string
	for _, k := range counts {
		who := by[k]
		label := fmt.Sprintf("%d %s", k, unit)
		if k != 1 {
			label += "s"
		}
		if len(who) > 3 {
			parts = append(parts, fmt.Sprintf("%s for %d", label, len(who)))
		} else {
			parts = append(parts, fmt.Sprintf("%s for %s", label, strings.Join(who, ", ")))
		}
	}
	return strings.Join(parts, "; ")
}

// imPerson is the person (not the bot) in a direct message.
func (d *demoRun) imPerson(id string) string {
	c, _ := d.sb.Fake.Channel(id)
	for _, m := range c.Members {
		if m != d.sb.Fake.BotUserID() {
			return m
		}
	}
	return id
}

// slackMarkup matches Slack's <…> tokens: mentions, channel links, links, dates.
var slackMarkup = regexp.MustCompile(`<([^<>|]+)(?:\|([^<>]*))?>`)

// readable shows a message as a person reads it in Slack: @names and #channels
// instead of raw ids, a link's text instead of its address, no bold or code marks.
func (d *demoRun) readable(text string) string {
	text = slackMarkup.ReplaceAllStringFunc(text, func(tok string) string {
		m := slackMarkup.FindStringSubmatch(tok)
		target, label := m[1], m[2]
		switch {
		case strings.HasPrefix(target, "@"):
			return "@" + name(target[1:])
		case strings.HasPrefix(target, "#"):
			return "#" + d.channel(target[1:])
		case strings.HasPrefix(target, "!subteam^"):
			return "@" + strings.ToLower(strings.TrimPrefix(target, "!subteam^S")) + "-reviewers"
		case label != "":
			return label
		}
		return target
	})
	return emoji.Replace(slackStyle.ReplaceAllString(text, "${1}${2}"))
}

// slackStyle matches Slack's *bold* and `code` spans, whose marks the narration
// leaves out; a lone star (a classification family, 6A003.*) stays.
var slackStyle = regexp.MustCompile("\\*([^*\n]+)\\*|`([^`\n]+)`")

// emoji shows the emoji codes the bot writes as Slack draws them.
var emoji = strings.NewReplacer(":sunrise:", "🌅", ":rotating_light:", "🚨", ":alarm_clock:", "⏰",
	":warning:", "⚠️", ":no_entry_sign:", "🚫", ":lock:", "🔒", ":books:", "📚")
