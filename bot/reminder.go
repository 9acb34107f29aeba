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
	// Schedule adds or moves a reminder (upsert by id).
	Schedule(ctx context.Context, id string, at time.Time) error
	// ScheduleMany schedules many at once, for rebuilds.
	ScheduleMany(ctx context.Context, items []Scheduled) error
	// Cancel removes a reminder, pending or claimed; an unknown id is not an error.
	Cancel(ctx context.Context, id string) error
	// Claim leases up to limit reminders due at now, handing back expired leases first.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Scheduled, error)
	// Ack removes a claimed reminder for good, unless it was rescheduled since the claim.
	Ack(ctx context.Context, id, token string) error
	// Release hands a claimed reminder back at its original time (graceful shutdown).
	Release(ctx context.Context, id, token string) error
	// Len counts pending and leased reminders.
	Len(ctx context.Context) (pending, leased int, err error)
	// Seeded reports whether the queue holds the schedule rebuilt from SQLite.
	Seeded(ctx context.Context) (bool, error)
	// MarkSeeded records that the schedule was rebuilt.
	MarkSeeded(ctx context.Context) error
}
