package slackfake

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// maxMessageText is the longest text chat.postMessage accepts.
const maxMessageText = 40000

// content is the text, blocks and metadata of a chat.* call; has* tell whether the
// parameter was sent at all, which matters to chat.update.
type content struct {
	text                            string
	blocks                          []any
	metadata                        *slack.SlackMetadata
	hasText, hasBlocks, hasMetadata bool
}

// readContent parses and validates the message parameters the way Slack does.
func readContent(req *request) (content, error) {
	var c content
	c.text, c.hasText = req.str("text"), req.has("text")
	if utf8.RuneCountInString(c.text) > maxMessageText {
		return c, apiErr("msg_too_long")
	}
	if raw, ok := req.raw("blocks"); ok && len(raw) > 0 {
		if err := json.Unmarshal(raw, &c.blocks); err != nil {
			return c, apiErr("invalid_blocks_format")
		}
		if problems := ValidateMessageBlocks(raw); len(problems) > 0 {
			return c, invalidBlocks(problems)
		}
		c.hasBlocks = true
	}
	if raw, ok := req.raw("metadata"); ok && len(raw) > 0 {
		var md slack.SlackMetadata
		if err := json.Unmarshal(raw, &md); err != nil {
			return c, apiErr("invalid_metadata_format")
		}
		if md.EventType == "" {
			return c, apiErr("invalid_metadata_schema")
		}
		c.metadata, c.hasMetadata = &md, true
	}
	return c, nil
}

// postTarget resolves chat.postMessage's channel: an id, a name, or a person's id (the
// bot's direct message with them). Call with s.mu held.
func (s *Server) postTarget(id string) (*Channel, error) {
	c := s.st.channels[id]
	if c == nil && id != s.cfg.botUserID && s.st.people[id] != nil {
		c = s.imWith(id)
	}
	if c == nil {
		c = s.channelByName(id)
	}
	if c == nil || !c.canSee(s.cfg.botUserID) {
		return nil, apiErr("channel_not_found")
	}
	if c.IsArchived {
		return nil, apiErr("is_archived")
	}
	if !c.HasMember(s.cfg.botUserID) {
		return nil, apiErr("not_in_channel")
	}
	return c, nil
}

func (s *Server) chatPostMessage(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.postTarget(req.str("channel"))
	if err != nil {
		return nil, err
	}
	body, err := readContent(req)
	if err != nil {
		return nil, err
	}
	if body.text == "" && len(body.blocks) == 0 {
		return nil, apiErr("no_text")
	}
	m := &Message{
		Channel: c.ID, TS: s.nextTS(), ThreadTS: req.str("thread_ts"),
		User: s.cfg.botUserID, BotID: s.cfg.botID, Text: body.text,
		BlocksJSON: s.fillIDs(body.blocks), Metadata: body.metadata, Posted: s.now(),
	}
	s.st.messages[c.ID] = append(s.st.messages[c.ID], m)
	return map[string]any{"channel": c.ID, "ts": m.TS, "message": s.messageJSON(m, true)}, nil
}

// chatUpdate changes a message the bot posted; parameters left out keep their value,
// and blocks=[] removes the blocks.
func (s *Server) chatUpdate(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.visibleChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	if c.IsArchived {
		return nil, apiErr("is_archived")
	}
	m := s.findMessage(c.ID, req.str("ts"))
	if m == nil {
		return nil, apiErr("message_not_found")
	}
	if m.BotID != s.cfg.botID {
		return nil, apiErr("cant_update_message")
	}
	body, err := readContent(req)
	if err != nil {
		return nil, err
	}
	text, blocks := m.Text, m.BlocksJSON
	if body.hasText {
		text = body.text
	}
	if body.hasBlocks || req.has("blocks") {
		blocks = s.fillIDs(body.blocks)
	}
	if text == "" && len(blocks) == 0 {
		return nil, apiErr("no_text")
	}
	m.Text, m.BlocksJSON = text, blocks
	if body.hasMetadata {
		m.Metadata = body.metadata
	}
	m.Updates++
	m.EditedAt = s.now()
	return map[string]any{"channel": c.ID, "ts": m.TS, "text": m.Text, "message": s.messageJSON(m, true)}, nil
}

func (s *Server) chatPostEphemeral(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.postTarget(req.str("channel"))
	if err != nil {
		return nil, err
	}
	user := req.str("user")
	if s.st.people[user] == nil {
		return nil, apiErr("user_not_found")
	}
	if !c.HasMember(user) {
		return nil, apiErr("user_not_in_channel")
	}
	body, err := readContent(req)
	if err != nil {
		return nil, err
	}
	if body.text == "" && len(body.blocks) == 0 {
		return nil, apiErr("no_text")
	}
	e := &Ephemeral{
		Channel: c.ID, User: user, TS: s.nextTS(), Text: body.text,
		BlocksJSON: s.fillIDs(body.blocks), Posted: s.now(),
	}
	s.st.ephemerals = append(s.st.ephemerals, e)
	return map[string]any{"message_ts": e.TS}, nil
}

func (s *Server) chatGetPermalink(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.visibleChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	if s.findMessage(c.ID, req.str("message_ts")) == nil {
		return nil, apiErr("message_not_found")
	}
	return map[string]any{"channel": c.ID, "permalink": s.permalink(c.ID, req.str("message_ts"))}, nil
}

// messageJSON renders a message the way chat.* and conversations.history return it.
func (s *Server) messageJSON(m *Message, withMetadata bool) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User, "team": s.cfg.teamID}
	if m.BotID != "" {
		out["bot_id"], out["app_id"] = m.BotID, s.cfg.appID
		out["bot_profile"] = map[string]any{
			"id": m.BotID, "app_id": s.cfg.appID, "name": "referralbot", "team_id": s.cfg.teamID,
		}
	}
	if len(m.BlocksJSON) > 0 {
		out["blocks"] = json.RawMessage(m.BlocksJSON)
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if !m.EditedAt.IsZero() {
		us := m.EditedAt.UnixMicro()
		out["edited"] = map[string]any{"user": m.User, "ts": fmt.Sprintf("%d.%06d", us/1e6, us%1e6)}
	}
	if withMetadata && m.Metadata != nil {
		out["metadata"] = map[string]any{"event_type": m.Metadata.EventType, "event_payload": m.Metadata.EventPayload}
	}
	return out
}
