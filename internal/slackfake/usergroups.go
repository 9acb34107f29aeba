package slackfake

import (
	"slices"
	"time"
)

// userGroup is a Slack user group (subteam), such as @army-reviewers.
type userGroup struct {
	ID, Handle string
	Users      []string
	Created    time.Time
}

// AddUserGroup adds a user group with its members, or replaces one with the same id.
func (s *Server) AddUserGroup(id, handle string, userIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.groups[id] == nil {
		s.st.groupIDs = append(s.st.groupIDs, id)
	}
	s.st.groups[id] = &userGroup{ID: id, Handle: handle, Users: slices.Clone(userIDs), Created: s.now()}
}

// SetUserGroupMembers replaces a user group's members, as an admin editing it would.
// It panics if the group does not exist: that is a mistake in the test.
func (s *Server) SetUserGroupMembers(id string, userIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.groups[id]
	if g == nil {
		panic("slackfake: SetUserGroupMembers of unknown group " + id)
	}
	g.Users = slices.Clone(userIDs)
}

func (s *Server) usergroupsList(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	groups := []map[string]any{}
	for _, id := range s.st.groupIDs {
		g := s.st.groups[id]
		out := map[string]any{
			"id": g.ID, "team_id": s.cfg.teamID, "is_usergroup": true, "is_subteam": true,
			"name": g.Handle, "handle": g.Handle, "description": "", "is_external": false,
			"date_create": g.Created.Unix(), "date_update": g.Created.Unix(), "date_delete": 0,
			"auto_type": nil, "created_by": s.cfg.botUserID, "updated_by": s.cfg.botUserID,
			"deleted_by": nil, "prefs": map[string]any{"channels": []string{}, "groups": []string{}},
		}
		if req.flag("include_users") {
			out["users"] = slices.Clone(g.Users)
		}
		if req.flag("include_count") {
			out["user_count"] = len(g.Users)
		}
		groups = append(groups, out)
	}
	return map[string]any{"usergroups": groups}, nil
}

func (s *Server) usergroupsUsersList(req *request) (map[string]any, error) {
	id := req.str("usergroup")
	if id == "" {
		return nil, apiErrMessages("invalid_arguments", "[ERROR] missing required field: usergroup")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.groups[id]
	if g == nil {
		return nil, apiErr("no_such_subteam")
	}
	users := slices.Clone(g.Users)
	if users == nil {
		users = []string{}
	}
	return map[string]any{"users": users}, nil
}

func (s *Server) usersInfo(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.people[req.str("user")]
	if p == nil {
		return nil, apiErr("user_not_found")
	}
	return map[string]any{"user": s.personJSON(p)}, nil
}

// personJSON renders a person the way users.info returns them.
func (s *Server) personJSON(p *person) map[string]any {
	return map[string]any{
		"id": p.ID, "team_id": s.cfg.teamID, "name": p.Name, "real_name": p.Name,
		"deleted": false, "is_bot": p.IsBot, "is_admin": false, "is_owner": false,
		"is_app_user": false, "tz": "America/New_York", "tz_label": "Eastern Standard Time",
		"tz_offset": -18000, "locale": "en-US",
		"profile": map[string]any{
			"real_name": p.Name, "display_name": p.Name, "team": s.cfg.teamID,
			"real_name_normalized": p.Name, "display_name_normalized": p.Name,
		},
	}
}
