package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"time"
)

// trigger is a trigger_id Slack issued with an interaction, exchangeable once within
// three seconds for a modal.
type trigger struct {
	userID string
	issued time.Time
	used   bool
}

// sentEvent is an event envelope sent to the app, kept for Redeliver.
type sentEvent struct {
	envelope []byte
	retries  int
}

// issueTrigger issues a fresh trigger_id for a person. Call with s.mu held.
func (s *Server) issueTrigger(userID string) string {
	s.st.seq["trigger"]++
	n := s.st.seq["trigger"]
	now := s.now()
	id := fmt.Sprintf("%d.%d.fake%08x%020d", now.Unix(), 1000000000+n, n, now.UnixNano())
	s.st.triggers[id] = &trigger{userID: userID, issued: now}
	return id
}

// personIn checks that a person exists and can act in a channel: members only when
// member is set, else anyone who can see it. Call with s.mu held.
func (s *Server) personIn(userID, channelID string, member bool) (*person, *Channel, error) {
	p := s.st.people[userID]
	if p == nil {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoSuchUser, userID)
	}
	c := s.st.channels[channelID]
	if c == nil {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoSuchChannel, channelID)
	}
	if member && !c.HasMember(userID) || !c.canSee(userID) {
		return nil, nil, fmt.Errorf("%w: %s in %s", ErrNotInChannel, userID, channelID)
	}
	return p, c, nil
}

// channelName is the channel_name Slack sends with a slash command.
func channelName(c *Channel) string {
	switch {
	case c.IsIM:
		return "directmessage"
	case c.IsPrivate:
		return "privategroup"
	}
	return c.Name
}

func (s *Server) userRef(p *person) map[string]any {
	return map[string]any{"id": p.ID, "username": p.Name, "name": p.Name, "team_id": s.cfg.teamID}
}

func (s *Server) teamRef() map[string]any {
	return map[string]any{"id": s.cfg.teamID, "domain": s.cfg.teamDomain}
}

// SlashCommand has a person type command (e.g. "/referral") with text in a channel they
// are in. The app gets a fresh trigger_id and a response_url served by the fake. An ack
// with a body is shown as Slack shows it: an ephemeral message, or a channel message
// when its response_type is in_channel.
func (s *Server) SlashCommand(t Transport, userID, channelID, command, text string) (Ack, error) {
	if !strings.HasPrefix(command, "/") {
		command = "/" + command
	}
	s.mu.Lock()
	p, c, err := s.personIn(userID, channelID, true)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	form := url.Values{
		"token": {s.cfg.verificationToken}, "team_id": {s.cfg.teamID}, "team_domain": {s.cfg.teamDomain},
		"channel_id": {c.ID}, "channel_name": {channelName(c)}, "user_id": {p.ID}, "user_name": {p.Name},
		"command": {command}, "text": {text}, "api_app_id": {s.cfg.appID}, "is_enterprise_install": {"false"},
		"response_url": {s.issueResponseURL(responseTarget{channelID: c.ID, userID: p.ID})},
		"trigger_id":   {s.issueTrigger(p.ID)},
	}
	s.mu.Unlock()
	ack, err := t.Deliver(context.Background(), Delivery{Kind: KindCommand, Form: form})
	if err != nil || ack.Status != 200 {
		return ack, err
	}
	return ack, s.showCommandAck(c.ID, p.ID, ack.Body)
}

// PostAsUser has a person post a plain message in a channel they are in, and returns
// its ts. No event is sent; use SendEvent for that.
func (s *Server) PostAsUser(userID, channelID, text string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, c, err := s.personIn(userID, channelID, true)
	if err != nil {
		return "", err
	}
	m := &Message{Channel: c.ID, TS: s.nextTS(), User: p.ID, Text: text, Posted: s.now()}
	s.st.messages[c.ID] = append(s.st.messages[c.ID], m)
	return m.TS, nil
}

// SendEvent delivers an Events API event: inner is the event (its "type" is set to
// eventType, and "event_ts" when missing), wrapped in an event_callback envelope with
// a unique event_id, which is returned.
func (s *Server) SendEvent(t Transport, eventType string, inner map[string]any) (string, Ack, error) {
	s.mu.Lock()
	ev := maps.Clone(inner)
	if ev == nil {
		ev = map[string]any{}
	}
	ev["type"] = eventType
	now := s.now()
	if _, ok := ev["event_ts"]; !ok {
		ev["event_ts"] = fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
	}
	id := s.newID("Ev")
	envelope, err := json.Marshal(map[string]any{
		"token": s.cfg.verificationToken, "team_id": s.cfg.teamID, "api_app_id": s.cfg.appID,
		"event": ev, "type": "event_callback", "event_id": id, "event_time": now.Unix(),
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": s.cfg.teamID, "user_id": s.cfg.botUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false, "event_context": "4-" + id,
	})
	if err != nil {
		s.mu.Unlock()
		return "", Ack{}, fmt.Errorf("encode event %s: %w", eventType, err)
	}
	s.st.events[id] = &sentEvent{envelope: envelope}
	s.mu.Unlock()
	ack, err := t.Deliver(context.Background(), Delivery{Kind: KindEvent, Payload: envelope})
	return id, ack, err
}

// Redeliver resends an event exactly as before, marked as a retry the way Slack marks
// them: X-Slack-Retry-Num and X-Slack-Retry-Reason over HTTP, retry_attempt and
// retry_reason in Socket Mode.
func (s *Server) Redeliver(t Transport, eventID string) (Ack, error) {
	s.mu.Lock()
	ev := s.st.events[eventID]
	if ev == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%w: %s", ErrNoSuchEvent, eventID)
	}
	ev.retries++
	d := Delivery{Kind: KindEvent, Payload: ev.envelope, RetryNum: ev.retries, RetryReason: "timeout"}
	s.mu.Unlock()
	return t.Deliver(context.Background(), d)
}

// URLVerification sends the url_verification request Slack sends when an Events API
// Request URL is saved, and returns the challenge the app must echo.
func (s *Server) URLVerification(t Transport) (string, Ack, error) {
	s.mu.Lock()
	challenge := s.newID("challenge-")
	s.mu.Unlock()
	body, _ := json.Marshal(map[string]any{
		"token": s.cfg.verificationToken, "challenge": challenge, "type": "url_verification",
	})
	ack, err := t.Deliver(context.Background(), Delivery{Kind: KindEvent, Payload: body})
	return challenge, ack, err
}
