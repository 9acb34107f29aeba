package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// SubmitView has a person fill in the modal on top of their stack and press its submit
// button. The view_submission payload carries view.state.values in Slack's shape for
// every input element, with what inputs give or else the initial values. Then the ack
// acts as in Slack: empty (or no response_action) closes the view, "clear" closes the
// whole stack, "errors" keeps it open (see View.Errors), "update" replaces it and
// "push" pushes a new one.
func (s *Server) SubmitView(t Transport, userID, viewID string, inputs ...Input) (Ack, error) {
	s.mu.Lock()
	v, err := s.visibleView(userID, viewID)
	if err == nil && (v.kind != "modal" || v.spec["submit"] == nil) {
		err = fmt.Errorf("%w: view %s has no submit button", ErrInvalidInput, viewID)
	}
	var values map[string]any
	if err == nil {
		values, err = s.stateValues(v, s.withEntered(v, inputs), true)
	}
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	v.errors = nil
	view := s.viewJSON(v)
	view["state"] = map[string]any{"values": values}
	payload := map[string]any{
		"type": "view_submission", "team": s.teamRef(), "user": s.userRef(s.st.people[userID]),
		"api_app_id": s.cfg.appID, "token": s.cfg.verificationToken, "trigger_id": s.issueTrigger(userID),
		"view": view, "response_urls": []any{}, "is_enterprise_install": false, "enterprise": nil,
	}
	s.mu.Unlock()
	ack, err := deliverInteraction(t, payload)
	if err != nil || ack.Status != 200 {
		return ack, err
	}
	return ack, s.applyViewAck(v, ack.Body)
}

// CloseView has a person press a modal's Close button: the modal leaves the stack, and
// if it asked for notify_on_close the app gets a view_closed payload (else nothing is
// delivered and the Ack is zero).
func (s *Server) CloseView(t Transport, userID, viewID string) (Ack, error) {
	s.mu.Lock()
	v, err := s.visibleView(userID, viewID)
	if err == nil && v.kind != "modal" {
		err = fmt.Errorf("%w: a Home tab cannot be closed", ErrViewNotOpen)
	}
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	notify := v.spec["notify_on_close"] == true
	payload := map[string]any{
		"type": "view_closed", "team": s.teamRef(), "user": s.userRef(s.st.people[userID]),
		"api_app_id": s.cfg.appID, "token": s.cfg.verificationToken, "view": s.viewJSON(v),
		"is_cleared": false, "is_enterprise_install": false, "enterprise": nil,
	}
	s.closeView(v)
	s.mu.Unlock()
	if !notify {
		return Ack{}, nil
	}
	return deliverInteraction(t, payload)
}

// applyViewAck does what Slack does with a view_submission ack.
func (s *Server) applyViewAck(v *viewRecord, body []byte) error {
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if b := bytes.TrimSpace(body); len(b) > 0 {
		if err := json.Unmarshal(b, &resp); err != nil {
			return fmt.Errorf("%w: view_submission ack is not JSON: %v", ErrBadAck, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v.closed {
		return nil // the app closed it already
	}
	switch resp.ResponseAction {
	case "":
		s.closeView(v)
	case "clear":
		s.closeStack(v.userID, 0)
	case "errors":
		if len(resp.Errors) == 0 {
			return fmt.Errorf("%w: response_action errors without errors", ErrBadAck)
		}
		for id := range resp.Errors {
			if !hasInputBlockID(v, id) {
				return fmt.Errorf("%w: errors key %q is not an input block_id of view %s", ErrBadAck, id, v.id)
			}
		}
		v.errors = maps.Clone(resp.Errors)
	case "update", "push":
		spec, err := checkView(resp.View, "modal")
		if err != nil {
			return fmt.Errorf("%w: response_action %s: %v", ErrBadAck, resp.ResponseAction, err)
		}
		if resp.ResponseAction == "update" {
			s.replaceView(v, spec)
		} else if _, err := s.pushView(v.userID, spec); err != nil {
			return fmt.Errorf("%w: response_action push: %v", ErrBadAck, err)
		}
	default:
		return fmt.Errorf("%w: unknown response_action %q", ErrBadAck, resp.ResponseAction)
	}
	return nil
}

// closeView closes a modal and those pushed over it. Call with s.mu held.
func (s *Server) closeView(v *viewRecord) {
	if i := slices.Index(s.st.stacks[v.userID], v.id); i >= 0 {
		s.closeStack(v.userID, i)
	}
	v.closed = true
}

func hasInputBlockID(v *viewRecord, blockID string) bool {
	blocks, _ := v.spec["blocks"].([]any)
	for _, b := range blocks {
		if bm := mapOf(b); bm["type"] == "input" && str(bm["block_id"]) == blockID {
			return true
		}
	}
	return false
}
