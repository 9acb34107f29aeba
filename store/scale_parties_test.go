package store

import (
	"fmt"
	"math/rand/v2"

	"github.com/referralbot/referralbot/bot"
)

// Repetition in the generated history (issue 12): applicants, end users and
// classifications drawn from Zipf-like distributions, so a few applicants have
// thousands of referrals and most have a handful, as in DTSA's caseload.
const (
	scaleApplicants = 20_000
	scaleEndUsers   = 8_000
	scaleZipfS      = 1.1 // the exponent: rank k is drawn in proportion to 1/k^1.1
)

// scaleClassifications are the items, most referred first.
var scaleClassifications = []string{
	"6A003.b.4", "XI(a)(3)", "5A002.a", "6A003.b.3", "9A610.x", "VIII(h)(1)", "3A001.b.2", "XII(c)(1)",
	"6A008.j.1", "IV(h)(1)", "5A001.b", "XV(a)(7)", "7A003.a", "0A501.a", "XI(c)(1)", "6A002.a.2",
	"9A515.a.1", "III(a)", "1C010.b", "XIII(b)", "EAR99", "5D002.c.1", "II(j)(9)", "9E003.a.1",
}

// scaleParties draws who and what each generated referral is about.
type scaleParties struct {
	applicants, endUsers, classes *rand.Zipf
}

func newScaleParties(n int) *scaleParties {
	r := rand.New(rand.NewPCG(12, uint64(n)))
	return &scaleParties{
		applicants: rand.NewZipf(r, scaleZipfS, 1, scaleApplicants-1),
		endUsers:   rand.NewZipf(r, scaleZipfS, 1, scaleEndUsers-1),
		classes:    rand.NewZipf(r, scaleZipfS, 1, uint64(len(scaleClassifications)-1)),
	}
}

// scaleApplicant is the applicant of rank k (0 the most frequent), written in one
// of a few spellings that NameKey must bring together.
func scaleApplicant(k uint64, spelling int) string {
	return fmt.Sprintf([]string{"Applicant %d Industries Inc.", "APPLICANT %d INDUSTRIES, INC", "Applicant %d Industries LLC"}[spelling%3], k)
}

func (p *scaleParties) applicant() string {
	k := p.applicants.Uint64()
	return scaleApplicant(k, int(k+p.endUsers.Uint64())) // the spelling varies per referral
}

func scaleEndUser(k uint64) string {
	return fmt.Sprintf("Ministry of Defence procurement office %d GmbH", k)
}

func (p *scaleParties) endUser() string { return scaleEndUser(p.endUsers.Uint64()) }

func (p *scaleParties) classification() string {
	return scaleClassifications[p.classes.Uint64()]
}

// scaleBusiest is a new referral of the applicant with the most history, for the
// same end user, item and destination as the most frequent ones: the largest
// precedent panel the history can produce.
func scaleBusiest() *bot.Referral {
	return &bot.Referral{Agency: bot.AgencyCommerce, CaseNumber: "Z999999", Applicant: scaleApplicant(0, 1),
		EndUser: scaleEndUser(0), Classification: scaleClassifications[0], Destination: "DE"}
}
