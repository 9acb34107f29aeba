package record

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// The facts half of Verify: the record's facts against the digests (bot.FactsKey)
// their chained events carry.

// sealed is an event's facts digest and what identifies the fact it records.
type sealed struct {
	event   *EventEntry
	facts   string // "" for an event from before digests
	office  string
	version int
}

// sealOf reads the fact an event records from its detail.
func sealOf(e *EventEntry) sealed {
	var detail map[string]any
	_ = json.Unmarshal(e.Detail, &detail) // the chain check proved it JSON; a non-object has no facts
	s := sealed{event: e}
	s.facts, _ = detail[bot.FactsKey].(string)
	s.office, _ = detail["office"].(string)
	if v, ok := detail["version"].(float64); ok {
		s.version = int(v)
	}
	return s
}

// verifyFacts checks the record's facts against the digests their events carry.
func verifyFacts(d *Document, c *Check) *Break {
	var opened []sealed
	positions := map[string]sealed{}
	var recs []sealed
	for i := range d.Events {
		e := &d.Events[i]
		switch {
		case e.Kind == "referral.opened":
			opened = append(opened, sealOf(e))
		case e.Kind == "position.recorded":
			s := sealOf(e)
			positions[fmt.Sprintf("%s/%d", s.office, s.version)] = s
		case strings.HasPrefix(e.Kind, "recommendation."):
			recs = append(recs, sealOf(e))
		}
	}
	if b := checkReferral(d, opened, c); b != nil {
		return b
	}
	if b := checkPositions(d, positions, c); b != nil {
		return b
	}
	if b := checkRecommendation(d, recs, c); b != nil {
		return b
	}
	return checkDueChanges(d)
}

func checkReferral(d *Document, opened []sealed, c *Check) *Break {
	if len(opened) == 0 {
		return &Break{0, "the record has no referral.opened event: its first events were removed"}
	}
	s := opened[0]
	if s.facts == "" {
		c.Unsealed = append(c.Unsealed, "the referral's facts")
		return nil
	}
	f := d.Referral
	received, _ := bot.ParseDate(f.ReceivedOn)
	ref := &bot.Referral{Agency: bot.Agency(f.Agency), CaseNumber: f.CaseNumber, LicenseType: f.LicenseType,
		Applicant: f.Applicant, Commodity: f.Commodity, Classification: f.Classification, Destination: f.Destination,
		EndUser: f.EndUser, ValueUSD: f.ValueUSD, ReceivedOn: received, USXPORTSRef: f.USXPORTSRef}
	if bot.ReferralDigest(ref) != s.facts {
		return &Break{s.event.ID, "the referral's facts in the record (case, applicant, commodity, classification, destination, end user, value, received date or USXPORTS reference) are not the ones this event recorded: they were altered"}
	}
	c.Facts++
	return nil
}

func checkPositions(d *Document, events map[string]sealed, c *Check) *Break {
	seen := map[string]bool{}
	for _, o := range d.Offices {
		for _, p := range o.Positions {
			key := fmt.Sprintf("%s/%d", p.OnBehalfOf, p.Version)
			seen[key] = true
			s, ok := events[key]
			switch {
			case !ok:
				return &Break{0, fmt.Sprintf("%s's position v%d has no position.recorded event in the record: it was added, or its event removed", o.OfficeName, p.Version)}
			case s.facts == "":
				c.Unsealed = append(c.Unsealed, fmt.Sprintf("%s's position v%d", o.OfficeName, p.Version))
				continue
			}
			pos := &bot.Position{OfficeCode: p.OnBehalfOf, Version: p.Version, Outcome: bot.Outcome(p.Outcome),
				AnsweredBy: p.AnsweredBy, AnsweredByName: p.AnsweredByName, Comment: p.Comment, Questions: p.Questions,
				Reasons: p.Reasons, Basis: p.Basis, Provisos: botProvisos(p.Provisos)}
			if bot.PositionDigest(pos) != s.facts {
				return &Break{s.event.ID, fmt.Sprintf("%s's position v%d in the record is not the one this event recorded: it was altered", o.OfficeName, p.Version)}
			}
			c.Facts++
		}
	}
	for key, s := range events {
		if !seen[key] && s.facts != "" {
			return &Break{s.event.ID, fmt.Sprintf("the position this event recorded (%s) is missing from the record: it was removed", key)}
		}
	}
	return nil
}

func checkRecommendation(d *Document, events []sealed, c *Check) *Break {
	var withFacts []sealed
	for _, s := range events {
		if s.facts != "" {
			withFacts = append(withFacts, s)
		}
	}
	f := d.Recommendation
	switch {
	case f == nil && len(withFacts) > 0:
		return &Break{withFacts[len(withFacts)-1].event.ID, "the final recommendation this event recorded is missing from the record: it was removed"}
	case f == nil:
		return nil
	case len(withFacts) == 0 && len(events) > 0:
		c.Unsealed = append(c.Unsealed, "the final recommendation")
		return nil
	case len(withFacts) == 0:
		return &Break{0, "the record has a final recommendation but no event recording it: it was added, or its event removed"}
	}
	dissent := make([]string, len(f.Dissent))
	for i, o := range f.Dissent {
		dissent[i] = o.Office
	}
	rec := &bot.Recommendation{Outcome: bot.Outcome(f.Outcome), RecordedBy: f.RecordedBy,
		RecordedByName: f.RecordedByName, Rationale: f.Rationale, Basis: f.Basis, Questions: f.Questions, Dissent: dissent}
	rec.Provisos, rec.Treatments = recordedProvisos(f)
	digest := bot.RecommendationDigest(rec)
	for _, s := range withFacts {
		if s.facts == digest {
			c.Facts++
			return nil
		}
	}
	return &Break{withFacts[len(withFacts)-1].event.ID, "the final recommendation in the record is not the one this event recorded: it was altered"}
}

// checkDueChanges reads the due-date changes again from their events and compares
// them with the record's (the office names in words aside: they come from the roster).
func checkDueChanges(d *Document) *Break {
	var want []DueChange
	for _, e := range d.Events {
		detail, _ := StoredDetail(e.Detail)
		at, _ := time.Parse(time.RFC3339Nano, e.At)
		if ch, ok := dueChange(&bot.Roster{}, &bot.Event{ID: e.ID, Actor: e.Actor, ActorName: e.ActorName, Kind: e.Kind, Detail: detail, At: at}); ok {
			want = append(want, ch)
		}
	}
	if len(want) != len(d.DueChanges) {
		return &Break{0, fmt.Sprintf("the record lists %d due-date changes and holds; its events record %d: the list was altered", len(d.DueChanges), len(want))}
	}
	for i, got := range d.DueChanges {
		got.TargetName = want[i].TargetName
		if !reflect.DeepEqual(got, want[i]) {
			return &Break{want[i].EventID, "the due-date change in the record is not the one this event recorded: it was altered"}
		}
	}
	return nil
}

// recordedProvisos reads back, from the record, the provisos and treatments the
// recommendation was recorded with (finalProvisos wrote them).
func recordedProvisos(f *FinalRecommendation) (provisos []bot.Proviso, treatments []bot.Treatment) {
	for _, p := range append(append([]FinalProviso{}, f.Provisos...), f.Dropped...) {
		switch {
		case p.Number > 0:
			t := bot.Treatment{OfficeCode: p.Office, Number: p.Number, OfficeText: p.OfficeText, Fate: bot.ProvisoFate(p.Fate), Reason: p.Reason, Code: p.Code}
			if t.Fate == bot.FateModified {
				t.DTSAText = p.Text
			}
			treatments = append(treatments, t)
		default: // DTSA's own, or recorded before fates were kept
			provisos = append(provisos, bot.Proviso{OfficeCode: p.Office, Text: p.Text, Code: p.Code})
		}
	}
	return provisos, treatments
}

func botProvisos(ps []ProvisoEntry) []bot.Proviso {
	out := make([]bot.Proviso, len(ps))
	for i, p := range ps {
		out[i] = bot.Proviso{OfficeCode: p.Office, Text: p.Text, Code: p.Code}
	}
	return out
}
