package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// linkColumns are the events columns the chain covers, as link reads them.
const linkColumns = `id, referral_id, actor, actor_name, kind, detail, at, prev_hash, referral_prev_hash, hash`

// Events returns the referral's event log, oldest first, each with its link in
// the hash chain.
func (r reader) Events(ctx context.Context, referralID int64) ([]*bot.Event, error) {
	var rows []link
	err := sqlx.SelectContext(ctx, r.q, &rows, `SELECT `+linkColumns+`
		FROM events WHERE referral_id = ? ORDER BY id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("events of referral %d: %w", referralID, err)
	}
	if len(rows) == 0 {
		if _, err := r.Referral(ctx, referralID); err != nil {
			return nil, err
		}
	}
	events := make([]*bot.Event, len(rows))
	for i, row := range rows {
		at, err := time.Parse(time.RFC3339Nano, row.At)
		if err != nil {
			return nil, fmt.Errorf("event %d of referral %d: %w", row.ID, referralID, err)
		}
		l := row.chainLink()
		events[i] = &bot.Event{
			ID: row.ID, ReferralID: row.ReferralID, Actor: row.Actor, ActorName: row.ActorName, Kind: row.Kind,
			Detail: row.Detail, At: at.UTC(), Chain: l.Version, PrevHash: l.PrevHash,
			ReferralPrevHash: l.ReferralPrevHash, Hash: row.StoredHash.String,
		}
	}
	return events, nil
}

// AppendEvent appends e to the log, defaulting At to now, as the next link of the
// event chain: its id follows the last event's and it carries that event's hash.
// The single writer makes "the last event" well defined. The schema refuses to
// change or delete an event once written.
func (t *tx) AppendEvent(ctx context.Context, e *bot.Event) error {
	if e.At.IsZero() {
		e.At = t.now
	}
	// The referral's own previous event: one probe of events_referral.
	var refPrev string
	err := t.q.QueryRowxContext(ctx, `SELECT COALESCE(hash, '') FROM events WHERE referral_id = ? ORDER BY id DESC LIMIT 1`, e.ReferralID).Scan(&refPrev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("append event %s to referral %d: %w", e.Kind, e.ReferralID, err)
	}
	head := &t.db.writer.head
	var l bot.ChainLink
	var hash string
	for attempt := 0; ; attempt++ {
		if !head.known {
			last, err := lastLink(ctx, t.q)
			if err != nil {
				return fmt.Errorf("append event %s to referral %d: %w", e.Kind, e.ReferralID, err)
			}
			*head = chainHead{id: last.ID, hash: last.Hash.String, known: true}
		}
		l = bot.ChainLink{Version: bot.ChainV2, ID: head.id + 1, ReferralID: e.ReferralID, Actor: e.Actor, ActorName: e.ActorName,
			Kind: e.Kind, Detail: e.Detail, At: bot.Stamp(e.At), PrevHash: head.hash, ReferralPrevHash: refPrev}
		hash = l.Hash()
		_, err = t.q.ExecContext(ctx, `INSERT INTO events (id, referral_id, actor, actor_name, kind, detail, at, prev_hash, referral_prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.ID, l.ReferralID, l.Actor, l.ActorName, l.Kind, l.Detail, l.At, l.PrevHash, l.ReferralPrevHash, hash)
		if isUnique(err) && attempt == 0 {
			// The id is taken: something other than this writer appended (another
			// process on the file, or a hand). Read the head again, once.
			*head = chainHead{}
			continue
		}
		break
	}
	if isForeignKey(err) {
		return notFound("referral", e.ReferralID)
	} else if err != nil {
		return fmt.Errorf("append event %s to referral %d: %w", e.Kind, e.ReferralID, err)
	}
	*head = chainHead{id: l.ID, hash: hash, known: true}
	e.ID, e.Chain, e.PrevHash, e.ReferralPrevHash, e.Hash = l.ID, l.Version, l.PrevHash, l.ReferralPrevHash, hash
	return nil
}

// chainHead is the newest event's id and hash as the single writer last wrote or
// read them, so that appending an event does not look the head up again. Only the
// writer's goroutine touches it (groupcommit.go), which forgets what a rolled-back
// write or transaction appended.
type chainHead struct {
	id    int64
	hash  string
	known bool
}

// link is an event as the chain sees it: its columns exactly as stored (At is the
// stored text), and the hashes.
type link struct {
	ID         int64          `db:"id"`
	ReferralID int64          `db:"referral_id"`
	Actor      string         `db:"actor"`
	ActorName  string         `db:"actor_name"`
	Kind       string         `db:"kind"`
	Detail     string         `db:"detail"`
	At         string         `db:"at"`
	PrevHash   string         `db:"-"`
	StoredPrev sql.NullString `db:"prev_hash"`
	// RefPrev is NULL on the events written before the chain's v2 encoding.
	RefPrev    sql.NullString `db:"referral_prev_hash"`
	StoredHash sql.NullString `db:"hash"`
}

// chainLink is l as bot.ChainLink hashes it: ChainV2 when it carries a
// per-referral link, ChainV1 (the events from before) otherwise. PrevHash is the
// one l.PrevHash holds when set (the walk's expectation), else the stored one.
func (l *link) chainLink() bot.ChainLink {
	c := bot.ChainLink{Version: bot.ChainV1, ID: l.ID, ReferralID: l.ReferralID, Actor: l.Actor, Kind: l.Kind,
		Detail: l.Detail, At: l.At, PrevHash: cmp.Or(l.PrevHash, l.StoredPrev.String)}
	if l.RefPrev.Valid {
		c.Version, c.ActorName, c.ReferralPrevHash = bot.ChainV2, l.ActorName, l.RefPrev.String
	}
	return c
}

// hash is the event's hash (bot.ChainLink.Hash).
func (l *link) hash() string {
	c := l.chainLink()
	return c.Hash()
}

// lastLink returns the id and hash of the newest event; zero values for an empty log.
func lastLink(ctx context.Context, q sqlx.QueryerContext) (last struct {
	ID   int64          `db:"id"`
	Hash sql.NullString `db:"hash"`
}, err error) {
	err = sqlx.GetContext(ctx, q, &last, `SELECT id, hash FROM events WHERE id = (SELECT MAX(id) FROM events)`)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return last, err
}

// chainBatch is how many events one query of the chain walk reads: the walk holds
// no read transaction open across the whole log, and never all of it in memory.
const chainBatch = 1000

// chainLinks reads the events with after < id <= through (through 0: no upper
// bound) in id order, at most chainBatch of them.
func chainLinks(ctx context.Context, q sqlx.QueryerContext, after, through int64) ([]link, error) {
	var links []link
	query := `SELECT ` + linkColumns + ` FROM events
		WHERE id > ? ORDER BY id LIMIT ?`
	args := []any{after, chainBatch}
	if through > 0 {
		query = `SELECT ` + linkColumns + ` FROM events
		WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`
		args = []any{after, through, chainBatch}
	}
	if err := sqlx.SelectContext(ctx, q, &links, query, args...); err != nil {
		return nil, fmt.Errorf("read event chain after %d: %w", after, err)
	}
	return links, nil
}

// sealPreChainEvents gives the events written before the chain existed (migration
// 00004) their hashes, in id order, and records that it is done. It runs in Open's
// write transaction: all of them are sealed, or none. Rows appended after the
// chain began are never sealed here, so a row slipped into the table by hand
// stays unhashed and VerifyEvents reports it.
func sealPreChainEvents(ctx context.Context, q sqlx.ExtContext) error {
	var through int64
	if err := sqlx.GetContext(ctx, q, &through, `SELECT through FROM event_chain_backfill`); err != nil {
		return fmt.Errorf("seal pre-chain events: %w", err)
	}
	if through == 0 {
		return nil
	}
	prev, after := "", int64(0)
	for {
		links, err := chainLinks(ctx, q, after, through)
		if err != nil {
			return fmt.Errorf("seal pre-chain events: %w", err)
		}
		if len(links) == 0 {
			break
		}
		for _, l := range links {
			l.PrevHash = prev
			prev = l.hash()
			if _, err := q.ExecContext(ctx, `UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?`, l.PrevHash, prev, l.ID); err != nil {
				return fmt.Errorf("seal event %d: %w", l.ID, err)
			}
			after = l.ID
		}
	}
	if _, err := q.ExecContext(ctx, `UPDATE event_chain_backfill SET through = 0`); err != nil {
		return fmt.Errorf("seal pre-chain events: %w", err)
	}
	return nil
}

// ChainBreak is the first event at which the event chain does not hold.
type ChainBreak struct {
	ID         int64 // the event that fails the check
	ReferralID int64
	Kind       string
	At         string // as stored
	// Problem says what is wrong, naming the event that was altered or removed.
	Problem string
}

func (b *ChainBreak) String() string {
	return fmt.Sprintf("event #%d (referral %d, %s at %s): %s", b.ID, b.ReferralID, b.Kind, b.At, b.Problem)
}

// VerifyEvents walks the whole event log in id order, recomputing each event's
// hash and checking that it names the previous event's. It returns how many
// events it found intact and, when the chain is broken, the first event where it
// is (nil when intact). An altered event fails its own hash; a removed one
// breaks the link of the event after it; an event added by hand has no hash. A
// removal at the very end leaves a shorter but intact chain: compare the last
// hash (LastEventHash) with one recorded earlier to catch that.
func (r reader) VerifyEvents(ctx context.Context) (checked int, bad *ChainBreak, err error) {
	prevID, prevHash := int64(0), ""
	for {
		links, err := chainLinks(ctx, r.q, prevID, 0)
		if err != nil {
			return checked, nil, fmt.Errorf("verify events: %w", err)
		}
		if len(links) == 0 {
			return checked, nil, nil
		}
		for _, l := range links {
			if problem := l.check(prevID, prevHash); problem != "" {
				return checked, &ChainBreak{ID: l.ID, ReferralID: l.ReferralID, Kind: l.Kind, At: l.At, Problem: problem}, nil
			}
			checked++
			prevID, prevHash = l.ID, l.StoredHash.String
		}
	}
}

// check returns what is wrong with l, following the event prevID with hash
// prevHash (0 and "" at the start of the log), or "" when l is intact. Event ids
// are consecutive (the log never deletes, and AppendEvent numbers each event after
// the last), so a gap is a removal even where the links were rewritten to hide it.
func (l *link) check(prevID int64, prevHash string) string {
	switch {
	case !l.StoredHash.Valid || !l.StoredPrev.Valid:
		return "it has no hash: it was written to the table outside referralbot"
	case l.ID != prevID+1 && l.ID == prevID+2:
		return fmt.Sprintf("event #%d before it is missing: it was removed", prevID+1)
	case l.ID != prevID+1:
		return fmt.Sprintf("events #%d to #%d before it are missing: they were removed", prevID+1, l.ID-1)
	case l.StoredPrev.String != prevHash && prevID == 0:
		return "it is the first event but links to one before it: its link was altered"
	case l.StoredPrev.String != prevHash:
		return fmt.Sprintf("the hash it records for event #%d does not match that event: #%d was altered (and its hash recomputed), or this link was", prevID, prevID)
	}
	l.PrevHash = prevHash
	if l.hash() != l.StoredHash.String {
		return "its contents do not match its hash: it was altered after it was written"
	}
	return ""
}

// LastEventHash returns the id and hash of the newest event (0 and "" for an empty
// log): the head of the chain, worth recording outside the database so that a
// removal of the newest events can be noticed too.
func (r reader) LastEventHash(ctx context.Context) (int64, string, error) {
	last, err := lastLink(ctx, r.q)
	if err != nil {
		return 0, "", fmt.Errorf("last event: %w", err)
	}
	return last.ID, last.Hash.String, nil
}
