package slackfake

import "slices"

// Seeding the workspace with what people made before the test: people and channels.

// AddUser adds a person to the workspace.
func (s *Server) AddUser(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.addPerson(&person{ID: id, Name: name})
}

// RenameUser changes a person's name, as they would in their profile: Slack sends
// the new name with everything they do from then on. It panics if the person does
// not exist: that is a mistake in the test.
func (s *Server) RenameUser(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.people[id]
	if p == nil {
		panic("slackfake.RenameUser: no person " + id)
	}
	p.Name = name
}

// AddChannel adds a channel people made (not the bot), with its members, and returns
// its id. The bot is a member only if listed.
func (s *Server) AddChannel(name string, private bool, memberIDs ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	creator := ""
	if len(memberIDs) > 0 {
		creator = memberIDs[0]
	}
	c := &Channel{
		ID: s.newID("C"), Name: name, IsPrivate: private, Creator: creator,
		Created: s.now(), Members: slices.Clone(memberIDs),
	}
	s.addChannel(c)
	return c.ID
}

// JoinChannel adds people to a channel as if they joined it themselves.
// It panics if the channel does not exist: that is a mistake in the test.
func (s *Server) JoinChannel(channelID string, userIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.channels[channelID]
	if c == nil {
		panic("slackfake: JoinChannel of unknown channel " + channelID)
	}
	for _, u := range userIDs {
		if !c.HasMember(u) {
			c.Members = append(c.Members, u)
		}
	}
}

// DMChannel returns the id of the direct message between the bot and a person,
// opening it if needed; slash commands typed there arrive with this channel id.
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.imWith(userID).ID
}

// channelByName finds a channel by name, with or without "#". Call with s.mu held.
func (s *Server) channelByName(name string) *Channel {
	if len(name) > 0 && name[0] == '#' {
		name = name[1:]
	}
	for _, id := range s.st.channelIDs {
		if c := s.st.channels[id]; c.Name == name && !c.IsIM {
			return c
		}
	}
	return nil
}

// imWith returns the direct message channel between the bot and a person, opening it
// on first use as Slack does. Call with s.mu held.
func (s *Server) imWith(userID string) *Channel {
	if id, ok := s.st.ims[userID]; ok {
		return s.st.channels[id]
	}
	c := &Channel{
		ID: s.newID("D"), IsIM: true, IsPrivate: true, Created: s.now(),
		Creator: s.cfg.botUserID, Members: []string{s.cfg.botUserID, userID},
	}
	s.addChannel(c)
	s.st.ims[userID] = c.ID
	return c
}

// addChannel stores a new channel. Call with s.mu held.
func (s *Server) addChannel(c *Channel) {
	s.st.channels[c.ID] = c
	s.st.channelIDs = append(s.st.channelIDs, c.ID)
}
