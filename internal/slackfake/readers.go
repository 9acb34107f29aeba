package slackfake

import (
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/slack-go/slack"
)

// View is a modal or Home tab as the fake holds it.
type View struct {
	ID              string
	Type            string // "modal" or "home"
	UserID          string // whom it was opened or published for
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	Title           string // the modal's title text
	Submit          string // the submit button's text, "" when there is none
	Close           string // the close button's text
	JSON            []byte // the view as views.* return it
	BlocksJSON      []byte // blocks as Slack stores them: block_id and action_id filled in
	Blocks          slack.Blocks
	Hash            string
	RootViewID      string
	PreviousViewID  string
	Opened          time.Time
	Updates         int               // views.update, views.publish again, or response_action update
	Closed          bool              // closed by a submission ack, a push's parent closing, or CloseView
	Errors          map[string]string // of the last response_action errors ack, by block_id
}

// snapshot copies a view for a reader. Call with s.mu held.
func (s *Server) snapshot(v *viewRecord) View {
	raw, _ := json.Marshal(s.viewJSON(v))
	blocks, _ := json.Marshal(v.spec["blocks"])
	return View{
		ID: v.id, Type: v.kind, UserID: v.userID,
		CallbackID: str(v.spec["callback_id"]), PrivateMetadata: str(v.spec["private_metadata"]),
		ExternalID: str(v.spec["external_id"]), Title: textOf(v.spec["title"]),
		Submit: textOf(v.spec["submit"]), Close: textOf(v.spec["close"]),
		JSON: raw, BlocksJSON: blocks, Blocks: parseBlocks(blocks), Hash: v.hash,
		RootViewID: v.rootID, PreviousViewID: v.previousID, Opened: v.opened,
		Updates: v.updates, Closed: v.closed, Errors: maps.Clone(v.errors),
	}
}

// Channel returns a channel by id.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.st.channels[id]; c != nil {
		return c.clone(), true
	}
	return Channel{}, false
}

// ChannelByName returns a channel by name.
func (s *Server) ChannelByName(name string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channelByName(name); c != nil {
		return c.clone(), true
	}
	return Channel{}, false
}

// Channels returns every channel, direct messages included, in creation order.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.st.channelIDs))
	for _, id := range s.st.channelIDs {
		out = append(out, s.st.channels[id].clone())
	}
	return out
}

// Messages returns a channel's messages oldest first, as they are now (after updates,
// without deleted ones). Slack's system messages (joins, topic changes) are not kept.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.st.messages[channelID]))
	for _, m := range s.st.messages[channelID] {
		out = append(out, m.clone())
	}
	return out
}

// FindMessage returns the oldest message in a channel for which match is true.
func (s *Server) FindMessage(channelID string, match func(Message) bool) (Message, bool) {
	for _, m := range s.Messages(channelID) {
		if match(m) {
			return m, true
		}
	}
	return Message{}, false
}

// Ephemerals returns the ephemeral messages shown in a channel, oldest first, deleted
// ones included (see Ephemeral.Deleted).
func (s *Server) Ephemerals(channelID string) []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ephemeral
	for _, e := range s.st.ephemerals {
		if e.Channel == channelID {
			out = append(out, e.clone())
		}
	}
	return out
}

// Views returns every modal and Home tab, in the order they were first opened.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, 0, len(s.st.viewIDs))
	for _, id := range s.st.viewIDs {
		out = append(out, s.snapshot(s.st.views[id]))
	}
	return out
}

// View returns a view by id.
func (s *Server) View(id string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.st.views[id]; v != nil {
		return s.snapshot(v), true
	}
	return View{}, false
}

// HomeView returns the Home tab published for a person.
func (s *Server) HomeView(userID string) (View, bool) {
	s.mu.Lock()
	id, ok := s.st.homes[userID]
	s.mu.Unlock()
	if !ok {
		return View{}, false
	}
	return s.View(id)
}

// LastView returns the modal most recently opened or pushed for a person, open or not.
func (s *Server) LastView(userID string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range slices.Backward(s.st.viewIDs) {
		if v := s.st.views[id]; v.userID == userID && v.kind == "modal" {
			return s.snapshot(v), true
		}
	}
	return View{}, false
}

// ViewClosed reports whether a modal has been closed.
func (s *Server) ViewClosed(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.st.views[id]
	return v != nil && v.closed
}

// Files returns every file upload begun, oldest first; Completed tells which were shared.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.st.fileIDs))
	for _, id := range s.st.fileIDs {
		f := *s.st.files[id]
		f.Content, f.Channels = slices.Clone(f.Content), slices.Clone(f.Channels)
		out = append(out, f)
	}
	return out
}

// ResponseURLPosts returns everything the app posted to response_urls, oldest first.
func (s *Server) ResponseURLPosts() []ResponseURLPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ResponseURLPost, len(s.st.responsePosts))
	for i, p := range s.st.responsePosts {
		p.Body, p.JSON = slices.Clone(p.Body), maps.Clone(p.JSON)
		out[i] = p
	}
	return out
}
