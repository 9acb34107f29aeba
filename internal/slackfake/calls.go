package slackfake

import (
	"maps"
	"net/url"
	"slices"
	"time"
)

// Call is one Web API call as the fake received it.
type Call struct {
	Method string         // e.g. "chat.postMessage"
	Params url.Values     // form fields and query string
	JSON   map[string]any // the JSON body, for methods called with one (views.*); else nil
	Error  string         // the error code answered, "" when ok
	At     time.Time      // fake clock time of the call
}

// Param is a parameter of the call: a form field, or a string field of the JSON body.
func (c Call) Param(name string) string {
	if v, ok := c.JSON[name].(string); ok {
		return v
	}
	return c.Params.Get(name)
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.calls = append(s.st.calls, c)
}

// Calls returns every Web API call since New or the last Reset, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.st.calls))
	for i, c := range s.st.calls {
		out[i] = c.clone()
	}
	return out
}

// CallsTo returns the calls to one method, oldest first.
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Reset forgets the recorded calls. The workspace (channels, messages, views…) stays.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.calls = nil
}

func (c Call) clone() Call {
	out := c
	out.Params = url.Values{}
	for k, v := range c.Params {
		out.Params[k] = slices.Clone(v)
	}
	out.JSON = maps.Clone(c.JSON)
	return out
}

// authenticate checks the token: none is not_authed, an unknown one invalid_auth, and
// a bot token where an app-level token is needed (or the reverse) not_allowed_token_type.
func (s *Server) authenticate(token string, want tokenKind) error {
	var got tokenKind
	switch token {
	case "":
		return apiErr("not_authed")
	case s.cfg.botToken:
		got = botToken
	case s.cfg.appToken:
		got = appToken
	default:
		return apiErr("invalid_auth")
	}
	if got != want {
		return apiErr("not_allowed_token_type")
	}
	return nil
}

// authTest answers auth.test.
func (s *Server) authTest(*request) (map[string]any, error) {
	return map[string]any{
		"url":     "https://" + s.cfg.teamDomain + ".slack.com/",
		"team":    s.cfg.teamDomain,
		"user":    "referralbot",
		"team_id": s.cfg.teamID,
		"user_id": s.cfg.botUserID,
		"bot_id":  s.cfg.botID,
	}, nil
}
