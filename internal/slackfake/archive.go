package slackfake

import "slices"

// conversationsKick removes a user from a channel the bot is in, as
// conversations.kick does: not_in_channel when they are not there, cant_kick_self
// for the bot itself, is_archived on an archived channel.
func (s *Server) conversationsKick(req *request) (map[string]any, error) {
	user := req.str("user")
	if user == "" {
		return nil, apiErr("user_not_found")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.memberChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	switch {
	case c.IsArchived:
		return nil, apiErr("is_archived")
	case user == s.cfg.botUserID:
		return nil, apiErr("cant_kick_self")
	case s.st.people[user] == nil:
		return nil, apiErr("user_not_found")
	case !c.HasMember(user):
		return nil, apiErr("not_in_channel")
	}
	c.Members = slices.DeleteFunc(c.Members, func(m string) bool { return m == user })
	return map[string]any{}, nil
}

// conversationsArchive archives a channel the bot is in: already_archived when it
// is, and no further posts, invites or topic changes after.
func (s *Server) conversationsArchive(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.memberChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	if c.IsArchived {
		return nil, apiErr("already_archived")
	}
	c.IsArchived = true
	return map[string]any{}, nil
}
