package record_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
)

// exportedDocument is the dataset's record, and the record as a file holds it:
// rendered as JSON and read back into the documented schema, nothing left over.
func exportedDocument(t *testing.T) (*bot.Record, *record.Document) {
	t.Helper()
	_, svc, ref := exportDataset(t)
	rec, err := svc.Record(context.Background(), ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := record.JSON(rec)
	if err != nil {
		t.Fatal(err)
	}
	var d record.Document
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("the JSON does not read back into the documented schema: %v", err)
	}
	return rec, &d
}

func TestVerify_intact(t *testing.T) {
	_, d := exportedDocument(t)
	c := record.Verify(d)
	// 1 referral + 5 positions + 1 recommendation.
	if c.Break != nil || c.Events != len(d.Events) || c.Facts != 7 || len(c.Unsealed) != 0 {
		t.Fatalf("Verify = %+v; want %d events and 7 facts intact", c, len(d.Events))
	}
	if last := d.Events[len(d.Events)-1]; c.HeadID != last.ID || c.HeadHash != last.Hash {
		t.Errorf("head = #%d %s; want #%d %s", c.HeadID, c.HeadHash, last.ID, last.Hash)
	}
}

// TestVerify_edited: each edit of an exported record is caught, at the event
// that gives it away.
func TestVerify_edited(t *testing.T) {
	_, d0 := exportedDocument(t)
	eventOf := func(kind string, nth int) int64 {
		for _, e := range d0.Events {
			if e.Kind == kind {
				if nth == 0 {
					return e.ID
				}
				nth--
			}
		}
		t.Fatalf("no %s #%d", kind, nth)
		return 0
	}
	tests := []struct {
		name        string
		edit        func(d *record.Document)
		wantEvent   int64
		wantProblem string
	}{
		{"a position's text", func(d *record.Document) {
			d.Offices[0].Positions[1].Reasons = "No concerns."
		}, eventOf("position.recorded", 3), "Army's position v2 in the record is not the one this event recorded"},
		{"a position's answerer's name", func(d *record.Document) {
			d.Offices[1].Positions[0].AnsweredByName = "Someone Else"
		}, eventOf("position.recorded", 1), "Navy's position v1"},
		{"a proviso's office", func(d *record.Document) {
			d.Recommendation.Provisos[2].Office = "navy"
		}, eventOf("recommendation.recorded", 0), "final recommendation in the record is not the one"},
		{"a dropped proviso's reason", func(d *record.Document) {
			d.Recommendation.Dropped[0].Reason = "No reason given"
		}, eventOf("recommendation.recorded", 0), "final recommendation in the record is not the one"},
		{"a dropped proviso made to look kept", func(d *record.Document) {
			p := d.Recommendation.Dropped[0]
			p.Fate, p.Text, p.Reason = "kept", p.OfficeText, ""
			d.Recommendation.Provisos = append(d.Recommendation.Provisos, p)
			d.Recommendation.Dropped = d.Recommendation.Dropped[1:]
		}, eventOf("recommendation.recorded", 0), "final recommendation in the record is not the one"},
		{"the applicant", func(d *record.Document) {
			d.Referral.Applicant = "Someone Else GmbH"
		}, eventOf("referral.opened", 0), "the referral's facts"},
		{"a removed event", func(d *record.Document) {
			d.Events = append(d.Events[:4:4], d.Events[5:]...)
		}, d0.Events[5].ID, "does not link to event #4"},
		{"a removed first event", func(d *record.Document) {
			d.Events = d.Events[1:]
		}, d0.Events[1].ID, "events before it were removed"},
		{"reordered events", func(d *record.Document) {
			d.Events[5], d.Events[6] = d.Events[6], d.Events[5]
		}, d0.Events[6].ID, "the events were reordered"},
		{"an event's detail", func(d *record.Document) {
			d.Events[4].Detail = json.RawMessage(`{"reason":"no reason"}`)
		}, d0.Events[4].ID, "its contents do not match its hash"},
		{"an event's actor name", func(d *record.Document) {
			d.Events[0].ActorName = "Someone Else"
		}, d0.Events[0].ID, "its contents do not match its hash"},
		{"a removed position and its event", func(d *record.Document) {
			d.Offices[3].Positions = nil
			d.Events = d.Events[: len(d.Events)-2 : len(d.Events)-2]
			d.Events = append(d.Events, d0.Events[len(d0.Events)-1])
		}, d0.Events[len(d0.Events)-1].ID, "does not link to event"},
		{"a due-date change's reason", func(d *record.Document) {
			d.DueChanges[2].Reason = "Asked nicely"
		}, eventOf("due.changed", 0), "due-date change in the record is not the one"},
		{"a removed recommendation", func(d *record.Document) {
			d.Recommendation = nil
		}, eventOf("recommendation.recorded", 0), "missing from the record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, d := exportedDocument(t)
			tt.edit(d)
			c := record.Verify(d)
			if c.Break == nil {
				t.Fatalf("Verify found the edited record intact: %+v", c)
			}
			if c.Break.EventID != tt.wantEvent || !strings.Contains(c.Break.Problem, tt.wantProblem) {
				t.Errorf("Verify break = %s; want event #%d: …%s…", c.Break, tt.wantEvent, tt.wantProblem)
			}
		})
	}
}
