package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/referralbot/referralbot/bot/deadline"
)

// Service is the referral lifecycle: open, ask, record, recommend. Transports call it;
// it talks to the world only through Store and Slack.
type Service struct {
	names   names  // people's Slack names as of their latest action
	marking string // the records' marking banner
	store   Store
	slack   Slack
	roster  *Roster
	rules   *deadline.Rules
	policy  deadline.Policy
	queue   ReminderQueue
	now     func() time.Time
	loc     *time.Location
	log     *slog.Logger
	members members
	kick    chan struct{} // wakes the outbox worker when a job is enqueued
	// wakeMu guards wakeAt, when the pending delayed Kick fires (kickAfter); zero
	// when none is pending.
	wakeMu  sync.Mutex
	wakeAt  time.Time
	observe Observer
	lease   time.Duration
	// refreshDelay is how long a referral's refresh waits for more changes (refresh.go).
	refreshDelay time.Duration

	archiveAfter    int
	signOff         map[Outcome]bool // outcomes that need a supervisor's second signature
	scopeOwn        bool             // ANALYST_SCOPE=own: only a referral's analyst and supervisors act on it
	recordFile      RecordFile
	staffing        *StaffingRules
	digestDay       atomic.Value // the last date (YYYY-MM-DD) whose morning digests are all recorded
	digestsDue      atomic.Bool  // digests may be recorded but not posted (true at start-up)
	digestRetryFrom atomic.Int64 // after a failed post, no retry before this (Unix ns)
	// needRebuild is set when the reminder queue missed a change (it was down).
	needRebuild atomic.Bool
	// owed are the referrals whose analyst could not be told of paused work (pause.go).
	owed owedNotices
	// provisos is the standard provisos library reviewers choose from.
	provisos *ProvisoLibrary
}

// Config carries what NewService needs besides its dependencies.
type Config struct {
	Roster  *Roster
	Rules   *deadline.Rules // business days, default due dates; defaults to New York with default settings
	Policy  deadline.Policy // when offices are reminded; zero value means deadline.DefaultPolicy
	Queue   ReminderQueue   // the reminder schedule (required)
	Observe Observer        // told of positions and reminders, for metrics; may be nil
	// JobLease is how long a claimed outbox job is held before another worker may take
	// it over (the holder died); defaults to JobLease.
	JobLease time.Duration
	// RefreshDelay is how long a referral's refresh waits for more changes to draw
	// with the first (refresh.go); 0 draws at once (tests, whose clocks stand still).
	RefreshDelay time.Duration
	// ArchiveAfterDays is how many business days after the final recommendation a
	// referral's channel is archived; 0 keeps channels open.
	ArchiveAfterDays int
	// RecordFile renders the record uploaded after the final recommendation; nil
	// uploads nothing.
	RecordFile RecordFile
	// Marking is the marking banner of every record the service renders
	// (MARKING_BANNER); empty means DefaultMarking.
	Marking string
	// SignOffRequired are the outcomes whose recommendation is final only once a
	// supervisor (Roster.Supervisors) signs it off.
	SignOffRequired []Outcome
	// AnalystScope is ScopeTeam (analysts cover for each other; the default) or
	// ScopeOwn (only a referral's analyst and the supervisors act on it).
	AnalystScope string
	// Staffing are the operator's staffing rules (STAFFING_RULES_PATH); nil: none.
	Staffing *StaffingRules
	// Provisos is the operators' standard provisos library; nil: none.
	Provisos *ProvisoLibrary
	Log      *slog.Logger
}

// NewService returns the lifecycle service. now is the program's one clock, the
// same one its store reads.
func NewService(store Store, slack Slack, now func() time.Time, cfg Config) *Service {
	if now == nil {
		panic("bot.NewService: no clock")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.JobLease <= 0 {
		cfg.JobLease = JobLease
	}
	if cfg.Observe == nil {
		cfg.Observe = noObserver{}
	}
	if cfg.Rules == nil {
		cfg.Rules = deadline.NewRules(nil, deadline.Defaults{})
	}
	if cfg.Policy.MorningHour == 0 && len(cfg.Policy.BeforeBusinessDays) == 0 {
		cfg.Policy = deadline.DefaultPolicy()
	}
	svc := &Service{
		marking:      cmp.Or(cfg.Marking, DefaultMarking),
		store:        store,
		slack:        slack,
		roster:       cfg.Roster,
		provisos:     cfg.Provisos,
		rules:        cfg.Rules,
		policy:       cfg.Policy,
		queue:        cfg.Queue,
		observe:      cfg.Observe,
		lease:        cfg.JobLease,
		refreshDelay: max(cfg.RefreshDelay, 0),
		archiveAfter: cfg.ArchiveAfterDays,
		recordFile:   cfg.RecordFile,
		staffing:     cfg.Staffing,
		now:          now,
		loc:          cfg.Rules.Location(),
		log:          cfg.Log,
		members:      members{slack: slack, now: now, log: cfg.Log},
		kick:         make(chan struct{}, 1),
	}
	svc.scopeOwn = cfg.AnalystScope == ScopeOwn
	svc.signOff = map[Outcome]bool{}
	for _, o := range cfg.SignOffRequired {
		svc.signOff[o] = true
	}
	svc.digestsDue.Store(true) // a crash may have left one recorded but not posted
	return svc
}

// Provisos returns the standard provisos library (never nil).
func (s *Service) Provisos() *ProvisoLibrary {
	if s.provisos == nil {
		return &ProvisoLibrary{}
	}
	return s.provisos
}

// Roster returns the configured offices and analysts.
func (s *Service) Roster() *Roster { return s.roster }

// Location is the time zone business days and reminder mornings are reckoned in.
func (s *Service) Location() *time.Location { return s.loc }

// Now returns the service's current time.
func (s *Service) Now() time.Time { return s.now() }

// Today returns the current civil date (midnight UTC) in the service's time zone.
func (s *Service) Today() time.Time {
	y, m, d := s.now().In(s.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DefaultDueDates returns the default DoD and office due dates for a referral
// received today, for prefilling the open modal.
func (s *Service) DefaultDueDates(agency Agency) (dod, office time.Time) {
	dod = s.rules.DoDDueDate(string(agency), s.Today())
	return dod, s.rules.OfficeDueDate(dod)
}

// IsAnalyst reports whether user is a licensing analyst.
func (s *Service) IsAnalyst(user string) bool { return s.roster.IsAnalyst(user) }

// ReferralByChannel returns the referral whose channel this is.
func (s *Service) ReferralByChannel(ctx context.Context, channelID string) (*Referral, error) {
	return s.store.ReferralByChannel(ctx, channelID)
}

// event builds a log entry with a JSON detail.
func (s *Service) event(referralID int64, actor, kind string, detail map[string]any) *Event {
	raw, _ := json.Marshal(detail) // maps of plain values always marshal
	return &Event{ReferralID: referralID, Actor: actor, ActorName: s.nameOf(actor), Kind: kind, Detail: string(raw), At: s.now().UTC()}
}

// enqueue adds jobs inside tx and wakes the worker once the transaction commits.
func (s *Service) enqueue(ctx context.Context, tx Tx, jobs ...*Job) error {
	for _, j := range jobs {
		if j.RunAt.IsZero() {
			j.RunAt = s.now().UTC()
		}
		if err := tx.Enqueue(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// Kick wakes the outbox worker.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// kickAfter wakes the outbox worker once d has passed, for a job due then. A press
// used to Kick at once for its refresh, due only after refreshDelay: every press
// cost the single writer a claim that found nothing due, in the moment the next
// presses were waiting for it (issue 13). One wake serves every job due at or after
// it: a worker that claims sleeps until the soonest pending job (idleWait).
func (s *Service) kickAfter(d time.Duration) {
	if d <= 0 {
		s.Kick()
		return
	}
	at := s.now().Add(d) // only orders the wakes asked for; the timer below waits in real time
	s.wakeMu.Lock()
	defer s.wakeMu.Unlock()
	if !s.wakeAt.IsZero() && !s.wakeAt.After(at) {
		return // an earlier wake is pending
	}
	s.wakeAt = at
	time.AfterFunc(d, func() {
		s.wakeMu.Lock()
		if s.wakeAt.Equal(at) {
			s.wakeAt = time.Time{}
		}
		s.wakeMu.Unlock()
		s.Kick()
	})
}

// Tally is a referral with where every office stands.
type Tally struct {
	Referral       *Referral
	Asks           []*Ask
	Recommendation *Recommendation // nil until recorded
	// Today is the day the standing is read on, for the DoD due date's passing;
	// zero shows none.
	Today time.Time
	// Earlier is the case's earlier round and EarlierFinal its final recommendation;
	// nil on a first round.
	Earlier      *Referral
	EarlierFinal *Recommendation
	// Pending is the recommendation waiting for a supervisor's sign-off; nil if none.
	Pending *Recommendation
}

// Tally returns the referral's current standing.
func (s *Service) Tally(ctx context.Context, referralID int64) (*Tally, error) {
	t, err := tally(ctx, s.store, referralID)
	if err != nil {
		return nil, err
	}
	t.Today = s.Today()
	return t, nil
}

func tally(ctx context.Context, r ReferralReader, referralID int64) (*Tally, error) {
	ref, err := r.Referral(ctx, referralID)
	if err != nil {
		return nil, err
	}
	asks, err := r.Asks(ctx, referralID)
	if err != nil {
		return nil, err
	}
	t := &Tally{Referral: ref, Asks: asks}
	if ref.State == ReferralRecommended {
		if t.Recommendation, err = r.Recommendation(ctx, referralID); err != nil {
			return nil, err
		}
	}
	if err := t.loadRounds(ctx, r); err != nil {
		return nil, err
	}
	return t, nil
}

// Observer is told of what happens, for metrics. Methods must be fast and safe for
// concurrent use.
type Observer interface {
	PositionRecorded(o Outcome)
	ReminderRecorded(late bool)
}

type noObserver struct{}

func (noObserver) PositionRecorded(Outcome) {}
func (noObserver) ReminderRecorded(bool)    {}

// FirstDelivery reports whether an Events API event is seen for the first time;
// a retry or redelivery of the same event_id answers false.
func (s *Service) FirstDelivery(ctx context.Context, eventID string) (bool, error) {
	var first bool
	err := s.store.Update(ctx, func(tx Tx) (err error) {
		first, err = tx.RecordDelivery(ctx, eventID)
		return err
	})
	return first, err
}
