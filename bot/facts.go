package bot

import (
	"cmp"
	"slices"
	"strconv"
)

// FactsKey is the key, in the detail of an event that records a fact (the
// referral opened, a position, the final recommendation), of the digest of that
// fact as recorded. The event's hash covers its detail, so the chain covers the
// fact: an exported record whose facts were edited no longer matches the digests
// its chained events carry (`referralbot verify --record`).
const FactsKey = "facts"

// factsVersion opens every fact digest's input, so that a later encoding can be
// told apart from this one.
const factsVersion = "referralbot-facts-v1"

// ReferralDigest is the digest of the referral's facts as received: those that
// never change after opening (agency, case number, license type, applicant,
// commodity, classification, destination, end user, value, received date and the
// USXPORTS reference). The due dates, the analyst and the state move, each with
// its own event.
func ReferralDigest(r *Referral) string {
	return digest(factsVersion, "referral", string(r.Agency), r.CaseNumber, r.LicenseType, r.Applicant, r.Commodity,
		r.Classification, r.Destination, r.EndUser, strconv.FormatInt(r.ValueUSD, 10), FormatDate(r.ReceivedOn), r.USXPORTSRef)
}

// PositionDigest is the digest of one version of an office's position: the office
// answered for, the version, the outcome, who answered (id and name), the texts
// and each proviso with its office. The time is the event's own.
func PositionDigest(p *Position) string {
	f := []string{factsVersion, "position", p.OfficeCode, strconv.Itoa(p.Version), string(p.Outcome),
		p.AnsweredBy, p.AnsweredByName, p.Comment, p.Questions, p.Reasons, p.Basis}
	return digest(append(f, provisoFields(p.Provisos)...)...)
}

// RecommendationDigest is the digest of the final recommendation: the outcome,
// who recorded it (id and name), the rationale, basis and questions (rwa), what it did with each
// office proviso (its fate, both texts, the reason and its library code) and the provisos DTSA added,
// and the dissenting offices in order.
func RecommendationDigest(r *Recommendation) string {
	f := []string{factsVersion, "recommendation", string(r.Outcome), r.RecordedBy, r.RecordedByName, r.Rationale, r.Basis, r.Questions}
	f = append(f, recommendationProvisoFields(r)...)
	f = append(f, "dissent", strconv.Itoa(len(r.Dissent)))
	return digest(append(f, r.Dissent...)...)
}

// recommendationProvisoFields are the recommendation's provisos as its record shows
// them: each office proviso's treatment, in office and number order (the record
// lists carried and dropped ones apart), then the provisos DTSA added. A
// recommendation recorded before fates were kept has only its provisos.
func recommendationProvisoFields(r *Recommendation) []string {
	if len(r.Treatments) == 0 {
		return provisoFields(r.Provisos)
	}
	trs := slices.Clone(r.Treatments)
	slices.SortFunc(trs, func(a, b Treatment) int {
		return cmp.Or(cmp.Compare(a.OfficeCode, b.OfficeCode), cmp.Compare(a.Number, b.Number))
	})
	f := []string{"treatments", strconv.Itoa(len(trs))}
	var codes []string
	for i, t := range trs {
		f = append(f, t.OfficeCode, strconv.Itoa(t.Number), string(t.Fate), t.OfficeText, t.DTSAText, t.Reason)
		if t.Code != "" {
			codes = append(codes, strconv.Itoa(i), t.Code)
		}
	}
	// As in provisoFields: library codes after, only when there are any, so that a
	// digest sealed before fates kept codes stays the same.
	if len(codes) > 0 {
		f = append(append(f, "treatment codes", strconv.Itoa(len(codes)/2)), codes...)
	}
	var added []Proviso
	for _, p := range r.Provisos {
		if p.OfficeCode == OfficeDTSA {
			added = append(added, p)
		}
	}
	return append(f, provisoFields(added)...)
}

// provisoFields is a count then office and text of each proviso: the count keeps
// the provisos apart from what follows them.
func provisoFields(ps []Proviso) []string {
	f := []string{"provisos", strconv.Itoa(len(ps))}
	var codes []string
	for i, p := range ps {
		f = append(f, p.OfficeCode, p.Text)
		if p.Code != "" {
			codes = append(codes, strconv.Itoa(i), p.Code)
		}
	}
	// Library codes come after, and only when there are any: a digest sealed before
	// codes were kept stays the same.
	if len(codes) > 0 {
		f = append(append(f, "codes", strconv.Itoa(len(codes)/2)), codes...)
	}
	return f
}
