package record

import (
	"fmt"
	"strings"

	"github.com/referralbot/referralbot/bot"
)

// RoundEntry says which round of its case the referral is. A case that comes back
// after its final recommendation (resubmitted, or the application amended) is
// referred again as the next round, linked to the one before.
type RoundEntry struct {
	Number     int    `json:"number"`      // 1 for a case's first referral
	ReReferral string `json:"re_referral"` // resubmission or amendment; "" on round 1
	// The earlier round: its referral id, channel and final recommendation; 0 and ""
	// on round 1.
	EarlierReferralID int64  `json:"earlier_referral_id"`
	EarlierChannelID  string `json:"earlier_channel_id"`
	EarlierOutcome    string `json:"earlier_outcome"`
	EarlierFinalAt    string `json:"earlier_final_at"`
	// Prior are the offices' positions in the earlier round, stale: each office was
	// asked again in this one.
	Prior []PriorPosition `json:"prior_positions"`
}

// PriorPosition is an office's current position in the earlier round.
type PriorPosition struct {
	Office     string `json:"office"`
	OfficeName string `json:"office_name"`
	Outcome    string `json:"outcome"`
	AnsweredBy string `json:"answered_by"`
	AnsweredAt string `json:"answered_at"`
}

func round(r *bot.Record) RoundEntry {
	ref := r.Referral
	e := RoundEntry{Number: max(ref.Round, 1), ReReferral: ref.ReReferral, EarlierReferralID: ref.PriorID, Prior: []PriorPosition{}}
	if r.Earlier != nil {
		e.EarlierChannelID = r.Earlier.ChannelID
	}
	if f := r.EarlierFinal; f != nil {
		e.EarlierOutcome, e.EarlierFinalAt = string(f.Outcome), instant(f.RecordedAt)
	}
	for _, o := range r.Offices {
		if p := o.Ask.Prior; p != nil {
			e.Prior = append(e.Prior, PriorPosition{Office: o.Ask.OfficeCode, OfficeName: r.Roster.OfficeName(o.Ask.OfficeCode),
				Outcome: string(p.Outcome), AnsweredBy: p.AnsweredBy, AnsweredAt: instant(p.AnsweredAt)})
		}
	}
	return e
}

// finalRecommendation is one version of the recommendation in the export schema;
// current holds each office's position as it stands, named beside its dissent.
func finalRecommendation(roster *bot.Roster, agency bot.Agency, rec *bot.Recommendation, current map[string]bot.Outcome) FinalRecommendation {
	f := FinalRecommendation{Outcome: string(rec.Outcome), RecordedBy: rec.RecordedBy, RecordedByName: rec.RecordedByName,
		RecordedAt: instant(rec.RecordedAt), Rationale: rec.Rationale, Basis: rec.Basis, Questions: rec.Questions,
		Dissent: []DissentEntry{}, Version: max(rec.Version, 1), AmendReason: rec.AmendReason,
		SignOff: string(rec.SignOff), SignedBy: rec.SignedBy, SignedAt: instant(rec.SignedAt)}
	f.Provisos, f.Dropped, f.PartialOverrides = finalProvisos(roster, agency, rec)
	for _, code := range rec.Dissent {
		f.Dissent = append(f.Dissent, DissentEntry{Office: code, OfficeName: roster.OfficeName(code),
			Position: string(current[code])})
	}
	return f
}

func versions(r *bot.Record, current map[string]bot.Outcome) []FinalRecommendation {
	out := []FinalRecommendation{}
	for _, v := range r.Versions {
		out = append(out, finalRecommendation(r.Roster, r.Referral.Agency, v, current))
	}
	return out
}

// writeRound says which round of the case this is and what the earlier one decided.
func writeRound(b *strings.Builder, e RoundEntry, agency bot.Agency) {
	if e.Number <= 1 {
		return
	}
	fmt.Fprintf(b, "\n## Round %d\n\n%s of a case DoD recommended on before: earlier round referral %d", e.Number,
		bot.ReReferralLabel(e.ReReferral), e.EarlierReferralID)
	if e.EarlierChannelID != "" {
		fmt.Fprintf(b, " (channel %s)", e.EarlierChannelID)
	}
	if e.EarlierOutcome != "" {
		fmt.Fprintf(b, ", final recommendation **%s** on %s", bot.Outcome(e.EarlierOutcome).LabelFor(agency), mdTime(e.EarlierFinalAt))
	}
	b.WriteString(".\n")
	if len(e.Prior) > 0 {
		b.WriteString("\nPrior positions (earlier round, stale; each office was asked again):\n\n")
		for _, p := range e.Prior {
			fmt.Fprintf(b, "- %s: %s, by %s on %s\n", mdText(p.OfficeName), bot.Outcome(p.Outcome).LabelFor(agency), p.AnsweredBy, mdTime(p.AnsweredAt))
		}
	}
}

// writeFinalNotes notes that the final recommendation was amended, and the
// supervisor's second signature on it.
func writeFinalNotes(b *strings.Builder, f *FinalRecommendation) {
	if f == nil {
		return
	}
	if f.Version > 1 {
		fmt.Fprintf(b, "\nAmended: this is version %d of the recommendation. Amended because: %s\n", f.Version, mdBlock(f.AmendReason, ""))
	}
	if f.SignOff == string(bot.SignOffSigned) {
		fmt.Fprintf(b, "\nSigned off by supervisor %s on %s.\n", f.SignedBy, mdTime(f.SignedAt))
	}
}

// writeVersions lists every version of the recommendation when there is more than
// the one shown as final: amendments, each with its reason, and one awaiting sign-off.
func writeVersions(b *strings.Builder, vs []FinalRecommendation, agency bot.Agency) {
	if len(vs) < 2 && (len(vs) == 0 || vs[0].SignOff != string(bot.SignOffPending)) {
		return
	}
	b.WriteString("\n## Every version of the recommendation\n\n")
	for _, v := range vs {
		fmt.Fprintf(b, "- Version %d: **%s**, recorded by %s on %s", v.Version, bot.Outcome(v.Outcome).LabelFor(agency), v.RecordedBy, mdTime(v.RecordedAt))
		switch v.SignOff {
		case string(bot.SignOffPending):
			b.WriteString("; awaiting a supervisor's sign-off (not final)")
		case string(bot.SignOffSigned):
			fmt.Fprintf(b, "; signed off by %s on %s", v.SignedBy, mdTime(v.SignedAt))
		}
		b.WriteString("\n")
		if v.AmendReason != "" {
			fmt.Fprintf(b, "  - Amended because: %s\n", mdBlock(v.AmendReason, "    "))
		}
		if v.Rationale != "" {
			fmt.Fprintf(b, "  - Rationale: %s\n", mdBlock(v.Rationale, "    "))
		}
	}
}
