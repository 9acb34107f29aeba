package slackfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// Slack's limits on a response_url.
const (
	responseURLUses     = 5
	responseURLLifetime = 30 * time.Minute
)

// responseTarget is where a response_url's messages go: the channel and person of the
// interaction, and the message it came from (empty for slash commands).
type responseTarget struct {
	channelID, userID, messageTS string
	ephemeral                    bool // the original message is an ephemeral one
}

type responseURL struct {
	responseTarget
	issued time.Time
	uses   int
}

// ResponseURLPost is one POST the app made to a response_url.
type ResponseURLPost struct {
	URL       string
	ChannelID string // the channel of the command or action
	UserID    string // the person who acted
	MessageTS string // the message the action came from, "" for slash commands
	Body      []byte
	JSON      map[string]any // Body decoded, nil if it is not JSON
	Status    int            // the HTTP status the fake answered
	Error     string         // "" when accepted, else why not, e.g. "used_url"
	At        time.Time
}

// responseMessage is a message posted to a response_url or given in a command's ack.
type responseMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
	Metadata        json.RawMessage `json:"metadata"`
}

// check refuses what Slack refuses in a response message, even one that would show
// nothing: blocks that are not an array ("blocks": null included), and metadata
// that is not an object with an event_type (such as an empty one).
func (m responseMessage) check() error {
	if b := bytes.TrimSpace(m.Blocks); len(b) > 0 && b[0] != '[' {
		return apiErr("invalid_blocks_format")
	}
	if md := bytes.TrimSpace(m.Metadata); len(md) > 0 {
		var v struct {
			EventType string `json:"event_type"`
		}
		if md[0] != '{' || json.Unmarshal(md, &v) != nil {
			return apiErr("invalid_metadata_format")
		}
		if v.EventType == "" {
			return apiErr("invalid_metadata_schema")
		}
	}
	return nil
}

func (m responseMessage) empty() bool {
	b := string(bytes.TrimSpace(m.Blocks))
	return m.Text == "" && (b == "" || b == "[]")
}

// issueResponseURL issues a response_url for an interaction. Call with s.mu held.
func (s *Server) issueResponseURL(t responseTarget) string {
	id := s.newID("R")
	s.st.responseURLs[id] = &responseURL{responseTarget: t, issued: s.now()}
	return s.URL() + "/response/" + id
}

// serveResponseURL takes what the app posts to a response_url: up to 5 times within
// 30 minutes of the fake clock.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	ru := s.st.responseURLs[r.PathValue("id")]
	post := ResponseURLPost{URL: s.URL() + r.URL.Path, Body: body, At: s.now()}
	_ = json.Unmarshal(body, &post.JSON)
	if ru != nil {
		post.ChannelID, post.UserID, post.MessageTS = ru.channelID, ru.userID, ru.messageTS
	}
	post.Status, post.Error = s.respond(ru, body)
	s.st.responsePosts = append(s.st.responsePosts, post)
	if post.Status != http.StatusOK {
		http.Error(w, post.Error, post.Status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}

// respond applies one response_url post. Call with s.mu held.
func (s *Server) respond(ru *responseURL, body []byte) (int, string) {
	switch {
	case ru == nil:
		return http.StatusNotFound, "no_service"
	case s.now().Sub(ru.issued) > responseURLLifetime:
		return http.StatusNotFound, "expired_url"
	case ru.uses >= responseURLUses:
		return http.StatusNotFound, "used_url"
	}
	var msg responseMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		return http.StatusBadRequest, "invalid_payload"
	}
	err := msg.check()
	if err == nil {
		err = s.applyResponse(ru.responseTarget, msg)
	}
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return http.StatusBadRequest, ae.Code
		}
		return http.StatusBadRequest, err.Error()
	}
	ru.uses++
	return http.StatusOK, ""
}

// showCommandAck shows a slash command's ack body as Slack does: plain text or a
// message JSON, ephemeral unless response_type is in_channel.
func (s *Server) showCommandAck(channelID, userID string, body []byte) error {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return nil
	}
	var msg responseMessage
	if b[0] == '{' {
		if err := json.Unmarshal(b, &msg); err != nil {
			return fmt.Errorf("%w: slash command ack: %v", ErrBadAck, err)
		}
		if err := msg.check(); err != nil {
			return fmt.Errorf("%w: slash command ack: %v", ErrBadAck, err)
		}
		if msg.empty() {
			return nil
		}
	} else {
		msg.Text = string(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.applyResponse(responseTarget{channelID: channelID, userID: userID}, msg); err != nil {
		return fmt.Errorf("%w: slash command ack: %v", ErrBadAck, err)
	}
	return nil
}

// applyResponse posts, replaces or deletes as a response message asks. Call with s.mu held.
func (s *Server) applyResponse(t responseTarget, msg responseMessage) error {
	if msg.DeleteOriginal && t.messageTS != "" {
		s.deleteOriginal(t)
		return nil
	}
	var blocks []any
	if !msg.empty() && len(msg.Blocks) > 0 {
		if err := json.Unmarshal(msg.Blocks, &blocks); err != nil {
			return apiErr("invalid_blocks_format")
		}
		if problems := ValidateMessageBlocks(msg.Blocks); len(problems) > 0 {
			return invalidBlocks(problems)
		}
	}
	if msg.Text == "" && len(blocks) == 0 {
		return apiErr("no_text")
	}
	raw, now := s.fillIDs(blocks), s.now()
	switch {
	case msg.ReplaceOriginal && t.messageTS != "" && t.ephemeral:
		if e := s.findEphemeral(t.channelID, t.userID, t.messageTS); e != nil {
			e.Text, e.BlocksJSON = msg.Text, raw
		}
	case msg.ReplaceOriginal && t.messageTS != "":
		if m := s.findMessage(t.channelID, t.messageTS); m != nil {
			m.Text, m.BlocksJSON, m.EditedAt = msg.Text, raw, now
			m.Updates++
		}
	case msg.ResponseType == "in_channel":
		s.st.messages[t.channelID] = append(s.st.messages[t.channelID], &Message{
			Channel: t.channelID, TS: s.nextTS(), ThreadTS: msg.ThreadTS, User: s.cfg.botUserID,
			BotID: s.cfg.botID, Text: msg.Text, BlocksJSON: raw, Posted: now,
		})
	default:
		s.st.ephemerals = append(s.st.ephemerals, &Ephemeral{
			Channel: t.channelID, User: t.userID, TS: s.nextTS(), Text: msg.Text, BlocksJSON: raw, Posted: now,
		})
	}
	return nil
}

// deleteOriginal deletes the message an action came from. Call with s.mu held.
func (s *Server) deleteOriginal(t responseTarget) {
	if t.ephemeral {
		if e := s.findEphemeral(t.channelID, t.userID, t.messageTS); e != nil {
			e.Deleted = true
		}
		return
	}
	s.st.messages[t.channelID] = slices.DeleteFunc(s.st.messages[t.channelID], func(m *Message) bool {
		return m.TS == t.messageTS
	})
}

// findEphemeral finds an ephemeral message a person still sees. Call with s.mu held.
func (s *Server) findEphemeral(channelID, userID, ts string) *Ephemeral {
	for _, e := range s.st.ephemerals {
		if e.Channel == channelID && e.User == userID && e.TS == ts && !e.Deleted {
			return e
		}
	}
	return nil
}
