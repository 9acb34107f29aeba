package bot

import "testing"

// A final's digest seals each fate's library code, and a final sealed before
// fates kept codes keeps its digest: the pinned value is what the code before
// codes computed for the same recommendation.
func TestRecommendationDigest_fateCodes(t *testing.T) {
	rec := func(code string) *Recommendation {
		return &Recommendation{Outcome: OutcomeApproveWithProvisos, RecordedBy: "UANALYST", RecordedByName: "Ann",
			Provisos: []Proviso{{OfficeCode: "navy", Text: "For stated end-use only.", Code: code}, {OfficeCode: OfficeDTSA, Text: "Report quarterly"}},
			Treatments: []Treatment{
				{OfficeCode: "navy", Number: 1, OfficeText: "For stated end-use only.", Fate: FateKept, Code: code},
				{OfficeCode: "navy", Number: 2, OfficeText: "No resale", Fate: FateDropped, Reason: "covered"},
			}, Dissent: []string{"army"}}
	}
	const sealedBeforeCodes = "3634275a17ad2b7d757545f9c1a7d74c3652ec81b308316ef97a121298bba360"
	if got := RecommendationDigest(rec("")); got != sealedBeforeCodes {
		t.Errorf("digest without codes = %s; want the one sealed before codes, %s", got, sealedBeforeCodes)
	}
	bis1, bis3 := RecommendationDigest(rec("BIS-1")), RecommendationDigest(rec("BIS-3"))
	if bis1 == sealedBeforeCodes || bis1 == bis3 {
		t.Errorf("the fate's code does not change the digest: %s, %s", bis1, bis3)
	}
}
