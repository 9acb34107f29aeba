package slackfake

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Slack's limits on conversations.
const (
	maxChannelName = 80
	maxTopic       = 250
	maxInvite      = 1000
)

// channelNameProblem is the error code Slack gives a channel name, or "".
func channelNameProblem(name string) string {
	if name == "" {
		return "invalid_name_required"
	}
	if utf8.RuneCountInString(name) > maxChannelName {
		return "invalid_name_maxlength"
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "invalid_name_specials"
		}
	}
	if strings.Trim(name, "-_") == "" {
		return "invalid_name_punctuation"
	}
	return ""
}

// visibleChannel finds a channel the bot can see: a private channel it is not in is
// channel_not_found, as in Slack. Call with s.mu held.
func (s *Server) visibleChannel(id string) (*Channel, error) {
	c := s.st.channels[id]
	if c == nil || !c.canSee(s.cfg.botUserID) {
		return nil, apiErr("channel_not_found")
	}
	return c, nil
}

// memberChannel finds a channel the bot is in. Call with s.mu held.
func (s *Server) memberChannel(id string) (*Channel, error) {
	c, err := s.visibleChannel(id)
	if err != nil {
		return nil, err
	}
	if !c.HasMember(s.cfg.botUserID) {
		return nil, apiErr("not_in_channel")
	}
	return c, nil
}

func (s *Server) conversationsCreate(req *request) (map[string]any, error) {
	name := req.str("name")
	if code := channelNameProblem(name); code != "" {
		return nil, apiErr(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.st.channels {
		if c.Name == name && !c.IsIM {
			return nil, apiErr("name_taken") // private and archived channels included
		}
	}
	c := &Channel{
		ID: s.newID("C"), Name: name, IsPrivate: req.flag("is_private"),
		Creator: s.cfg.botUserID, Created: s.now(), Members: []string{s.cfg.botUserID},
	}
	s.addChannel(c)
	return map[string]any{"channel": s.channelJSON(c, false)}, nil
}

func (s *Server) conversationsSetTopic(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.memberChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	if c.IsArchived {
		return nil, apiErr("is_archived")
	}
	topic := req.str("topic")
	if utf8.RuneCountInString(topic) > maxTopic {
		return nil, apiErr("too_long")
	}
	c.Topic, c.TopicSetBy, c.TopicSetAt = topic, s.cfg.botUserID, s.now()
	return map[string]any{"channel": s.channelJSON(c, false)}, nil
}

func (s *Server) conversationsInvite(req *request) (map[string]any, error) {
	var users []string
	for u := range strings.SplitSeq(req.str("users"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return nil, apiErr("no_user")
	}
	if len(users) > maxInvite {
		return nil, apiErr("too_many_users")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.memberChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	if c.IsArchived {
		return nil, apiErr("is_archived")
	}
	var problems []map[string]any
	var fresh []string
	for _, u := range users {
		code := ""
		switch {
		case u == s.cfg.botUserID:
			code = "cant_invite_self"
		case s.st.people[u] == nil:
			code = "user_not_found"
		case c.HasMember(u):
			code = "already_in_channel"
		case slices.Contains(fresh, u):
			continue
		default:
			fresh = append(fresh, u)
		}
		if code != "" {
			problems = append(problems, map[string]any{"user": u, "ok": false, "error": code})
		}
	}
	// One user who cannot be invited (one already in the channel included) fails
	// the whole call and nobody is invited, unless force=true: then the others are
	// invited, and the answer still fails, listing each user who was not.
	if len(problems) > 0 && !req.flag("force") {
		return nil, &apiError{Code: problems[0]["error"].(string), Extra: map[string]any{"errors": problems}}
	}
	c.Members = append(c.Members, fresh...)
	if len(problems) > 0 {
		return nil, &apiError{Code: problems[0]["error"].(string), Extra: map[string]any{"errors": problems}}
	}
	return map[string]any{"channel": s.channelJSON(c, false)}, nil
}

func (s *Server) conversationsInfo(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.visibleChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"channel": s.channelJSON(c, req.flag("include_num_members"))}, nil
}

func (s *Server) conversationsList(req *request) (map[string]any, error) {
	types := map[string]bool{}
	for t := range strings.SplitSeq(cmp.Or(req.str("types"), "public_channel"), ",") {
		switch t = strings.TrimSpace(t); t {
		case "public_channel", "private_channel", "mpim", "im":
			types[t] = true
		default:
			return nil, apiErr("invalid_types")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var listed []map[string]any
	for _, id := range s.st.channelIDs {
		c := s.st.channels[id]
		kind := "public_channel"
		if c.IsIM {
			kind = "im"
		} else if c.IsPrivate {
			kind = "private_channel"
		}
		if !types[kind] || !c.canSee(s.cfg.botUserID) || c.IsArchived && req.flag("exclude_archived") {
			continue
		}
		listed = append(listed, s.channelJSON(c, false))
	}
	page, next, err := paginate(listed, req, 100, 1000)
	if err != nil {
		return nil, err
	}
	return map[string]any{"channels": page, "response_metadata": map[string]any{"next_cursor": next}}, nil
}

func (s *Server) conversationsMembers(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.visibleChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(slices.Clone(c.Members), req, 100, 1000)
	if err != nil {
		return nil, err
	}
	return map[string]any{"members": page, "response_metadata": map[string]any{"next_cursor": next}}, nil
}

// conversationsOpen opens the direct message between the bot and one person.
func (s *Server) conversationsOpen(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := req.str("channel"); id != "" {
		c, err := s.visibleChannel(id)
		if err != nil {
			return nil, err
		}
		return map[string]any{"channel": s.channelJSON(c, false), "no_op": true, "already_open": true}, nil
	}
	users := strings.Split(req.str("users"), ",")
	if len(users) != 1 || users[0] == "" {
		return nil, apiErr("users_list_not_supplied") // group DMs are not faked
	}
	if s.st.people[users[0]] == nil {
		return nil, apiErr("user_not_found")
	}
	_, existed := s.st.ims[users[0]]
	c := s.imWith(users[0])
	out := map[string]any{"channel": map[string]any{"id": c.ID}}
	if req.flag("return_im") {
		out["channel"] = s.channelJSON(c, false)
	}
	if existed {
		out["no_op"], out["already_open"] = true, true
	}
	return out, nil
}

// channelJSON renders a channel the way conversations.* methods return it.
func (s *Server) channelJSON(c *Channel, numMembers bool) map[string]any {
	if c.IsIM {
		return map[string]any{
			"id": c.ID, "created": c.Created.Unix(), "is_im": true, "is_org_shared": false,
			"user": c.Members[len(c.Members)-1], "is_user_deleted": false, "priority": 0, "is_open": true,
		}
	}
	var topicSet int64
	if !c.TopicSetAt.IsZero() {
		topicSet = c.TopicSetAt.Unix()
	}
	out := map[string]any{
		"id": c.ID, "name": c.Name, "name_normalized": c.Name, "created": c.Created.Unix(),
		"is_channel": true, "is_group": false, "is_im": false, "is_mpim": false,
		"is_private": c.IsPrivate, "is_archived": c.IsArchived, "is_general": false,
		"unlinked": 0, "is_shared": false, "is_org_shared": false, "is_ext_shared": false,
		"is_pending_ext_shared": false, "pending_shared": []string{}, "previous_names": []string{},
		"context_team_id": s.cfg.teamID, "creator": c.Creator,
		"is_member": c.HasMember(s.cfg.botUserID),
		"topic":     map[string]any{"value": c.Topic, "creator": c.TopicSetBy, "last_set": topicSet},
		"purpose":   map[string]any{"value": "", "creator": "", "last_set": 0},
	}
	if numMembers {
		out["num_members"] = len(c.Members)
	}
	return out
}
