package bot

import (
	"context"
	"time"
)

// Reader reads referrals and what hangs off them, for whoever needs it all (the
// service's store). Methods return an *Error with code ENOTFOUND when the thing
// asked for does not exist. Code that reads only part takes the part's interface.
type Reader interface {
	ReferralReader
	HistoryReader
	ReminderReader
	WorklistReader
	WorkloadReader
	HomeReader
	QueueReader
	DoDClockReader
	PrecedentReader
}

// ReferralReader reads a referral and where it stands: its asks, each with its
// current position, and its final recommendation.
type ReferralReader interface {
	Referral(ctx context.Context, id int64) (*Referral, error)
	ReferralByCase(ctx context.Context, agency Agency, caseNumber string) (*Referral, error)
	ReferralByChannel(ctx context.Context, channelID string) (*Referral, error)
	ReferralByOpenKey(ctx context.Context, key string) (*Referral, error)
	// Asks returns the referral's asks ordered by ID, each with its Current position
	// (provisos included) or nil while awaiting.
	Asks(ctx context.Context, referralID int64) ([]*Ask, error)
	// Ask returns one ask with its Current position.
	Ask(ctx context.Context, id int64) (*Ask, error)
	// AskWithReferral returns one ask with its Current position and its referral, in
	// one read: what a button press checks.
	AskWithReferral(ctx context.Context, askID int64) (*Referral, *Ask, error)
	// Recommendation returns the referral's final recommendation (its newest final
	// version), ENOTFOUND if none.
	Recommendation(ctx context.Context, referralID int64) (*Recommendation, error)
	// RecommendationVersions returns every version of the referral's recommendation,
	// oldest first, including one waiting for a supervisor's sign-off.
	RecommendationVersions(ctx context.Context, referralID int64) ([]*Recommendation, error)
}

// HistoryReader reads how a referral got where it stands: every version of the
// positions, the reminders and the event log.
type HistoryReader interface {
	// Positions returns every version of an ask's position, oldest first.
	Positions(ctx context.Context, askID int64) ([]*Position, error)
	// Events returns the referral's event log, oldest first.
	Events(ctx context.Context, referralID int64) ([]*Event, error)
	// Reminders returns the reminders recorded for a referral, oldest first.
	Reminders(ctx context.Context, referralID int64) ([]*Reminder, error)
	// QuestionAnswers returns the answers recorded to the offices' RWA questions,
	// oldest first, each with the questions it answered.
	QuestionAnswers(ctx context.Context, referralID int64) ([]*QuestionAnswer, error)
}

// RecordReader is what LoadRecord reads: a referral and its whole history.
type RecordReader interface {
	ReferralReader
	HistoryReader
}

// AwaitingDue is what a rebuild of the reminder schedule reads of an awaiting ask.
type AwaitingDue struct {
	AskID    int64
	DueDate  time.Time
	DueSetAt time.Time // when the due date was last set: reminders before it are not owed
}

// ReminderReader reads what the reminder schedule is rebuilt and checked from.
type ReminderReader interface {
	// AwaitingAsks returns every ask still awaiting a position on a referral that is
	// open and not on hold, ordered by ID: what the reminder schedule is rebuilt from.
	AwaitingAsks(ctx context.Context) ([]*Ask, error)
	// EachAwaitingDue calls fn for each ask AwaitingAsks returns, in the same order,
	// with only what a rebuild needs; it streams, so memory does not grow with the
	// number of asks. An error from fn stops it and is returned.
	EachAwaitingDue(ctx context.Context, fn func(AwaitingDue) error) error
	// AskReminders returns the reminders recorded for one ask, oldest first.
	AskReminders(ctx context.Context, askID int64) ([]*Reminder, error)
	// AwaitingReminderIDs returns, by ask, the ids of the reminders recorded for every
	// ask still awaiting a position: what a rebuild of the schedule must not queue again.
	AwaitingReminderIDs(ctx context.Context) (map[int64]map[string]bool, error)
}

// WorklistReader reads the pages of the worklist (Home tab, /referral list). Each
// page method returns at most limit items and how many there are in all.
type WorklistReader interface {
	// AnalystReferrals returns the analyst's open referrals, soonest DoD due date first.
	AnalystReferrals(ctx context.Context, analyst string, limit int) ([]*Referral, int, error)
	// OpenReferralList returns every open referral, soonest DoD due date first.
	OpenReferralList(ctx context.Context, limit int) ([]*Referral, int, error)
	// OverdueReferrals returns the open referrals, not on hold, with an ask awaiting
	// a position whose due date is before today, soonest DoD due date first.
	OverdueReferrals(ctx context.Context, today time.Time, limit int) ([]*Referral, int, error)
	// OfficeQueue returns the asks awaiting a position from any of the offices,
	// soonest due first, each with its referral; with overdueOn set, only those due
	// before that date on referrals not on hold.
	OfficeQueue(ctx context.Context, offices []string, overdueOn time.Time, limit int) ([]*PendingAsk, int, error)
	// Standings returns the asks of the referrals, keyed by referral and ordered by
	// ID, with the outcome of each one's current position.
	Standings(ctx context.Context, referralIDs []int64) (map[int64][]Standing, error)
}

// HomeReader reads who has opened the bot's Home tab, whose tabs changes refresh.
type HomeReader interface {
	// HomeViewers returns which of users have opened the bot's Home tab.
	HomeViewers(ctx context.Context, users []string) ([]string, error)
	// AnyHomeViewer reports whether anybody has opened the bot's Home tab.
	AnyHomeViewer(ctx context.Context) (bool, error)
}

// Tx is one write transaction. Everything written through it commits or rolls back
// together, so a change, its event and the Slack work it causes (jobs) are never split.
type Tx interface {
	Reader
	// CreateReferral inserts r and sets its ID, CreatedAt and UpdatedAt. It returns
	// ECONFLICT when agency + case number or the open key is already taken.
	CreateReferral(ctx context.Context, r *Referral) error
	// UpdateReferral writes r's mutable fields (state, channel and provisioning progress,
	// due dates, analyst) and sets UpdatedAt.
	UpdateReferral(ctx context.Context, r *Referral) error
	// CreateAsk inserts a and sets its ID; ECONFLICT if the office is already asked.
	CreateAsk(ctx context.Context, a *Ask) error
	// UpdateAsk writes a's state, due date and message ts.
	UpdateAsk(ctx context.Context, a *Ask) error
	// AskStanding reads what may have changed about an ask since it was read outside
	// the transaction (Answer's re-check).
	AskStanding(ctx context.Context, askID int64) (AskStanding, error)
	// SetAskState writes the ask's state alone, leaving what others may have changed.
	SetAskState(ctx context.Context, askID int64, state AskState) error
	// CreatePosition inserts p as the ask's next version (setting ID and Version) with
	// its provisos.
	CreatePosition(ctx context.Context, p *Position) error
	// CreateRecommendation inserts rec (a version of the referral's recommendation)
	// with its provisos and dissent; ECONFLICT if the referral already has that
	// version, or another one waiting for sign-off.
	CreateRecommendation(ctx context.Context, rec *Recommendation) error
	// SignRecommendation records a supervisor's sign-off on the recommendation waiting
	// for it; ECONFLICT if it is not waiting.
	SignRecommendation(ctx context.Context, id int64, by string, at time.Time) error
	// CreateQuestionAnswer inserts qa with the questions it answers and sets its ID;
	// ECONFLICT if one of those questions is answered already.
	CreateQuestionAnswer(ctx context.Context, qa *QuestionAnswer) error
	// AppendEvent appends e to the log and sets its ID.
	AppendEvent(ctx context.Context, e *Event) error
	// RecordReminder records a reminder under its ID. It returns false, and changes
	// nothing, when a reminder with that ID is already recorded: that is what makes an
	// at-least-once delivery from the queue send at most one Slack message.
	RecordReminder(ctx context.Context, r *Reminder) (bool, error)
	// MarkReminderPosted notes that the reminder's channel message and/or its
	// direct message to the analyst went out (true flags are set, false ones left).
	MarkReminderPosted(ctx context.Context, id string, channel, dm bool) error
	// RecordDelivery records an Events API event id, returning false when it was
	// recorded before: Slack retries and redeliveries are handled once.
	RecordDelivery(ctx context.Context, eventID string) (bool, error)
	// Enqueue adds a job to the outbox. A job equal in kind, referral and ask to one
	// still pending (not yet claimed) is merged into it.
	Enqueue(ctx context.Context, j *Job) error
	// MarkForRefresh notes that the referral's pending refresh must redraw the
	// ask's message (askID 0: the whole referral changed; see refresh.go).
	MarkForRefresh(ctx context.Context, referralID, askID int64) error
	// RecordHomeOpened notes that user has opened the bot's Home tab, so that changes
	// refresh it from now on.
	RecordHomeOpened(ctx context.Context, user string) error
	QueueTx
}

// Store is the system of record.
type Store interface {
	Reader
	// Update runs fn in one write transaction, committing when it returns nil.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// ClaimJobs leases up to limit jobs that are due at now: pending ones whose RunAt
	// has passed and running ones whose lease expired. It never hands out a job while
	// another job with the same kind, referral and ask holds a live lease. Each claimed
	// job's Attempts is incremented.
	ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Job, error)
	// FinishJobs removes jobs that are done, together. A job already gone does not
	// keep the others: they are removed, and the error (ENOTFOUND) names it.
	FinishJobs(ctx context.Context, ids ...int64) error
	// RetryJob hands a job back to run again at the given time, noting the error;
	// lostWork marks it as a job that may have done Slack work it did not record
	// (Job.LostWork), a mark a job never loses before it is done.
	RetryJob(ctx context.Context, id int64, at time.Time, lastErr string, lostWork bool) error
	// FailJob marks a job as permanently failed, keeping it for inspection; lostWork
	// as in RetryJob, for a retry by hand.
	FailJob(ctx context.Context, id int64, lastErr string, lostWork bool) error
	// PendingJobs counts jobs not yet finished or failed (the outbox depth).
	PendingJobs(ctx context.Context) (int, error)
	// NextJobAt returns when the soonest pending job falls due; ok is false when none is pending.
	NextJobAt(ctx context.Context) (at time.Time, ok bool, err error)
	// PauseJob hands a job refused on the app's credentials back to run again at the
	// given time, marking it paused since since (kept when it already was).
	PauseJob(ctx context.Context, id int64, at, since time.Time, lastErr string) error
	// ReferralJobs returns the referral's unfinished Slack work: pending, running or failed.
	ReferralJobs(ctx context.Context, referralID int64) ([]*Job, error)
	// RefreshMarks returns what the referral's refresh must redraw, by ask.
	RefreshMarks(ctx context.Context, referralID int64) ([]RefreshMark, error)
	// ClearRefreshMarks removes the marks a refresh has drawn; a mark counted up
	// since it was read stays.
	ClearRefreshMarks(ctx context.Context, referralID int64, marks []RefreshMark) error
	// PausedWork summarises the work paused on refused credentials (Jobs is 0 when none).
	PausedWork(ctx context.Context) (PausedWork, error)
}

// JobKind names a piece of Slack work in the outbox.
type JobKind string

// Job kinds.
const (
	JobProvision     JobKind = "provision"      // create the channel, invite, post summary and asks
	JobUpdateSummary JobKind = "update_summary" // re-render the tally message in place
	JobUpdateAsk     JobKind = "update_ask"     // re-render one office's ask message
	JobPostFinal     JobKind = "post_final"     // post the final recommendation to the channel
	JobSendReminders JobKind = "send_reminders" // post a referral's newest unposted reminders (one ask's when AskID is set)
	JobRefreshHome   JobKind = "refresh_home"   // republish the Home tabs that show the referral (or its ask)
	JobSendNudges    JobKind = "send_nudges"    // post the analyst's manual reminders (/referral remind)
	JobInviteAnalyst JobKind = "invite_analyst" // add the referral's (new) analyst to its channel
	JobInviteJoiners JobKind = "invite_joiners" // add reviewers who pressed Join to the referral's channel
	JobRemoveLeavers JobKind = "remove_leavers" // remove reviewers who left the office they joined through
	JobPostAsk       JobKind = "post_ask"       // post an ask added after opening (/referral ask)
	JobUploadRecord  JobKind = "upload_record"  // upload the official record to the channel after the final recommendation
	JobArchive       JobKind = "archive"        // archive the channel, some business days after the final recommendation
	JobTellOverride  JobKind = "tell_override"  // tell an office in its ask's thread that the final recommendation modified or dropped its provisos
	JobPostAnswer    JobKind = "post_answer"    // post the answer to an office's questions in its ask's thread
	JobTellCovered   JobKind = "tell_covered"   // tell a referral's analyst what another analyst or a supervisor did on it
	// JobRefreshReferral redraws what its refresh marks say is out of date: the
	// asks' messages, the summary and the Home tabs (refresh.go).
	JobRefreshReferral JobKind = "refresh_referral"
)

// JobState is where a job stands in the outbox.
type JobState string

// Job states.
const (
	JobPending JobState = "pending"
	JobRunning JobState = "running"
	JobFailed  JobState = "failed"
)

// Job is one durable unit of Slack work, written in the same transaction as the
// change that causes it and retried until it succeeds or fails permanently.
type Job struct {
	ID         int64
	Kind       JobKind
	ReferralID int64
	AskID      int64 // 0 when the job is about the whole referral
	State      JobState
	Attempts   int
	RunAt      time.Time
	LeaseUntil time.Time
	LastError  string
	CreatedAt  time.Time
	// LostWork says that an attempt so far may have done Slack work it did not
	// record: it died holding the lease (ClaimJobs took the job over), or it failed on
	// something other than Slack's answer (RetryJob). It stays set until the job is
	// done, so every later attempt looks for that work before doing it again.
	LostWork bool
	// PausedSince is when Slack first refused this work on the app's credentials or
	// scopes; zero when the job is not paused (see Service.settle).
	PausedSince time.Time
}
