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
	"errors"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// Item is one scheduled reminder: its id, its due time and, when claimed, the
// lease token that Ack and Release must present.
type Item = bot.Scheduled

// Both implementations serve the domain's reminder queue, whose contract
// bot.ReminderQueue states.
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
