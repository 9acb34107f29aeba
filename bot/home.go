package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// HomeLimit is how many referrals, and how many asks, the Home tab lists before
// "and N more": two sections of 45 lines and their headings stay under the 100
// blocks Slack allows a Home tab (SLACK.md).
const HomeLimit = 45

// OpenHome records that user opened the bot's Home tab, so that changes refresh it
// from now on, and publishes it. Slack sends app_home_opened on every visit, so
// each visit shows the worklist as it stands.
func (s *Service) OpenHome(ctx context.Context, user string) error {
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.RecordHomeOpened(ctx, user) }); err != nil {
		return fmt.Errorf("open home of %s: %w", user, err)
	}
	return s.publishHome(ctx, user)
}

// Home returns what user's Home tab shows: their worklist, and for a supervisor
// the analysts' workload and the recommendations awaiting their sign-off, with
// the worklist's sections shortened to leave room for them.
func (s *Service) Home(ctx context.Context, user string) (*Worklist, error) {
	supervisor, err := s.IsSupervisor(ctx, user)
	if err != nil {
		s.log.Warn("supervisors unreadable for the Home tab", "err", err)
	}
	limit := HomeLimit
	if supervisor || err != nil { // room for the workload, or for the note saying why it is missing
		limit = SupervisorHomeLimit
	}
	w, err2 := s.worklist(ctx, ListMine, user, limit)
	if err2 != nil {
		return nil, err2
	}
	w.SupervisorsUnreadable = err != nil
	if supervisor {
		if w.Workload, err = s.workload(ctx, user, w.Today); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// homeLocks serialises reading and publishing one person's Home tab, so that two
// refreshes running at once cannot publish in the wrong order and leave the older
// picture up. The bot runs as one replica (manifests/kubernetes), so a lock in the
// process is enough; it is package-wide because a Service has no room for it.
var homeLocks keyedMutex

// publishHome renders user's Home tab from the store and publishes it.
func (s *Service) publishHome(ctx context.Context, user string) error {
	unlock := homeLocks.lock(user)
	defer unlock()
	w, err := s.Home(ctx, user)
	if err != nil {
		return err
	}
	if err := s.slack.PublishHome(ctx, user, HomeView(w, s.roster)); err != nil {
		return fmt.Errorf("publish home of %s: %w", user, err)
	}
	return nil
}

// refreshHomes republishes the Home tabs a change to the referral shows in, among
// those people have opened: its analyst's (and, after a reassignment, the former
// analysts'; for a change to the whole referral, the supervisors'), and those
// of the rosters of the offices concerned: the job's ask's office, or for a
// change to the whole referral every office still without a position (answered
// offices no longer list it).
func (s *Service) refreshHomes(ctx context.Context, j *Job) error {
	return s.refreshHomesFor(ctx, j.ReferralID, []int64{j.AskID})
}

// refreshHomesFor is refreshHomes for several changes to one referral at once (a
// refresh's marks): each ask's office, and the whole referral's for ask 0. Each
// person's tab is published once.
func (s *Service) refreshHomesFor(ctx context.Context, referralID int64, askIDs []int64) error {
	if looked, err := s.store.AnyHomeViewer(ctx); err != nil || !looked {
		return err // nobody looks: no rosters to read from Slack
	}
	ref, err := s.store.Referral(ctx, referralID)
	if err != nil {
		return err
	}
	if !ref.Provisioned {
		return errNotReady // the Home tab links the channel: wait for it
	}
	users := []string{ref.AnalystID}
	asks, err := s.store.Asks(ctx, ref.ID)
	if err != nil {
		return err
	}
	whole := slices.Contains(askIDs, 0)
	if whole {
		former, err := s.formerAnalysts(ctx, ref.ID)
		if err != nil {
			return err
		}
		users = append(users, former...)
		// Supervisors count every analyst's referrals: a change to a whole referral
		// (opened, reassigned, recommended, signed off) moves their counts. A single
		// office's answer does not refresh them, to spare views.publish; their next
		// visit reads it.
		if !s.roster.Supervisors.Empty() {
			// Unreadable, the supervisors' tabs wait for their next visit rather than
			// hold back the analyst's and the offices'.
			supervisors, err := s.members.officeMembers(ctx, s.roster.Supervisors.roster())
			if err != nil {
				s.log.Warn("supervisors' Home tabs not refreshed", "referral", ref.ID, "err", err)
			}
			users = append(users, supervisors...)
		}
	}
	for _, a := range asks {
		if !slices.Contains(askIDs, a.ID) && (!whole || a.Current != nil) {
			continue
		}
		o, ok := s.roster.Office(a.OfficeCode)
		if !ok {
			continue
		}
		members, err := s.members.officeMembers(ctx, o)
		if err != nil {
			return err
		}
		users = append(users, members...)
	}
	slices.Sort(users)
	viewers, err := s.store.HomeViewers(ctx, slices.Compact(users))
	if err != nil {
		return err
	}
	for _, u := range viewers {
		if err := s.publishHome(ctx, u); err != nil {
			if Permanent(err) { // say, a deactivated account: the others still get theirs
				s.log.Warn("home tab not refreshed", "user", u, "referral", ref.ID, "err", err)
				continue
			}
			return err
		}
	}
	return nil
}

// formerAnalysts returns who owned the referral before a reassignment, from its
// event log: their Home tabs must drop it.
func (s *Service) formerAnalysts(ctx context.Context, referralID int64) ([]string, error) {
	events, err := s.store.Events(ctx, referralID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range events {
		if e.Kind != EventReassigned {
			continue
		}
		var d struct {
			From string `json:"from"`
		}
		if err := json.Unmarshal([]byte(e.Detail), &d); err == nil && d.From != "" {
			out = append(out, d.From)
		}
	}
	return out, nil
}

// keyedMutex is a mutex per key, forgotten when nobody holds or waits for it.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	sync.Mutex
	users int
}

// lock takes the key's mutex and returns its unlock.
func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
