package bot_test

import (
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// roundTwo is sampleTally as round 2 of its case: every office asked again, the
// round-1 positions shown as prior, round 1's final recommendation linked.
func roundTwo() *bot.Tally {
	earlier := withRecommendation(sampleTally())
	earlier.Referral.ChannelID, earlier.Referral.Round = "CROUND1", 1
	t := sampleTally()
	t.Referral.ID, t.Referral.Round, t.Referral.PriorID, t.Referral.ReReferral = 8, 2, 7, bot.ReReferralResubmission
	t.Earlier, t.EarlierFinal = earlier.Referral, earlier.Recommendation
	for i, a := range t.Asks {
		a.Prior, a.Current, a.State = earlier.Asks[i].Current, nil, bot.AskAwaiting
	}
	return t
}

// TestRoundsGolden renders the screens of rounds, amendments and sign-offs.
func TestRoundsGolden(t *testing.T) {
	ro := roster()
	ro.Supervisors = bot.Supervisors{UserGroup: "SSUPERVISORS"}
	two := roundTwo()
	golden(t, "summary_round2", bot.SummaryMessage(two, ro).Blocks)
	golden(t, "ask_round2_prior", bot.AskMessage(two.Referral, two.Asks[0], ro).Blocks)

	amended := withRecommendation(sampleTally())
	first := *amended.Recommendation
	first.Version = 1
	rec := amended.Recommendation
	rec.Version, rec.AmendReason = 2, "BIS amended the application: a new consignee <Acme GmbH>."
	rec.RecordedAt = rec.RecordedAt.Add(24 * time.Hour)
	golden(t, "final_amended", bot.FinalMessage(amended, ro).Blocks)
	amended.Recommendation = &first
	golden(t, "modal_amend", bot.AmendModal(amended))

	deny := &bot.Recommendation{ID: 3, ReferralID: 7, Version: 1, Outcome: bot.OutcomeDeny, Rationale: "Diversion risk.",
		Basis: "15 CFR 744.21", RecordedBy: "UANALYST", RecordedAt: answeredAt, SignOff: bot.SignOffPending}
	r := sampleTally().Referral
	r.ChannelID = "CREF7"
	golden(t, "signoff_request", bot.SignOffRequestMessage(r, deny, ro).Blocks)
	golden(t, "signoff_dm", bot.SignOffDM(r, deny).Blocks)
	signed := *deny
	signed.SignOff, signed.SignedBy, signed.SignedAt = bot.SignOffSigned, "USUPERVISOR", answeredAt.Add(time.Hour)
	golden(t, "signoff_signed", bot.SignOffRequestMessage(r, &signed, ro).Blocks)
	final := withRecommendation(sampleTally())
	final.Recommendation = &signed
	golden(t, "final_signed", bot.FinalMessage(final, ro).Blocks)
}
