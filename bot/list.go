package bot

import (
	"context"
	"strings"
)

// ParseListKind reads the argument of /referral list; "" is ListMine.
func ParseListKind(s string) (ListKind, error) {
	switch k := ListKind(strings.ToLower(strings.TrimSpace(s))); k {
	case "":
		return ListMine, nil
	case ListMine, ListAll, ListOverdue:
		return k, nil
	}
	return "", Errorf(EINVALID, "%q is not a list: use `/referral list`, `/referral list all` or `/referral list overdue`.", s)
}

// List returns what /referral list shows user: ListMine their open referrals as
// analyst and the asks awaiting their offices; ListAll every open referral
// (analysts only); ListOverdue the open referrals with an overdue office, or for
// someone who is not an analyst the overdue asks of their offices.
func (s *Service) List(ctx context.Context, user string, kind ListKind) (*Worklist, error) {
	if kind == ListAll && !s.roster.IsAnalyst(user) {
		return nil, Errorf(EFORBIDDEN, "Only licensing analysts can list every open referral. `/referral list` shows yours and the asks waiting on your offices.")
	}
	return s.worklist(ctx, kind, user, ListLimit)
}
