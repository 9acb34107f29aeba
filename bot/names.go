package bot

import "sync"

// names remembers the name Slack gave with each person's latest action (a slash
// command's user_name, an interaction's user.name), so that the record can show
// "Jane Doe (U123)" with no extra Slack call on the press path. It is refreshed by
// every action, so a rename shows from the person's next action on, and what was
// recorded before keeps the name of its day.
type names struct {
	mu sync.Mutex
	m  map[string]string
}

// NoteName remembers name as user's Slack name. The transports call it with what
// every command and interaction carries; an empty name is ignored.
func (s *Service) NoteName(user, name string) {
	if user == "" || name == "" {
		return
	}
	s.names.mu.Lock()
	defer s.names.mu.Unlock()
	if s.names.m == nil {
		s.names.m = map[string]string{}
	}
	s.names.m[user] = name
}

// nameOf is user's Slack name as last noted, "" when unknown (the bot itself,
// or someone who has not acted since the bot started).
func (s *Service) nameOf(user string) string {
	s.names.mu.Lock()
	defer s.names.mu.Unlock()
	return s.names.m[user]
}
