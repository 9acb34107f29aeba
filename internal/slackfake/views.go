package slackfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"time"
)

// Slack's limits on views.
const (
	triggerLifetime = 3 * time.Second
	maxModalStack   = 3
)

// viewRecord is a modal or Home tab as the fake holds it.
type viewRecord struct {
	id, kind, userID   string
	spec               map[string]any // the view as the app sent it, ids filled in
	hash               string
	rootID, previousID string
	opened             time.Time
	updates            int
	closed             bool
	errors             map[string]string
	entered            map[string]Input // by block_id: what DispatchInput entered (dispatch.go)
}

// readView reads and checks the view parameter of a views.* call.
func readView(req *request, want string) (map[string]any, error) {
	raw, ok := req.raw("view")
	if !ok || len(raw) == 0 {
		return nil, apiErrMessages("invalid_arguments", "[ERROR] missing required field: view")
	}
	return checkView(raw, want)
}

// checkView parses a view: view_too_large over 250 KB, invalid_arguments when it breaks
// Block Kit rules or is not of type want.
func checkView(raw []byte, want string) (map[string]any, error) {
	if len(raw) > maxViewBytes {
		return nil, apiErr("view_too_large")
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, apiErrMessages("invalid_arguments", "[ERROR] view must be valid JSON")
	}
	if problems := ValidateView(raw); len(problems) > 0 {
		return nil, invalidView(problems)
	}
	if spec["type"] != want {
		return nil, invalidView([]Problem{{"/view/type", "must be " + want}})
	}
	return spec, nil
}

// takeTrigger exchanges a trigger_id: unknown, used or older than 3 seconds on the
// fake clock is refused as Slack refuses it. Call with s.mu held.
func (s *Server) takeTrigger(id string) (*trigger, error) {
	if id == "" {
		return nil, apiErrMessages("invalid_arguments", "[ERROR] missing required field: trigger_id")
	}
	t := s.st.triggers[id]
	switch {
	case t == nil:
		return nil, apiErr("invalid_trigger_id")
	case t.used:
		return nil, apiErr("exchanged_trigger_id")
	case s.now().Sub(t.issued) >= triggerLifetime:
		return nil, apiErr("expired_trigger_id")
	}
	t.used = true
	return t, nil
}

func (s *Server) viewsOpen(req *request) (map[string]any, error) {
	spec, err := readView(req, "modal")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkExternalID(spec); err != nil {
		return nil, err
	}
	t, err := s.takeTrigger(req.str("trigger_id"))
	if err != nil {
		return nil, err
	}
	s.closeStack(t.userID, 0)
	v := s.newView(spec, t.userID)
	v.rootID = v.id
	s.st.stacks[t.userID] = []string{v.id}
	return map[string]any{"view": s.viewJSON(v)}, nil
}

func (s *Server) viewsPush(req *request) (map[string]any, error) {
	spec, err := readView(req, "modal")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkExternalID(spec); err != nil {
		return nil, err
	}
	t, err := s.takeTrigger(req.str("trigger_id"))
	if err != nil {
		return nil, err
	}
	v, err := s.pushView(t.userID, spec)
	if err != nil {
		return nil, err
	}
	return map[string]any{"view": s.viewJSON(v)}, nil
}

// pushView puts a new modal on top of the person's open stack. Call with s.mu held.
func (s *Server) pushView(userID string, spec map[string]any) (*viewRecord, error) {
	stack := s.st.stacks[userID]
	if len(stack) == 0 {
		return nil, apiErr("not_found")
	}
	if len(stack) >= maxModalStack {
		return nil, apiErr("push_limit_reached")
	}
	v := s.newView(spec, userID)
	v.rootID, v.previousID = stack[0], stack[len(stack)-1]
	s.st.stacks[userID] = append(stack, v.id)
	return v, nil
}

// viewsUpdate replaces an open view by view_id or external_id; a stale hash is
// hash_conflict.
func (s *Server) viewsUpdate(req *request) (map[string]any, error) {
	id, ext := req.str("view_id"), req.str("external_id")
	if id == "" && ext == "" {
		return nil, apiErrMessages("invalid_arguments", "[ERROR] missing required field: view_id")
	}
	s.mu.Lock()
	v := s.st.views[id]
	if id == "" {
		v = s.viewByExternalID(ext)
	}
	s.mu.Unlock()
	if v == nil {
		return nil, apiErr("not_found")
	}
	spec, err := readView(req, v.kind)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v.closed {
		return nil, apiErr("not_found")
	}
	if h := req.str("hash"); h != "" && h != v.hash {
		return nil, apiErr("hash_conflict")
	}
	s.replaceView(v, spec)
	return map[string]any{"view": s.viewJSON(v)}, nil
}

// viewsPublish sets a person's Home tab.
func (s *Server) viewsPublish(req *request) (map[string]any, error) {
	user := req.str("user_id")
	if user == "" {
		return nil, apiErrMessages("invalid_arguments", "[ERROR] missing required field: user_id")
	}
	spec, err := readView(req, "home")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.people[user] == nil {
		return nil, apiErr("user_not_found")
	}
	if v := s.st.views[s.st.homes[user]]; v != nil {
		if h := req.str("hash"); h != "" && h != v.hash {
			return nil, apiErr("hash_conflict")
		}
		s.replaceView(v, spec)
		return map[string]any{"view": s.viewJSON(v)}, nil
	}
	v := s.newView(spec, user)
	s.st.homes[user] = v.id
	return map[string]any{"view": s.viewJSON(v)}, nil
}

// newView stores a view. Call with s.mu held.
func (s *Server) newView(spec map[string]any, userID string) *viewRecord {
	blocks, _ := spec["blocks"].([]any)
	s.fillIDs(blocks)
	v := &viewRecord{
		id: s.newID("V"), kind: str(spec["type"]), userID: userID,
		spec: spec, hash: s.newHash(), opened: s.now(),
	}
	s.st.views[v.id] = v
	s.st.viewIDs = append(s.st.viewIDs, v.id)
	return v
}

// replaceView gives a view new content, keeping its id. Call with s.mu held.
func (s *Server) replaceView(v *viewRecord, spec map[string]any) {
	blocks, _ := spec["blocks"].([]any)
	s.fillIDs(blocks)
	v.spec, v.hash, v.errors = spec, s.newHash(), nil
	keepEntered(v)
	v.updates++
}

// closeStack closes a person's open modals from position from up. Call with s.mu held.
func (s *Server) closeStack(userID string, from int) {
	stack := s.st.stacks[userID]
	for _, id := range stack[min(from, len(stack)):] {
		s.st.views[id].closed = true
	}
	if from < len(stack) {
		s.st.stacks[userID] = stack[:from]
	}
}

func (s *Server) checkExternalID(spec map[string]any) error {
	if ext := str(spec["external_id"]); ext != "" && s.viewByExternalID(ext) != nil {
		return apiErr("duplicate_external_id")
	}
	return nil
}

func (s *Server) viewByExternalID(ext string) *viewRecord {
	for _, id := range s.st.viewIDs {
		if v := s.st.views[id]; str(v.spec["external_id"]) == ext {
			return v
		}
	}
	return nil
}

func (s *Server) newHash() string {
	s.st.seq["hash"]++
	return fmt.Sprintf("%d.%08d", s.now().Unix(), s.st.seq["hash"])
}

// viewJSON renders a view the way views.* return it and interaction payloads carry it.
func (s *Server) viewJSON(v *viewRecord) map[string]any {
	out := map[string]any{
		"private_metadata": "", "callback_id": "", "external_id": "",
		"clear_on_close": false, "notify_on_close": false, "close": nil, "submit": nil,
	}
	maps.Copy(out, v.spec)
	maps.Copy(out, map[string]any{
		"id": v.id, "team_id": s.cfg.teamID, "type": v.kind, "hash": v.hash,
		"state":  map[string]any{"values": map[string]any{}},
		"app_id": s.cfg.appID, "app_installed_team_id": s.cfg.teamID, "bot_id": s.cfg.botID,
		"root_view_id": nilIfEmpty(v.rootID), "previous_view_id": nilIfEmpty(v.previousID),
	})
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
