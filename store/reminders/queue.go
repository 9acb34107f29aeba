// Package reminders schedules referral deadline reminders and hands them out once
// they fall due. It keeps only reminder ids and due times: SQLite holds the
// referral itself, so nothing controlled ever reaches Redis.
//
// Delivery is at-least-once. A reminder is claimed under a lease; if the claimer
// dies before Ack, the lease expires and the next Claim hands the reminder out
// again with a new token. The caller records each sent reminder in SQLite under a
// unique key, which turns that into exactly-once sending.
//
// Times are kept to the millisecond (Unix milliseconds); At on returned reminders
// is truncated accordingly. All time comes from the caller's arguments, never from
// the queue's clock, so two processes and tests agree on what "due" means.
package reminders

import (
	"context"
	"errors"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// Queue schedules reminders by id and leases them out when due.
type Queue interface {
	// Schedule adds or moves reminder id to fire at `at` (upsert by id). If id is
	// currently leased, the lease is dropped and the new time wins.
	Schedule(ctx context.Context, id string, at time.Time) error
	// ScheduleMany is Schedule for many reminders at once, batched; the last
	// entry wins when an id repeats. Used for rebuilds and bulk changes.
	ScheduleMany(ctx context.Context, items []Item) error
	// Cancel removes id whether pending or leased; an unknown id is not an error.
	Cancel(ctx context.Context, id string) error
	// Claim atomically takes up to limit reminders due at or before now, leasing
	// each until now+lease. Expired leases are handed back (become claimable)
	// first. The result is ordered by due time, then id.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Item, error)
	// Ack removes a claimed reminder for good, once it was sent and recorded. It
	// is a no-op when token is no longer the reminder's lease (it was
	// rescheduled, cancelled, or handed to another claimer).
	Ack(ctx context.Context, id, token string) error
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

// Item is one scheduled reminder: its id, its due time and, when claimed, the
// lease token that Ack and Release must present.
type Item = bot.Scheduled

// Both implementations serve the domain's reminder queue.
var (
	_ bot.ReminderQueue = (*Redis)(nil)
	_ bot.ReminderQueue = (*Memory)(nil)
)

// ErrInvalid is returned when an id is empty or a lease is shorter than a
// millisecond, the queue's time resolution.
var ErrInvalid = errors.New("reminders: invalid argument")

// maxHandBack bounds how many expired leases one Claim returns to pending, so a
// single call (a Lua script that blocks Redis while it runs) stays short after a
// mass expiry; the rest go back on the following calls.
const maxHandBack = 10000

// millis is the queue's representation of a point in time.
func millis(t time.Time) int64 { return t.UnixMilli() }

// leaseUntil returns when a lease taken at now ends, rejecting sub-millisecond
// leases that would expire the moment they were granted.
func leaseUntil(now time.Time, lease time.Duration) (int64, error) {
	if lease < time.Millisecond {
		return 0, ErrInvalid
	}
	return millis(now) + lease.Milliseconds(), nil
}

// checkIDs rejects empty ids before anything is written.
func checkIDs(items []Item) error {
	for _, it := range items {
		if it.ID == "" {
			return ErrInvalid
		}
	}
	return nil
}
