package record

import (
	"fmt"

	"github.com/referralbot/referralbot/bot"
)

// Check is what Verify found in an exported record.
type Check struct {
	Events int // events whose hash and links hold, up to the break
	// Facts counts the facts (the referral as received, each position, the final
	// recommendation) that match the digest their chained event carries.
	Facts int
	// Unsealed lists the facts recorded before events carried digests: their
	// events are checked, their contents cannot be.
	Unsealed []string
	// HeadID and HeadHash are the record's newest event: compare them with
	// `referralbot verify` on the server (or an earlier copy) to notice events cut
	// off the end, which leaves a shorter chain that holds.
	HeadID   int64
	HeadHash string
	// Break is the first place the record does not hold; nil when it holds.
	Break *Break
}

// Break is where an exported record fails its check.
type Break struct {
	EventID int64  // the event at fault, or the one whose digest the facts contradict; 0 when none applies
	Problem string // what is wrong, in words
}

func (b *Break) String() string {
	if b.EventID == 0 {
		return b.Problem
	}
	return fmt.Sprintf("event #%d: %s", b.EventID, b.Problem)
}

// Verify checks a record exported as JSON on its own, without the database:
//
//   - the chain, whatever the kinds of its events: each event's hash recomputed
//     from its fields (bot.ChainLink), each referralbot-event-v2 event's link to
//     the referral's event before it in the record (so a removed or reordered
//     event shows), ids in increasing order, and the whole-log link wherever the
//     event before it in the log is in the record too;
//   - the facts, against the digests (bot.FactsKey) that their chained events
//     carry: the referral as received (referral.opened), every version of every
//     position (position.recorded, by office and version) and the final
//     recommendation (a recommendation.* event); and the due-date changes, which
//     are read again from their events.
//
// What it cannot see: events cut off the end (compare HeadHash), and what the
// record derives from elsewhere (office names, reminders, current due dates).
func Verify(d *Document) Check {
	var c Check
	if c.Break = verifyChain(d, &c); c.Break != nil {
		return c
	}
	c.Break = verifyFacts(d, &c)
	return c
}

// verifyChain checks the events' hashes and links.
func verifyChain(d *Document, c *Check) *Break {
	var prev *EventEntry
	for i := range d.Events {
		e := &d.Events[i]
		if prev != nil && e.ID <= prev.ID {
			return &Break{e.ID, fmt.Sprintf("it comes after event #%d in the record but was written before it: the events were reordered", prev.ID)}
		}
		detail, err := StoredDetail(e.Detail)
		if err != nil {
			return &Break{e.ID, "its detail is not JSON: it was altered"}
		}
		if e.Chain != bot.ChainV1 && e.Chain != bot.ChainV2 {
			return &Break{e.ID, fmt.Sprintf("its chain encoding %q is not one this version knows", e.Chain)}
		}
		l := bot.ChainLink{Version: e.Chain, ID: e.ID, ReferralID: d.Referral.ID, Actor: e.Actor, ActorName: e.ActorName,
			Kind: e.Kind, Detail: detail, At: e.At, PrevHash: e.PrevHash, ReferralPrevHash: e.ReferralPrevHash}
		if l.Hash() != e.Hash {
			return &Break{e.ID, "its contents do not match its hash: it was altered after it was written"}
		}
		if e.Chain == bot.ChainV2 {
			switch {
			case prev == nil && e.ReferralPrevHash != "":
				return &Break{e.ID, "it links to an earlier event of this referral that the record does not have: events before it were removed"}
			case prev != nil && e.ReferralPrevHash != prev.Hash:
				return &Break{e.ID, fmt.Sprintf("it does not link to event #%d before it: an event between them was removed, or the events were reordered", prev.ID)}
			}
		}
		if prev != nil && prev.ID == e.ID-1 && e.PrevHash != prev.Hash {
			return &Break{e.ID, fmt.Sprintf("the hash it records for event #%d does not match that event", prev.ID)}
		}
		c.Events++
		c.HeadID, c.HeadHash = e.ID, e.Hash
		prev = e
	}
	return nil
}
