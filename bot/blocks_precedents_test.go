package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// samplePrecedents is a panel with every part: counts, recent cases with and
// without a channel, provisos, and ways of matching that found nothing.
func samplePrecedents(restricted bool) *bot.Precedents {
	r := &bot.Referral{ID: 9, Agency: bot.AgencyCommerce, LicenseType: "BIS-748P", CaseNumber: "Z100003", Round: 1,
		Applicant: "Acme Photonics Inc.", EndUser: "Bundeswehr procurement office", Classification: "6A003.b.4", Destination: "DE"}
	at := time.Date(2026, 10, 1, 14, 0, 0, 0, time.UTC)
	recent := []bot.PrecedentCase{
		{ReferralID: 2, Agency: bot.AgencyCommerce, CaseNumber: "Z100002", ChannelID: "C2", Outcome: bot.OutcomeRWA, DecidedAt: at},
		{ReferralID: 1, Agency: bot.AgencyState, CaseNumber: "050-100001", Outcome: bot.OutcomeApproveWithProvisos, DecidedAt: at.AddDate(0, -2, 0)},
	}
	p := &bot.Precedents{Referral: r, Restricted: restricted, Matches: []bot.PrecedentMatch{
		{Dim: bot.DimApplicant, Key: r.Applicant, Total: 12, Recent: recent,
			ByOutcome: map[bot.Outcome]int{bot.OutcomeApprove: 7, bot.OutcomeApproveWithProvisos: 4, bot.OutcomeRWA: 1},
			Provisos:  []bot.ProvisoUse{{Text: "For stated end-use only", N: 4}, {Text: "No resale, transfer, or reexport without prior authorization by the U.S. Government", N: 2}}},
		{Dim: bot.DimEndUser, Key: r.EndUser, ByOutcome: map[bot.Outcome]int{}},
		{Dim: bot.DimClass, Key: r.Classification, Total: 1, Recent: recent[1:], ByOutcome: map[bot.Outcome]int{bot.OutcomeApproveWithProvisos: 1}},
		{Dim: bot.DimFamily, Key: "6A003.*", Total: 1, Recent: recent[1:], ByOutcome: map[bot.Outcome]int{bot.OutcomeApproveWithProvisos: 1}},
		{Dim: bot.DimDestination, Key: "DE", ByOutcome: map[bot.Outcome]int{}},
	}}
	if restricted {
		for i := range p.Matches {
			p.Matches[i].Total, p.Matches[i].ByOutcome, p.Matches[i].Provisos = 0, nil, nil
		}
	}
	return p
}

func TestPrecedentBlocks(t *testing.T) {
	golden(t, "precedents", bot.PrecedentBlocks(samplePrecedents(false)))
	golden(t, "precedents_reviewer", bot.PrecedentBlocks(samplePrecedents(true)))
	txt := sectionTexts(bot.PrecedentBlocks(samplePrecedents(true)))
	if strings.Contains(txt, "12 referrals") || strings.Contains(txt, "end-use") || !strings.Contains(txt, "Z100002") {
		t.Errorf("a reviewer's panel shows counts or provisos, or hides the cases: %s", txt)
	}

	view := bot.RecommendationModal(sampleTally(), roster())
	n := len(view.Blocks.BlockSet)
	bot.AddPrecedents(&view, samplePrecedents(false))
	if len(view.Blocks.BlockSet) != n+2 {
		t.Fatalf("modal has %d blocks; want %d (summary and divider)", len(view.Blocks.BlockSet), n+2)
	}
	golden(t, "modal_recommendation_precedents", view)

	// A form already near Slack's 100 blocks is left as it is.
	full := bot.RecommendationModal(sampleTally(), roster())
	for len(full.Blocks.BlockSet) < 99 {
		full.Blocks.BlockSet = append(full.Blocks.BlockSet, full.Blocks.BlockSet[1])
	}
	bot.AddPrecedents(&full, samplePrecedents(false))
	if len(full.Blocks.BlockSet) != 99 {
		t.Errorf("a 99-block form grew to %d blocks", len(full.Blocks.BlockSet))
	}
}
