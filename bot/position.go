package bot

import "time"

// Outcome is one of the four positions an office can take, and equally the four
// final recommendations DoD can make.
type Outcome string

// The four outcomes (DOMAIN.md, "The four positions").
const (
	OutcomeApprove             Outcome = "approve"
	OutcomeApproveWithProvisos Outcome = "approve_with_provisos"
	OutcomeRWA                 Outcome = "rwa"
	OutcomeDeny                Outcome = "deny"
)

// Outcomes lists the four outcomes in the order they are shown.
var Outcomes = []Outcome{OutcomeApprove, OutcomeApproveWithProvisos, OutcomeRWA, OutcomeDeny}

// Label returns the outcome as shown to users where no one agency applies (the
// statistics over both). On a referral, use LabelFor its agency.
func (o Outcome) Label() string {
	switch o {
	case OutcomeApprove:
		return "Approve"
	case OutcomeApproveWithProvisos:
		return "Approve with provisos or conditions"
	case OutcomeRWA:
		return "Return without action (RWA)"
	case OutcomeDeny:
		return "Deny"
	}
	return string(o)
}

// LabelFor returns the outcome as shown on a referral of agency a: State's
// binding terms are provisos, Commerce's conditions.
func (o Outcome) LabelFor(a Agency) string {
	if o == OutcomeApproveWithProvisos {
		return "Approve with " + a.Terms() // State (or none): provisos; Commerce: conditions
	}
	return o.Label()
}

// Valid reports whether o is one of the four outcomes.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomeApprove, OutcomeApproveWithProvisos, OutcomeRWA, OutcomeDeny:
		return true
	}
	return false
}

// Approves reports whether the outcome lets the export go ahead.
func (o Outcome) Approves() bool {
	return o == OutcomeApprove || o == OutcomeApproveWithProvisos
}

// Proviso is a binding term on an approval: a proviso in State's word, a condition
// in Commerce's (Agency.Term). It keeps the office that wrote it, because a request
// to reconsider a proviso goes to that office.
type Proviso struct {
	ID         int64
	OfficeCode string // originating office; OfficeDTSA for ones the analyst adds
	Text       string
	// Code is the standard proviso's library code (e.g. NAV-3) when it was chosen
	// from the library; "" for one typed. Text is the library's words as chosen.
	Code string
}

// OfficeDTSA is the origin recorded for provisos the analyst adds in the final recommendation.
const OfficeDTSA = "dtsa"

// Position is one version of an office's position on a referral. Every version is
// kept; the one with the highest Version is current.
type Position struct {
	ID         int64
	AskID      int64
	ReferralID int64
	OfficeCode string // the office answered for
	Version    int
	Outcome    Outcome
	Comment    string    // optional remark (any outcome)
	Provisos   []Proviso // approve_with_provisos: one or more
	Questions  string    // rwa: the questions to the applicant or agency
	Reasons    string    // deny: the statement of reasons (EO 12981)
	Basis      string    // deny on a Commerce referral: the statutory and regulatory basis (EO 12981)
	AnsweredBy string    // Slack user id of the roster member who answered
	// AnsweredByName is their Slack name when they answered ("" when unknown).
	AnsweredByName string
	AnsweredAt     time.Time
}

// Recommendation is the final DoD recommendation the analyst records.
type Recommendation struct {
	ID         int64
	ReferralID int64
	Outcome    Outcome
	// Provisos are the ones the recommendation carries, each with its originating
	// office: kept ones in the office's words, modified ones in DTSA's (Treatments
	// keeps the office's), and the analyst's own (OfficeDTSA).
	Provisos []Proviso
	// Treatments records what became of every office proviso: kept, modified or
	// dropped. Empty for outcomes that carry no provisos (RWA, Deny).
	Treatments []Treatment
	Rationale  string   // required for rwa and deny; for deny, the statement of reasons
	Basis      string   // deny on a Commerce referral: the statutory and regulatory basis (EO 12981)
	Questions  string   // rwa: the questions that go back to the applicant, the offices' by default
	Dissent    []string // office codes whose current position the recommendation overrides
	RecordedBy string
	// RecordedByName is the analyst's Slack name when they recorded it ("" when unknown).
	RecordedByName string
	RecordedAt     time.Time
	// Version is 1 for the recommendation as first recorded, and one more for each
	// amendment; every version is kept.
	Version int
	// AmendReason is why the analyst amended the version before (Version > 1).
	AmendReason string
	// SignOff is whether the recommendation needed a supervisor's second signature
	// and whether it has it; SignedBy and SignedAt say who gave it and when.
	SignOff  SignOff
	SignedBy string
	SignedAt time.Time
}

// SignOff is where a recommendation stands with its supervisor's second signature.
type SignOff string

// Sign-off states.
const (
	SignOffNone    SignOff = ""        // no second signature is required for its outcome
	SignOffPending SignOff = "pending" // recorded by the analyst; not final until a supervisor signs
	SignOffSigned  SignOff = "signed"  // signed by a supervisor: final
)
