package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// The event chain's encodings. Each opens its events' hash input, so that an
// event says by its hash which encoding made it.
const (
	// ChainV1 hashes id, referral_id, actor, kind, detail, at and prev_hash: the
	// events written before names and per-referral links were kept.
	ChainV1 = "referralbot-event-v1"
	// ChainV2 adds actor_name and referral_prev_hash (the hash of the referral's
	// own previous event), so that one referral's events, exported on their own,
	// can be checked in order without the rest of the log.
	ChainV2 = "referralbot-event-v2"
)

// StampLayout is how an event's instant is written where it is hashed (the
// database column, the JSON export): UTC at a fixed width, nanoseconds kept.
const StampLayout = "2006-01-02T15:04:05.000000000Z"

// Stamp writes t as StampLayout.
func Stamp(t time.Time) string { return t.UTC().Format(StampLayout) }

// ChainLink is an event as the hash chain sees it: every hashed field as text,
// exactly as stored.
type ChainLink struct {
	Version    string // ChainV1 or ChainV2
	ID         int64
	ReferralID int64
	Actor      string
	ActorName  string // ChainV2 only
	Kind       string
	Detail     string // the stored JSON text ("" for none)
	At         string // StampLayout
	PrevHash   string // the previous event's (by id, across all referrals); "" for the first
	// ReferralPrevHash is the hash of the referral's previous event; "" for its
	// first (ChainV2 only).
	ReferralPrevHash string
}

// Hash is the event's hash: SHA-256, in lowercase hex, over the netstrings
// ("<byte length>:<bytes>,") of the version, id and referral_id (in decimal),
// actor, [actor_name,] kind, detail, at and prev_hash[, referral_prev_hash]
// (the bracketed ones in ChainV2 only). Anyone can recompute it from an export
// or the table with a few lines of any language.
func (l *ChainLink) Hash() string {
	fields := []string{l.Version, strconv.FormatInt(l.ID, 10), strconv.FormatInt(l.ReferralID, 10), l.Actor}
	if l.Version == ChainV2 {
		fields = append(fields, l.ActorName)
	}
	fields = append(fields, l.Kind, l.Detail, l.At, l.PrevHash)
	if l.Version == ChainV2 {
		fields = append(fields, l.ReferralPrevHash)
	}
	return digest(fields...)
}

// digest is SHA-256, in lowercase hex, over the netstrings of fields.
func digest(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s,", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}
