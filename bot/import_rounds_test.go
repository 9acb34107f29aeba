package bot_test

import (
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/importfile"
)

// TestImportReReferral: a row with re_referral opens the case's next round once its
// latest round has its final recommendation, linked to it; importing the same file
// again leaves it unchanged. While the round is open, or for a case never seen, the
// row is refused on its field and nothing is imported.
func TestImportReReferral(t *testing.T) {
	f := newImportFixture(t)
	if _, err := f.run(t, importfile.JSON, jsonFile(t, row("Z123456"))); err != nil {
		t.Fatal(err)
	}
	first, err := f.db.ReferralByCase(f.ctx, bot.AgencyCommerce, "Z123456")
	if err != nil {
		t.Fatal(err)
	}
	again := jsonFile(t, row("Z123456", "re_referral", "amendment", "received", "2026-11-25"))
	_, err = f.run(t, importfile.JSON, again)
	if got := problemsOf(t, err); len(got) != 1 || got[0].Field != bot.FieldCaseNumber || !strings.Contains(got[0].Message, "only after its final recommendation") {
		t.Errorf("re-referral of an open round: %s", render(got))
	}
	_, err = f.run(t, importfile.JSON, jsonFile(t, row("Z999999", "re_referral", "resubmission")))
	if got := problemsOf(t, err); len(got) != 1 || got[0].Field != bot.FieldReReferral || !strings.Contains(got[0].Message, "has no earlier round") {
		t.Errorf("re-referral of an unknown case: %s", render(got))
	}
	_, err = f.run(t, importfile.JSON, jsonFile(t, row("Z123456", "re_referral", "later")))
	if got := problemsOf(t, err); len(got) != 1 || got[0].Field != bot.FieldReReferral {
		t.Errorf("an unknown re_referral kind: %s", render(got))
	}

	if _, err := f.svc.Recommend(f.ctx, "UANALYST", first.ID, bot.RecommendationInput{Outcome: bot.OutcomeApprove}); err != nil {
		t.Fatal(err)
	}
	results, err := f.run(t, importfile.JSON, again)
	if err != nil || results[0].Status != bot.ImportOpened || !strings.Contains(results[0].Message, "opened as round 2 (amendment of the application)") ||
		!strings.Contains(results[0].Message, "#ref-commerce-z123456-r2") {
		t.Fatalf("re-referral after the final = %+v, %v", results, err)
	}
	second, err := f.db.ReferralByCase(f.ctx, bot.AgencyCommerce, "Z123456")
	if err != nil || second.Round != 2 || second.PriorID != first.ID || second.ReReferral != bot.ReReferralAmendment {
		t.Fatalf("round 2 = %+v, %v", second, err)
	}
	results, err = f.run(t, importfile.JSON, again)
	if err != nil || results[0].Status != bot.ImportUnchanged || results[0].ReferralID != second.ID {
		t.Errorf("the same import again = %+v, %v; want round 2 unchanged", results, err)
	}
	if results, err := f.run(t, importfile.JSON, jsonFile(t, row("Z123456"))); err != nil || results[0].Status != bot.ImportUnchanged {
		t.Errorf("the first round's file again = %+v, %v; want unchanged", results, err)
	}
}
