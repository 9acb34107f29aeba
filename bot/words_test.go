package bot_test

import (
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// The users' words: State's binding terms are provisos and Commerce's conditions;
// RWA is Return without action; a Commerce denial needs its statutory and
// regulatory basis as well as its reasons (EO 12981).
func TestWordsByAgency(t *testing.T) {
	for _, tt := range []struct {
		agency              bot.Agency
		term, terms, title  string
		approveWith, rwa    string
		provisosMissingWord string
	}{
		{bot.AgencyState, "proviso", "provisos", "Provisos", "Approve with provisos", "Return without action (RWA)", "Enter at least one proviso, one per line."},
		{bot.AgencyCommerce, "condition", "conditions", "Conditions", "Approve with conditions", "Return without action (RWA)", "Enter at least one condition, one per line."},
	} {
		a := tt.agency
		if a.Term() != tt.term || a.Terms() != tt.terms || a.TermsTitle() != tt.title {
			t.Errorf("%s: Term %q, Terms %q, TermsTitle %q; want %q, %q, %q", a, a.Term(), a.Terms(), a.TermsTitle(), tt.term, tt.terms, tt.title)
		}
		if got := bot.OutcomeApproveWithProvisos.LabelFor(a); got != tt.approveWith {
			t.Errorf("%s: approve_with_provisos label %q; want %q", a, got, tt.approveWith)
		}
		if got := bot.OutcomeRWA.LabelFor(a); got != tt.rwa {
			t.Errorf("%s: rwa label %q; want %q", a, got, tt.rwa)
		}
		_, err := bot.PositionInput{Outcome: bot.OutcomeApproveWithProvisos, Agency: a}.Position()
		var e *bot.Error
		if !asBotError(err, &e) || e.Fields[bot.FieldProvisos] != tt.provisosMissingWord {
			t.Errorf("%s: missing provisos = %v; want %q", a, err, tt.provisosMissingWord)
		}
	}
}

func TestDenyBasisByAgency(t *testing.T) {
	const reasons, basis = "Diversion risk to a restricted end user.", "15 CFR 744.21; 50 U.S.C. 4813"
	for _, tt := range []struct {
		name      string
		in        bot.PositionInput
		wantErr   string // a fragment of the basis problem; "" when valid
		wantBasis string
	}{
		{"Commerce deny without basis", bot.PositionInput{Agency: bot.AgencyCommerce, Outcome: bot.OutcomeDeny, Reasons: reasons}, "statutory and regulatory basis", ""},
		{"Commerce deny blank basis", bot.PositionInput{Agency: bot.AgencyCommerce, Outcome: bot.OutcomeDeny, Reasons: reasons, Basis: " \n"}, "EO 12981", ""},
		{"Commerce deny with basis", bot.PositionInput{Agency: bot.AgencyCommerce, Outcome: bot.OutcomeDeny, Reasons: reasons, Basis: " " + basis + " "}, "", basis},
		{"State deny needs no basis", bot.PositionInput{Agency: bot.AgencyState, Outcome: bot.OutcomeDeny, Reasons: reasons}, "", ""},
		{"State deny keeps no basis", bot.PositionInput{Agency: bot.AgencyState, Outcome: bot.OutcomeDeny, Reasons: reasons, Basis: basis}, "", ""},
		{"Commerce approve ignores basis", bot.PositionInput{Agency: bot.AgencyCommerce, Outcome: bot.OutcomeApprove, Basis: basis}, "", ""},
	} {
		p, err := tt.in.Position()
		if tt.wantErr != "" {
			var e *bot.Error
			if !asBotError(err, &e) || !strings.Contains(e.Fields[bot.FieldBasis], tt.wantErr) {
				t.Errorf("%s: err = %v; want a problem on basis containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || p.Basis != tt.wantBasis {
			t.Errorf("%s: Position() = %+v, %v; want basis %q", tt.name, p, err, tt.wantBasis)
		}
	}
}

// The service enforces the basis by the referral's own agency, whatever the form
// said, for an office's position and for the final recommendation, and keeps it.
func TestCommerceDenyNeedsBasis(t *testing.T) {
	w := newWorld(t)
	inst := w.start(inMemory)
	r := inst.openOn("commerce", "2026-12-01", "army", "navy")
	army := inst.asks(r)["army"]
	deny := bot.PositionInput{Outcome: bot.OutcomeDeny, Reasons: "Diversion risk.", Agency: bot.AgencyState} // a form that lies
	_, err := inst.svc.Answer(w.ctx, reviewerOf("army"), army.ID, deny)
	var e *bot.Error
	if !asBotError(err, &e) || e.Fields[bot.FieldBasis] == "" {
		t.Fatalf("Commerce deny without basis = %v; want a problem on basis", err)
	}
	if a := inst.asks(r)["army"]; a.Current != nil {
		t.Fatalf("a position was recorded: %+v", a.Current)
	}
	deny.Basis = "15 CFR 744.21"
	if _, err := inst.svc.Answer(w.ctx, reviewerOf("army"), army.ID, deny); err != nil {
		t.Fatal(err)
	}
	if a := inst.asks(r)["army"]; a.Current == nil || a.Current.Basis != "15 CFR 744.21" || a.Current.Reasons != "Diversion risk." {
		t.Errorf("army position = %+v; want the reasons and the basis kept", a.Current)
	}

	_, err = inst.svc.Recommend(w.ctx, analystID, r.ID, bot.RecommendationInput{Outcome: bot.OutcomeDeny, Rationale: "Army's reasons stand."})
	if !asBotError(err, &e) || !strings.Contains(e.Fields[bot.FieldBasis], "statutory and regulatory basis") {
		t.Fatalf("Commerce deny recommendation without basis = %v; want a problem on basis", err)
	}
	rec, err := inst.svc.Recommend(w.ctx, analystID, r.ID, bot.RecommendationInput{Outcome: bot.OutcomeDeny,
		Rationale: "Army's reasons stand.", Basis: "15 CFR 744.21; 50 U.S.C. 4813"})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := inst.db.Recommendation(w.ctx, r.ID)
	if err != nil || stored.Basis != "15 CFR 744.21; 50 U.S.C. 4813" || rec.Basis != stored.Basis {
		t.Errorf("stored recommendation = %+v, %v; want the basis kept", stored, err)
	}
}
