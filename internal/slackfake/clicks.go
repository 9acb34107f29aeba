package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
)

// ClickButton has a person click the button with actionID in a message (or in an
// ephemeral message they see), and delivers the block_actions payload Slack would send,
// with a fresh trigger_id and a response_url that can replace or delete the message.
// The message and the button must exist: a person cannot click what is not there.
func (s *Server) ClickButton(t Transport, userID, channelID, messageTS, actionID string) (Ack, error) {
	return s.ClickButtonInBlock(t, userID, channelID, messageTS, "", actionID)
}

// ClickButtonInBlock is ClickButton for messages with several buttons of the same
// action_id: blockID picks the block ("" matches any).
func (s *Server) ClickButtonInBlock(t Transport, userID, channelID, messageTS, blockID, actionID string) (Ack, error) {
	s.mu.Lock()
	p, c, err := s.personIn(userID, channelID, false)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	m := s.findMessage(c.ID, messageTS)
	var blocksJSON []byte
	ephemeral := false
	switch e := s.findEphemeral(c.ID, p.ID, messageTS); {
	case m != nil:
		blocksJSON = m.BlocksJSON
	case e != nil:
		blocksJSON, ephemeral = e.BlocksJSON, true
	default:
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%w: %s in %s", ErrNoSuchMessage, messageTS, channelID)
	}
	btn, err := findButton(decodeBlocks(blocksJSON), blockID, actionID)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	payload := map[string]any{
		"type": "block_actions", "user": s.userRef(p), "api_app_id": s.cfg.appID,
		"token": s.cfg.verificationToken, "team": s.teamRef(), "enterprise": nil, "is_enterprise_install": false,
		"container": map[string]any{
			"type": "message", "message_ts": messageTS, "channel_id": c.ID, "is_ephemeral": ephemeral,
		},
		"trigger_id": s.issueTrigger(p.ID),
		"channel":    map[string]any{"id": c.ID, "name": channelName(c)},
		"state":      map[string]any{"values": map[string]any{}},
		"response_url": s.issueResponseURL(responseTarget{
			channelID: c.ID, userID: p.ID, messageTS: messageTS, ephemeral: ephemeral,
		}),
		"actions": []any{s.buttonAction(btn)},
	}
	if m != nil {
		payload["message"] = s.messageJSON(m, false)
	}
	s.mu.Unlock()
	return deliverInteraction(t, payload)
}

// ClickViewButton has a person click a button in an open modal on top of their stack,
// or in their Home tab; blockID "" matches any block.
func (s *Server) ClickViewButton(t Transport, userID, viewID, blockID, actionID string) (Ack, error) {
	s.mu.Lock()
	v, err := s.visibleView(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	blocks, _ := v.spec["blocks"].([]any)
	btn, err := findButton(blocks, blockID, actionID)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	values, err := s.stateValues(v, s.withEntered(v, nil), false)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	payload := s.viewActionPayload(v, userID, values, s.buttonAction(btn))
	s.mu.Unlock()
	return deliverInteraction(t, payload)
}

// viewActionPayload is the block_actions payload of action in view v, by userID,
// with the view's state values as Slack sends them. Call with s.mu held.
func (s *Server) viewActionPayload(v *viewRecord, userID string, values map[string]any, action map[string]any) map[string]any {
	view := s.viewJSON(v)
	view["state"] = map[string]any{"values": values}
	return map[string]any{
		"type": "block_actions", "user": s.userRef(s.st.people[userID]), "api_app_id": s.cfg.appID,
		"token": s.cfg.verificationToken, "team": s.teamRef(), "enterprise": nil, "is_enterprise_install": false,
		"container":  map[string]any{"type": "view", "view_id": v.id},
		"trigger_id": s.issueTrigger(userID),
		"view":       view,
		"actions":    []any{action},
	}
}

// visibleView finds a view a person sees: their Home tab, or the modal on top of their
// stack. Call with s.mu held.
func (s *Server) visibleView(userID, viewID string) (*viewRecord, error) {
	if s.st.people[userID] == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchUser, userID)
	}
	v := s.st.views[viewID]
	switch {
	case v == nil:
		return nil, fmt.Errorf("%w: %s", ErrNoSuchView, viewID)
	case v.userID != userID:
		return nil, fmt.Errorf("%w: %s is %s's", ErrNotYourView, viewID, v.userID)
	case v.kind == "home":
		return v, nil
	}
	stack := s.st.stacks[userID]
	if v.closed || len(stack) == 0 || stack[len(stack)-1] != v.id {
		return nil, fmt.Errorf("%w: %s", ErrViewNotOpen, viewID)
	}
	return v, nil
}

// findButton finds the one button with actionID (and blockID, unless "").
func findButton(blocks []any, blockID, actionID string) (element, error) {
	var found []element
	for _, e := range elementsOf(blocks) {
		if e.kind() == "button" && e.actionID() == actionID && (blockID == "" || e.blockID() == blockID) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return element{}, fmt.Errorf("%w: action_id %q", ErrNoSuchAction, actionID)
	case 1:
		return found[0], nil
	}
	return element{}, fmt.Errorf("%w: %d buttons with action_id %q", ErrAmbiguousAction, len(found), actionID)
}

// buttonAction is the actions[] entry of a button click. Call with s.mu held.
func (s *Server) buttonAction(btn element) map[string]any {
	now := s.now()
	a := map[string]any{
		"type": "button", "action_id": btn.actionID(), "block_id": btn.blockID(),
		"text": btn.el["text"], "action_ts": fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000),
	}
	for _, k := range []string{"value", "style", "url"} {
		if v, ok := btn.el[k]; ok {
			a[k] = v
		}
	}
	return a
}

func deliverInteraction(t Transport, payload map[string]any) (Ack, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return Ack{}, fmt.Errorf("encode %s payload: %w", payload["type"], err)
	}
	return t.Deliver(context.Background(), Delivery{Kind: KindInteraction, Payload: raw})
}
