package bot

import (
	"context"
	"time"
)

// Reminder is one deadline reminder for an office's ask, recorded when it is
// taken from the queue. Its ID is deterministic (ask, due date, sequence), so the
// same reminder computed twice, by two processes or after a restart, is one record.
type Reminder struct {
	ID            string
	ReferralID    int64
	AskID         int64
	OfficeCode    string
	Seq           int
	Kind          string    // before, due or overdue
	DaysLeft      int       // business days to the due date: 2, 1, 0, -1, …
	DueAt         time.Time // when it was meant to go out
	RecordedAt    time.Time
	Late          bool   // it went out well after DueAt (the bot or Redis was down)
	Escalated     bool   // the analyst is told too
	Skipped       string // "" when it is to be sent; "snoozed" when a roster member snoozed it
	PostedChannel bool   // the reminder is in the referral channel
	PostedDM      bool   // the escalation reached the analyst by direct message
}

// Scheduled is one reminder id in the queue, due at At; Token identifies a claim.
type Scheduled struct {
	ID    string
	At    time.Time
	Token string
}

// ReminderQueue holds the schedule of reminders: ids and due times only, never
// referral details. SQLite stays the truth; the queue is rebuilt from it whenever it
// comes back empty. Implementations: store/reminders (Redis, and in-process).
type ReminderQueue interface {
	// Schedule adds or moves reminder id to fire at `at` (upsert by id). If id is
	// currently leased, the lease is dropped and the new time wins.
	Schedule(ctx context.Context, id string, at time.Time) error
	// ScheduleMany is Schedule for many reminders at once, batched; the last
	// entry wins when an id repeats. Used for rebuilds and bulk changes.
	ScheduleMany(ctx context.Context, items []Scheduled) error
	// Cancel removes the ids whether pending or leased, in one round trip; an
	// unknown id is not an error.
	Cancel(ctx context.Context, ids ...string) error
	// Claim atomically takes up to limit reminders due at or before now, leasing
	// each until now+lease. Expired leases are handed back (become claimable)
	// first. The result is ordered by due time, then id.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Scheduled, error)
	// Ack removes a claimed reminder for good, once it was sent and recorded. It
	// is a no-op when token is no longer the reminder's lease (it was
	// rescheduled, cancelled, or handed to another claimer).
	Ack(ctx context.Context, id, token string) error
	// AckMany is Ack for many claimed reminders (ID and Token set), in one round trip.
	AckMany(ctx context.Context, claimed []Scheduled) error
	// Release hands a claimed reminder back at once with its original due time
	// (graceful shutdown); a no-op when token is no longer its lease.
	Release(ctx context.Context, id, token string) error
	// Len returns how many reminders wait to be claimed (due or not) and how many
	// are leased. An expired lease counts as leased until the next Claim.
	Len(ctx context.Context) (pending, leased int, err error)
	// Seeded reports whether this queue was loaded from SQLite since its storage
	// was last emptied; false means the caller must rebuild the schedule.
	Seeded(ctx context.Context) (bool, error)
	// MarkSeeded records that the schedule was rebuilt; call it only after the
	// rebuild's ScheduleMany succeeded.
	MarkSeeded(ctx context.Context) error
}
