package sandbox

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/referralbot/referralbot/internal/slackfake"
)

// Noise is what the bot's Slack traffic cost the people in the workspace, read
// from the emulator's record of Web API calls. Slack badges a channel for every
// top-level post in it, badges nothing for a thread reply (only the thread's
// followers see it), and notifies for a mention of someone or of their user group
// and for a direct message. Editing a message notifies nobody, so mentions are
// read from what each post said when it was posted.
type Noise struct {
	Days     []string                // days with bot posts, "2006-01-02" in the bot's time zone, in order
	People   map[string]*PersonNoise // by user id: everyone who was in a conversation the bot posted in
	Channels []ChannelNoise          // every conversation the bot posted in, in creation order
	// Messages holds every conversation's messages as they are now, read once so
	// that a caller can check them further without reading the emulator again.
	Messages map[string][]slackfake.Message
}

// PersonNoise is what reached one person, by day ("2006-01-02").
type PersonNoise struct {
	Channels []string       // conversations (not direct messages) the bot posted in while they were there
	TopLevel map[string]int // top-level bot posts (file shares and direct messages included) where they were
	Replies  map[string]int // bot thread replies where they were
	Pings    map[string]int // bot posts that notified them: a mention of them or their group, or a direct message
}

// ChannelNoise is the bot's traffic in one conversation.
type ChannelNoise struct {
	ID, Name string
	IM       bool
	TopLevel int // posts not in a thread, file shares included
	Replies  int // posts in a thread
}

// Total adds up a by-day count.
func Total(byDay map[string]int) int {
	n := 0
	for _, v := range byDay {
		n += v
	}
	return n
}

// post is one bot post as the Web API call that made it.
type post struct {
	at    time.Time
	reply bool
	text  string // the text and blocks sent, where mentions are
}

// Noise reads the emulator's records. A person is counted in a conversation from
// their invitation (or from the start, for the channels the sandbox made) until
// they were removed; user groups are as the sandbox made them.
func (sb *Sandbox) Noise() *Noise {
	loc := sb.App.Config.Location()
	day := func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
	calls := sb.Fake.Calls()
	posts := postsByChannel(calls)
	joined, left := membership(calls)

	n := &Noise{People: map[string]*PersonNoise{}, Messages: map[string][]slackfake.Message{}}
	days := map[string]bool{}
	for _, c := range sb.Fake.Channels() {
		n.Messages[c.ID] = sb.Fake.Messages(c.ID)
		ps := posts[c.ID]
		if len(ps) == 0 {
			continue
		}
		cn := ChannelNoise{ID: c.ID, Name: c.Name, IM: c.IsIM}
		for _, p := range ps {
			days[day(p.at)] = true
			if p.reply {
				cn.Replies++
			} else {
				cn.TopLevel++
			}
		}
		n.Channels = append(n.Channels, cn)
		people := slices.Clone(c.Members)
		for u := range joined[c.ID] {
			if !slices.Contains(people, u) {
				people = append(people, u)
			}
		}
		for _, u := range people {
			if u != sb.Fake.BotUserID() {
				sb.reached(n.person(u), u, c, ps, joined[c.ID][u], left[c.ID][u], day)
			}
		}
	}
	for d := range days {
		n.Days = append(n.Days, d)
	}
	slices.Sort(n.Days)
	return n
}

func (n *Noise) person(id string) *PersonNoise {
	p := n.People[id]
	if p == nil {
		p = &PersonNoise{TopLevel: map[string]int{}, Replies: map[string]int{}, Pings: map[string]int{}}
		n.People[id] = p
	}
	return p
}

// reached counts the posts in c that reached user while they were there.
func (sb *Sandbox) reached(pn *PersonNoise, user string, c slackfake.Channel, ps []post, from, until time.Time, day func(time.Time) string) {
	in := false
	for _, p := range ps {
		if p.at.Before(from) || !until.IsZero() && !p.at.Before(until) {
			continue
		}
		in = true
		d := day(p.at)
		if p.reply {
			pn.Replies[d]++
		} else {
			pn.TopLevel[d]++
		}
		if c.IsIM || sb.mentions(p.text, user) {
			pn.Pings[d]++
		}
	}
	if in && !c.IsIM {
		pn.Channels = append(pn.Channels, c.ID)
	}
}

// postsByChannel reads the bot's posts from its successful chat.postMessage and
// files.completeUploadExternal calls.
func postsByChannel(calls []slackfake.Call) map[string][]post {
	out := map[string][]post{}
	for _, c := range calls {
		if c.Error != "" {
			continue
		}
		switch c.Method {
		case "chat.postMessage":
			blocks := c.Params.Get("blocks")
			if raw, ok := c.JSON["blocks"]; ok {
				b, _ := json.Marshal(raw)
				blocks = string(b)
			}
			out[c.Param("channel")] = append(out[c.Param("channel")], post{
				at: c.At, reply: c.Param("thread_ts") != "", text: c.Param("text") + jsonHTML.Replace(blocks),
			})
		case "files.completeUploadExternal":
			ch := c.Param("channel_id")
			out[ch] = append(out[ch], post{at: c.At, reply: c.Param("thread_ts") != "", text: c.Param("initial_comment")})
		}
	}
	return out
}

// membership reads, from the Web API calls, when each person was invited into
// each channel and when they were removed from it.
func membership(calls []slackfake.Call) (joined, left map[string]map[string]time.Time) {
	joined, left = map[string]map[string]time.Time{}, map[string]map[string]time.Time{}
	note := func(m map[string]map[string]time.Time, ch, user string, at time.Time) {
		if m[ch] == nil {
			m[ch] = map[string]time.Time{}
		}
		if _, ok := m[ch][user]; !ok {
			m[ch][user] = at
		}
	}
	for _, c := range calls {
		switch c.Method {
		case "conversations.invite":
			// A forced invite that names someone already there still invites the rest.
			for u := range strings.SplitSeq(c.Param("users"), ",") {
				note(joined, c.Param("channel"), strings.TrimSpace(u), c.At)
			}
		case "conversations.kick":
			if c.Error == "" {
				note(left, c.Param("channel"), c.Param("user"), c.At)
			}
		}
	}
	return joined, left
}

// jsonHTML undoes the escapes encoding/json writes for <, > and &.
var jsonHTML = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// mentions reports whether a post mentions the person, one of the user groups
// the sandbox put them in, or the whole channel.
func (sb *Sandbox) mentions(text, user string) bool {
	if strings.Contains(text, "<@"+user+">") || strings.Contains(text, "<@"+user+"|") ||
		strings.Contains(text, "<!channel>") || strings.Contains(text, "<!here>") {
		return true
	}
	for _, g := range sb.groups[user] {
		if strings.Contains(text, "<!subteam^"+g+">") || strings.Contains(text, "<!subteam^"+g+"|") {
			return true
		}
	}
	return false
}
