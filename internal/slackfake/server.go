// Package slackfake is referralbot's own fake of Slack. It has two halves:
//
//   - a Web API server that answers slack-go's unmodified client the way Slack does,
//     validation, error codes and rate limits included, and records every call;
//   - a user side that acts as a person in Slack: slash commands, button clicks, modal
//     submissions and events, delivered to the app under test over signed HTTP or over
//     the fake's own Socket Mode websocket.
//
// Point the client at it with slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL())).
package slackfake

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
)

// Defaults of a new Server; the With… options change them.
const (
	DefaultBotToken          = "xoxb-fake"
	DefaultAppToken          = "xapp-fake"
	DefaultBotUserID         = "UBOT"
	DefaultTeamID            = "T0001"
	DefaultVerificationToken = "fake-verification-token"

	defaultBotID        = "B0FAKEBOT"
	defaultAppID        = "A0FAKEAPP"
	defaultTeamDomain   = "referralbot-fake"
	defaultPingInterval = 5 * time.Second
)

// Server is a running fake of Slack. All methods are safe for concurrent use.
type Server struct {
	http    *httptest.Server
	cfg     config
	sock    *socketHub
	closing chan struct{} // closed by Close, to cut injected latencies short
	once    sync.Once

	clock func() time.Time

	mu sync.Mutex
	st state
}

type config struct {
	botToken, appToken, botUserID, botID, appID string
	teamID, teamDomain, verificationToken       string
	pingInterval                                time.Duration
	clock                                       func() time.Time
}

// Option configures a Server in New.
type Option func(*config)

// WithClock sets the fake's clock: message timestamps, trigger expiry, rate-limit
// windows and response_url lifetimes all read it. The default is clock.Wall.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// New starts a fake Slack on a local port. Close it when done.
func New(opts ...Option) *Server {
	cfg := config{
		botToken:          DefaultBotToken,
		appToken:          DefaultAppToken,
		botUserID:         DefaultBotUserID,
		botID:             defaultBotID,
		appID:             defaultAppID,
		teamID:            DefaultTeamID,
		teamDomain:        defaultTeamDomain,
		verificationToken: DefaultVerificationToken,
		pingInterval:      defaultPingInterval,
		clock:             clock.Wall,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	s := &Server{cfg: cfg, clock: cfg.clock, st: newState(), closing: make(chan struct{})}
	s.st.addPerson(&person{ID: cfg.botUserID, Name: "referralbot", IsBot: true})
	s.sock = newSocketHub(cfg.pingInterval)
	s.http = httptest.NewServer(s.routes())
	return s
}

// URL is the fake's base URL, without a trailing slash.
func (s *Server) URL() string { return s.http.URL }

// APIURL is the Web API base URL for slack.OptionAPIURL; it ends in "/api/".
func (s *Server) APIURL() string { return s.http.URL + "/api/" }

// Close disconnects Socket Mode clients and stops the server. Calling it again does
// nothing.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.sock.closeAll()
		s.http.Close()
	})
}

// BotToken is the bot token the Web API accepts.
func (s *Server) BotToken() string { return s.cfg.botToken }

// AppToken is the app-level token apps.connections.open accepts.
func (s *Server) AppToken() string { return s.cfg.appToken }

// BotUserID is the user id of the bot.
func (s *Server) BotUserID() string { return s.cfg.botUserID }

// TeamID is the workspace id.
func (s *Server) TeamID() string { return s.cfg.teamID }

// AppID is the app id sent as api_app_id to the app.
func (s *Server) AppID() string { return s.cfg.appID }

func (s *Server) now() time.Time {
	return s.clock()
}

// newID returns the next id with prefix, e.g. "C00000001". Call with s.mu held.
func (s *Server) newID(prefix string) string {
	s.st.seq[prefix]++
	return fmt.Sprintf("%s%08X", prefix, s.st.seq[prefix])
}

// nextTS returns a message timestamp like "1700000000.000100" from the fake clock,
// strictly greater than every timestamp handed out before. Call with s.mu held.
func (s *Server) nextTS() string {
	micro := s.now().UnixMicro()
	if micro <= s.st.lastTS {
		micro = s.st.lastTS + 1
	}
	s.st.lastTS = micro
	return fmt.Sprintf("%d.%06d", micro/1e6, micro%1e6)
}

// permalink is the link Slack's chat.getPermalink gives a message.
func (s *Server) permalink(channelID, ts string) string {
	return fmt.Sprintf("https://%s.slack.com/archives/%s/p%s",
		s.cfg.teamDomain, channelID, strings.ReplaceAll(ts, ".", ""))
}
