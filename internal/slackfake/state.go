package slackfake

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/slack-go/slack"
)

// state is everything the fake workspace holds; Server.mu guards it.
type state struct {
	seq    map[string]int
	lastTS int64

	people   map[string]*person
	groups   map[string]*userGroup
	groupIDs []string

	channels   map[string]*Channel
	channelIDs []string
	ims        map[string]string // person id → direct message channel id
	messages   map[string][]*Message
	ephemerals []*Ephemeral

	views   map[string]*viewRecord
	viewIDs []string
	stacks  map[string][]string // person id → open modal stack, root first
	homes   map[string]string   // person id → Home tab view id

	files   map[string]*File
	fileIDs []string

	triggers      map[string]*trigger
	responseURLs  map[string]*responseURL
	responsePosts []ResponseURLPost
	events        map[string]*sentEvent

	calls  []Call
	faults faults
}

func newState() state {
	return state{
		seq:          map[string]int{},
		people:       map[string]*person{},
		groups:       map[string]*userGroup{},
		channels:     map[string]*Channel{},
		ims:          map[string]string{},
		messages:     map[string][]*Message{},
		views:        map[string]*viewRecord{},
		stacks:       map[string][]string{},
		homes:        map[string]string{},
		files:        map[string]*File{},
		triggers:     map[string]*trigger{},
		responseURLs: map[string]*responseURL{},
		events:       map[string]*sentEvent{},
		faults:       newFaults(),
	}
}

// person is a member of the fake workspace.
type person struct {
	ID, Name string
	IsBot    bool
}

func (st *state) addPerson(p *person) { st.people[p.ID] = p }

// Channel is a conversation as the fake holds it.
type Channel struct {
	ID         string
	Name       string // empty for a direct message
	IsPrivate  bool
	IsIM       bool
	IsArchived bool
	Creator    string
	Created    time.Time
	Topic      string
	TopicSetBy string
	TopicSetAt time.Time
	Members    []string // in the order they joined
}

// HasMember reports whether userID is in the channel.
func (c Channel) HasMember(userID string) bool { return slices.Contains(c.Members, userID) }

func (c *Channel) clone() Channel {
	out := *c
	out.Members = slices.Clone(c.Members)
	return out
}

// Message is a message in a channel: current content after any updates.
type Message struct {
	Channel    string
	TS         string
	ThreadTS   string
	User       string // who posted it: the bot user, or a person (PostAsUser)
	BotID      string // set when the bot posted it
	Text       string
	BlocksJSON []byte // blocks as Slack stores them: block_id and action_id filled in
	Blocks     slack.Blocks
	Metadata   *slack.SlackMetadata // nil when the message has none
	Posted     time.Time
	Updates    int // how many times chat.update (or replace_original) changed it
	EditedAt   time.Time
}

func (m *Message) clone() Message {
	out := *m
	out.BlocksJSON = slices.Clone(m.BlocksJSON)
	out.Blocks = parseBlocks(m.BlocksJSON)
	if m.Metadata != nil {
		md := *m.Metadata
		out.Metadata = &md
	}
	return out
}

// Ephemeral is a message only one person sees, from chat.postEphemeral, a response_url
// or a slash command's ack.
type Ephemeral struct {
	Channel    string
	User       string // who sees it
	TS         string
	Text       string
	BlocksJSON []byte
	Blocks     slack.Blocks
	Posted     time.Time
	Deleted    bool // deleted through delete_original
}

func (e *Ephemeral) clone() Ephemeral {
	out := *e
	out.BlocksJSON = slices.Clone(e.BlocksJSON)
	out.Blocks = parseBlocks(e.BlocksJSON)
	return out
}

// File is a file uploaded through files.getUploadURLExternal and shared through
// files.completeUploadExternal.
type File struct {
	ID             string
	Name           string
	Title          string
	Length         int // as declared to files.getUploadURLExternal
	Content        []byte
	Uploaded       bool // the content arrived at the upload URL
	Completed      bool // files.completeUploadExternal finished it
	Channels       []string
	InitialComment string
	ThreadTS       string
	Created        time.Time
}

func parseBlocks(raw []byte) slack.Blocks {
	var b slack.Blocks
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &b)
	}
	return b
}

// canSee reports whether a person can see a channel: public channels are visible to
// everyone, private ones and direct messages only to members.
func (c *Channel) canSee(userID string) bool {
	return (!c.IsPrivate && !c.IsIM) || c.HasMember(userID)
}

// findMessage finds a message by channel and ts. Call with s.mu held.
func (s *Server) findMessage(channelID, ts string) *Message {
	for _, m := range s.st.messages[channelID] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}
