package bot_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// The analyst marks each office condition kept, modified or dropped. Every bad
// combination is refused on the field at fault, and records nothing.
func TestProvisoFateValidation(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	r := inst.openOn("commerce", "2026-12-01", "army", "navy")
	asks := inst.asks(r)
	army := bot.PositionInput{Outcome: bot.OutcomeApproveWithProvisos, Agency: bot.AgencyCommerce,
		Provisos: "For stated end-use only\nNo reexport without prior U.S. Government authorization"}
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("army"), asks["army"].ID, army); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("navy"), asks["navy"].ID, bot.PositionInput{Outcome: bot.OutcomeApprove}); err != nil {
		t.Fatal(err)
	}
	one, two := bot.ProvisoRef{Office: "army", Number: 1}, bot.ProvisoRef{Office: "army", Number: 2}
	withAWP := func(f map[bot.ProvisoRef]bot.FateInput) bot.RecommendationInput {
		return bot.RecommendationInput{Outcome: bot.OutcomeApproveWithProvisos, Fates: f}
	}
	long := strings.Repeat("x", bot.MaxProvisoLen+1)
	for _, tt := range []struct {
		name  string
		in    bot.RecommendationInput
		field string // the input the problem is on
		want  string // a fragment of the problem
	}{
		{"dropped without a reason", withAWP(map[bot.ProvisoRef]bot.FateInput{two: {Fate: bot.FateDropped}}),
			bot.FieldFateReason("army", 2), "Give the reason for dropping Army's condition 2"},
		{"dropped with a blank reason", withAWP(map[bot.ProvisoRef]bot.FateInput{two: {Fate: bot.FateDropped, Reason: " \n "}}),
			bot.FieldFateReason("army", 2), "Give the reason"},
		{"dropped with new wording", withAWP(map[bot.ProvisoRef]bot.FateInput{two: {Fate: bot.FateDropped, Reason: "covered", Words: "Other words"}}),
			bot.FieldFateWords("army", 2), "A dropped condition has no new wording"},
		{"modified without wording", withAWP(map[bot.ProvisoRef]bot.FateInput{one: {Fate: bot.FateModified}}),
			bot.FieldFateWords("army", 1), "Write DTSA's wording of Army's condition 1"},
		{"modified to the same words", withAWP(map[bot.ProvisoRef]bot.FateInput{one: {Fate: bot.FateModified, Words: " For stated  end-use only "}}),
			bot.FieldFateWords("army", 1), "Army's wording unchanged"},
		{"modified too long", withAWP(map[bot.ProvisoRef]bot.FateInput{one: {Fate: bot.FateModified, Words: long}}),
			bot.FieldFateWords("army", 1), "under 280 characters"},
		{"kept with new wording", withAWP(map[bot.ProvisoRef]bot.FateInput{one: {Words: "For the stated end-use only"}}),
			bot.FieldFateWords("army", 1), "choose Modify"},
		{"kept with a reason", withAWP(map[bot.ProvisoRef]bot.FateInput{one: {Fate: bot.FateKept, Reason: "fine"}}),
			bot.FieldFateReason("army", 1), "A kept condition needs no reason"},
		{"an unknown fate", withAWP(map[bot.ProvisoRef]bot.FateInput{one: {Fate: "softened"}}),
			bot.FieldFate("army", 1), "Choose Keep, Modify or Drop"},
		{"reason too long", withAWP(map[bot.ProvisoRef]bot.FateInput{two: {Fate: bot.FateDropped, Reason: strings.Repeat("r", bot.MaxFateReason+1)}}),
			bot.FieldFateReason("army", 2), "under 500 characters"},
		{"everything dropped, nothing added", withAWP(map[bot.ProvisoRef]bot.FateInput{one: {Fate: bot.FateDropped, Reason: "a"}, two: {Fate: bot.FateDropped, Reason: "b"}}),
			bot.FieldAddProvisos, "needs at least one condition"},
		{"plain Approve keeps a condition", bot.RecommendationInput{Outcome: bot.OutcomeApprove,
			Fates: map[bot.ProvisoRef]bot.FateInput{one: {Fate: bot.FateDropped, Reason: "a"}}},
			bot.FieldFate("army", 2), "Plain Approve carries no conditions: drop Army's with a reason"},
	} {
		_, err := inst.svc.Recommend(w.ctx, analystID, r.ID, tt.in)
		var e *bot.Error
		if !asBotError(err, &e) || e.Code != bot.EINVALID || !strings.Contains(e.Fields[tt.field], tt.want) {
			t.Errorf("%s: err = %v (fields %v); want %q on %s", tt.name, err, fieldsOf(e), tt.want, tt.field)
		}
	}
	if ref, err := inst.db.Referral(w.ctx, r.ID); err != nil || ref.State != bot.ReferralOpen {
		t.Fatalf("after refused forms the referral is %+v (%v); want it open, nothing recorded", ref, err)
	}

	// A form opened before Army changed its position is refused: its fates were
	// chosen against conditions that are no longer Army's.
	seen := map[string]int{"army": 1, "navy": 1}
	army.Provisos += "\nQuarterly end-use reports"
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("army"), asks["army"].ID, army); err != nil {
		t.Fatal(err)
	}
	stale := withAWP(nil)
	stale.Seen = seen
	if _, err := inst.svc.Recommend(w.ctx, analystID, r.ID, stale); bot.ErrorCode(err) != bot.ECONFLICT || !strings.Contains(err.Error(), "Army changed its position") {
		t.Errorf("stale form = %v; want a conflict naming Army", err)
	}

	// Kept, modified and dropped together: Army is partially overridden, not dissent.
	ok := withAWP(map[bot.ProvisoRef]bot.FateInput{
		two:                         {Fate: bot.FateModified, Words: "No reexport without prior written U.S. Government authorization", Reason: "State's standard wording"},
		{Office: "army", Number: 3}: {Fate: bot.FateDropped, Reason: "  Covered by the end-use check\n"},
	})
	ok.Seen = map[string]int{"army": 2, "navy": 1}
	rec, err := inst.svc.Recommend(w.ctx, analystID, r.ID, ok)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := inst.db.Recommendation(w.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var fates []string
	for _, tr := range stored.Treatments {
		fates = append(fates, tr.OfficeCode+"/"+strconv.Itoa(tr.Number)+"="+string(tr.Fate)+":"+tr.DTSAText+":"+tr.Reason)
	}
	want := []string{"army/1=kept::", "army/2=modified:No reexport without prior written U.S. Government authorization:State's standard wording",
		"army/3=dropped::Covered by the end-use check"}
	if !slices.Equal(fates, want) {
		t.Errorf("stored fates = %q; want %q", fates, want)
	}
	if stored.Treatments[1].OfficeText != "No reexport without prior U.S. Government authorization" {
		t.Errorf("modified condition lost Army's words: %+v", stored.Treatments[1])
	}
	var carried []string
	for _, p := range stored.Provisos {
		carried = append(carried, p.OfficeCode+": "+p.Text)
	}
	if want := []string{"army: For stated end-use only", "army: No reexport without prior written U.S. Government authorization"}; !slices.Equal(carried, want) {
		t.Errorf("carried = %q; want %q", carried, want)
	}
	if got := stored.PartialOverrides(); !slices.Equal(got, []string{"army"}) || len(rec.Dissent) != 0 {
		t.Errorf("partial overrides = %v, dissent = %v; want army partially overridden and no dissent", got, rec.Dissent)
	}
}

func fieldsOf(e *bot.Error) map[string]string {
	if e == nil {
		return nil
	}
	return e.Fields
}

// With RWA or Deny nothing is approved, so no fate is asked for or recorded: the
// offices that approved are dissent instead.
func TestNoFatesWithoutApproval(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	r := inst.openOn("state", "2026-12-01", "army")
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("army"), inst.asks(r)["army"].ID, bot.PositionInput{
		Outcome: bot.OutcomeApproveWithProvisos, Agency: bot.AgencyState, Provisos: "For stated end-use only"}); err != nil {
		t.Fatal(err)
	}
	rec, err := inst.svc.Recommend(w.ctx, analystID, r.ID, bot.RecommendationInput{Outcome: bot.OutcomeRWA, Rationale: "Need the end-user statement.",
		Fates: map[bot.ProvisoRef]bot.FateInput{{Office: "army", Number: 1}: {Fate: bot.FateDropped}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Treatments) != 0 || len(rec.PartialOverrides()) != 0 || !slices.Equal(rec.Dissent, []string{"army"}) {
		t.Errorf("RWA recommendation = %+v; want no fates and Army as dissent", rec)
	}
}
