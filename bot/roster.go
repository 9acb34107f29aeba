package bot

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/singleflight"
)

// Office is a reviewing office and who may answer for it: the members of a Slack
// user group, plus individually named users.
type Office struct {
	Code      string   `yaml:"code"`
	Name      string   `yaml:"name"`
	UserGroup string   `yaml:"usergroup,omitempty"` // Slack user group id (S…)
	Users     []string `yaml:"users,omitempty"`     // Slack user ids (U…)
	// QueueChannel is the channel (C… or G…) where the office's reviewers work. Set,
	// its asks are posted there and its reviewers join a referral's channel only
	// when they choose to; unset, its asks go in the referral's channel and its
	// roster is invited there.
	QueueChannel string `yaml:"queue_channel,omitempty"`
}

// HasQueue reports whether the office works from its own queue channel.
func (o Office) HasQueue() bool { return o.QueueChannel != "" }

// Roster is the operator's configuration: the reviewing offices and the analysts.
type Roster struct {
	Analysts []string `yaml:"analysts"`
	Offices  []Office `yaml:"offices"`
	// Supervisors give a second signature where SIGN_OFF_REQUIRED asks for one.
	Supervisors Supervisors `yaml:"supervisors,omitempty"`
}

// DefaultOffices is the default DoD roster of reviewing offices (DOMAIN.md).
func DefaultOffices() []Office {
	return []Office{
		{Code: "army", Name: "Army"},
		{Code: "navy", Name: "Navy"},
		{Code: "air_force", Name: "Air Force"},
		{Code: "joint_staff", Name: "Joint Staff"},
		{Code: "as_re", Name: "A&S / R&E"},
		{Code: "policy", Name: "Policy"},
		{Code: "technology", Name: "DTSA Technology"},
		{Code: "foreign_affairs", Name: "DTSA Foreign Affairs"},
		{Code: "infosec", Name: "DTSA Information Security"},
	}
}

// LoadRoster reads a roster file (YAML). An empty path gives the default offices
// with nobody on them and no analysts.
func LoadRoster(path string) (*Roster, error) {
	if path == "" {
		return &Roster{Offices: DefaultOffices()}, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read roster: %w", err)
	}
	var r Roster
	if err := yaml.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("parse roster %s: %w", path, err)
	}
	if len(r.Offices) == 0 {
		r.Offices = DefaultOffices()
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("roster %s: %w", path, err)
	}
	return &r, nil
}

func (r *Roster) check() error {
	var problems []string
	seen := map[string]bool{}
	for i, o := range r.Offices {
		switch {
		case o.Code == "" || strings.ToLower(o.Code) != o.Code || strings.ContainsAny(o.Code, " :,"):
			problems = append(problems, fmt.Sprintf("office %d: code %q must be lowercase with no spaces", i+1, o.Code))
		case o.Code == OfficeDTSA:
			problems = append(problems, fmt.Sprintf("office %d: code %q is reserved for the analyst's own provisos", i+1, o.Code))
		case seen[o.Code]:
			problems = append(problems, fmt.Sprintf("office %d: code %q is used twice", i+1, o.Code))
		}
		seen[o.Code] = true
		if o.Name == "" || len(o.Name) > 40 {
			problems = append(problems, fmt.Sprintf("office %q: name must be 1-40 characters", o.Code))
		}
		if o.QueueChannel != "" && !channelIDRE.MatchString(o.QueueChannel) {
			problems = append(problems, fmt.Sprintf("office %q: queue_channel %q must be a channel id such as C0123ABCD (not a #name)", o.Code, o.QueueChannel))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// channelIDRE matches a Slack channel id: channels are stored by id, never looked
// up by name.
var channelIDRE = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)

// QueueChannels returns the offices' queue channels, each once, in roster order.
func (r *Roster) QueueChannels() []string {
	var out []string
	for _, o := range r.Offices {
		if o.HasQueue() && !slices.Contains(out, o.QueueChannel) {
			out = append(out, o.QueueChannel)
		}
	}
	return out
}

// OfficesOfGroup returns the offices whose roster includes the Slack user group.
func (r *Roster) OfficesOfGroup(groupID string) []Office {
	var out []Office
	for _, o := range r.Offices {
		if o.UserGroup != "" && o.UserGroup == groupID {
			out = append(out, o)
		}
	}
	return out
}

// Office returns the office with that code.
func (r *Roster) Office(code string) (Office, bool) {
	for _, o := range r.Offices {
		if o.Code == code {
			return o, true
		}
	}
	return Office{}, false
}

// OfficeName returns the office's display name, or the code when unknown
// (an office removed from the roster still shows in old referrals).
func (r *Roster) OfficeName(code string) string {
	if code == OfficeDTSA {
		return "DTSA (analyst)"
	}
	if o, ok := r.Office(code); ok {
		return o.Name
	}
	return code
}

// IsAnalyst reports whether user is a licensing analyst.
func (r *Roster) IsAnalyst(user string) bool {
	return slices.Contains(r.Analysts, user)
}

// GroupCacheTTL is how long user group membership read from Slack is trusted.
const GroupCacheTTL = time.Minute

// members resolves office rosters through Slack user groups, caching each group for
// GroupCacheTTL because usergroups.users.list is a Tier 2 method.
type members struct {
	slack SlackUserGroups
	now   func() time.Time
	log   *slog.Logger

	mu     sync.Mutex
	groups map[string]cachedGroup
	// fetch makes concurrent readers of an expired group share one Slack call, so a
	// burst of presses never turns into a burst of Tier 2 calls.
	fetch singleflight.Group
}

type cachedGroup struct {
	users []string
	until time.Time
}

// group returns a user group's members. An expired group is read again from
// Slack; should Slack take longer than RosterWait, the last membership it gave
// answers (and the log says so), while the refresh carries on for the next reader:
// the check runs while Slack waits for an acknowledgement. A group never read
// waits for Slack as long as ctx allows, and an error from Slack is returned,
// never taken for membership.
func (m *members) group(ctx context.Context, id string) ([]string, error) {
	m.mu.Lock()
	c, known := m.groups[id]
	m.mu.Unlock()
	if known && m.now().Before(c.until) {
		return c.users, nil
	}
	// The refresh is detached from ctx: it is shared with other readers, and one
	// that outlives its reader still fills the cache.
	fetched := m.fetch.DoChan(id, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupFetchLimit)
		defer cancel()
		users, err := m.slack.UserGroupMembers(ctx, id)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		if m.groups == nil {
			m.groups = map[string]cachedGroup{}
		}
		m.groups[id] = cachedGroup{users: users, until: m.now().Add(GroupCacheTTL)}
		m.mu.Unlock()
		return users, nil
	})
	var stale <-chan time.Time
	if known {
		t := time.NewTimer(RosterWait)
		defer t.Stop()
		stale = t.C
	}
	select {
	case res := <-fetched:
		if res.Err != nil {
			return nil, fmt.Errorf("read user group %s: %w", id, res.Err)
		}
		return res.Val.([]string), nil
	case <-stale:
		m.log.Warn("roster: Slack is slow to list a user group; using its last known membership", "usergroup", id, "waited", RosterWait)
		return c.users, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("read user group %s: %w", id, ctx.Err())
	}
}

// forget drops a user group from the cache: its membership changed.
func (m *members) forget(id string) {
	m.mu.Lock()
	delete(m.groups, id)
	m.mu.Unlock()
}

// officeMembers returns everyone who may answer for the office.
func (m *members) officeMembers(ctx context.Context, o Office) ([]string, error) {
	users := slices.Clone(o.Users)
	if o.UserGroup != "" {
		g, err := m.group(ctx, o.UserGroup)
		if err != nil {
			return nil, err
		}
		users = append(users, g...)
	}
	slices.Sort(users)
	return slices.Compact(users), nil
}

// onRoster reports whether user may answer for the office. It fails closed: an
// error reading the roster is returned, never treated as membership.
func (m *members) onRoster(ctx context.Context, o Office, user string) (bool, error) {
	if slices.Contains(o.Users, user) {
		return true, nil
	}
	if o.UserGroup == "" {
		return false, nil
	}
	g, err := m.group(ctx, o.UserGroup)
	if err != nil {
		return false, err
	}
	return slices.Contains(g, user), nil
}
