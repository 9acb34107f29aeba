package bot

import (
	"cmp"
	"strings"
	"time"
)

// Agency is the licensing agency that referred an application to DoD.
type Agency string

// The two licensing agencies that refer applications to DoD.
const (
	AgencyState    Agency = "state"    // DDTC, under the ITAR
	AgencyCommerce Agency = "commerce" // BIS, under the EAR
)

// Label returns the agency's name as analysts say it.
func (a Agency) Label() string {
	switch a {
	case AgencyState:
		return "State (DDTC)"
	case AgencyCommerce:
		return "Commerce (BIS)"
	}
	return string(a)
}

// ShortName is how analysts name the agency's licensing office: DDTC or BIS.
func (a Agency) ShortName() string {
	switch a {
	case AgencyState:
		return "DDTC"
	case AgencyCommerce:
		return "BIS"
	}
	return string(a)
}

// Term is the agency's word for a binding term on an approval: State (the ITAR)
// says proviso, Commerce (the EAR) condition.
func (a Agency) Term() string {
	if a == AgencyCommerce {
		return "condition"
	}
	return "proviso"
}

// Terms is Term in the plural.
func (a Agency) Terms() string { return a.Term() + "s" }

// TermsTitle is Terms as a heading or label begins: Provisos or Conditions.
func (a Agency) TermsTitle() string {
	t := a.Terms()
	return strings.ToUpper(t[:1]) + t[1:]
}

// ReferralState is where a referral stands in its lifecycle.
type ReferralState string

// Referral states.
const (
	ReferralOpen        ReferralState = "open"        // offices are being asked
	ReferralRecommended ReferralState = "recommended" // the final DoD recommendation is recorded
)

// DateLayout is how dates are written in the store, in modals and in messages.
const DateLayout = "2006-01-02"

// Referral is one license application referred to DoD, as the analyst tracks it.
type Referral struct {
	ID             int64
	Agency         Agency
	CaseNumber     string
	LicenseType    string
	Applicant      string
	Commodity      string
	Classification string // USML category or ECCN
	Destination    string // ISO 3166 alpha-2
	EndUser        string // end user and consignees
	ValueUSD       int64
	ReceivedOn     time.Time // a date (midnight UTC)
	DoDDueDate     time.Time // when the DoD position is due back to the agency
	OfficeDueDate  time.Time // default internal suspense for the offices
	AnalystID      string    // Slack user id of the owning licensing analyst
	// AnalystName is the analyst's Slack name when they were given the referral
	// ("" when unknown).
	AnalystName string
	// USXPORTSRef is the case's reference in USXPORTS, DoD's own case system
	// (optional; see ParseUSXPORTSRef).
	USXPORTSRef string
	State       ReferralState
	// HeldSince is when the offices' suspense clock stopped; zero while it runs. It
	// stops while the analyst holds the referral (ManualHold) or any office's
	// questions are out (QuestionsOut), and runs again when neither is true.
	HeldSince time.Time
	// ManualHold is set while the analyst holds the referral (/referral hold).
	ManualHold bool
	// AlsoInvite are the people the analyst named on the form: invited to the
	// referral's channel with the analyst. Reviewers join from their queue instead.
	AlsoInvite []string
	// ArchivedAt is when the referral's channel was archived, after the final
	// recommendation; zero while it is not.
	ArchivedAt time.Time

	// Round is 1 for a case's first referral. A case that comes back after its final
	// recommendation (resubmitted, or the application amended) is referred again as
	// round 2, 3, …, each a referral of its own linked to the one before.
	Round int
	// PriorID is the earlier round's referral; 0 on a first round.
	PriorID int64
	// ReReferral is how the case came back (ReReferralResubmission or
	// ReReferralAmendment); "" on a first round.
	ReReferral string

	// OpenKey makes opening idempotent: a replayed submission carries the same key.
	OpenKey string

	// Slack provisioning progress, so that an interrupted opening resumes where it stopped.
	ChannelName    string // the name last tried (or used) for the channel
	ChannelID      string
	TopicSet       bool
	MembersInvited bool
	SummaryTS      string
	Provisioned    bool

	CreatedAt time.Time
	UpdatedAt time.Time
}

// InChannel reports whether channelID is the referral's own channel. A referral
// whose channel is not created yet is in no channel: authorisation never rests on
// two empty strings being equal.
func (r *Referral) InChannel(channelID string) bool {
	return r.ChannelID != "" && r.ChannelID == channelID
}

// AskState is where one office's ask stands.
type AskState string

// Ask states.
const (
	AskAwaiting  AskState = "awaiting"  // no position yet
	AskAnswered  AskState = "answered"  // the office has a current position (it may still change it)
	AskClosed    AskState = "closed"    // the final recommendation is recorded; no more answers
	AskWithdrawn AskState = "withdrawn" // the analyst withdrew the ask; the office is not expected to answer
)

// Ask is the request to one reviewing office for its position on one referral.
type Ask struct {
	ID         int64
	ReferralID int64
	OfficeCode string
	DueDate    time.Time // the office's suspense date
	State      AskState
	ChannelID  string    // where the ask message is: the office's queue channel, or the referral's
	MessageTS  string    // the ask message in ChannelID
	Current    *Position // the newest position, nil while awaiting
	CreatedAt  time.Time
	// DueSetAt is when the current due date took effect (opening, extension, resume):
	// reminders due before it were never owed, reminders after it that did not go out were missed.
	DueSetAt time.Time
	// SnoozedUntil silences the ask's reminders that fall before it.
	SnoozedUntil time.Time
	// WithdrawnReason is why the analyst withdrew the ask (State AskWithdrawn).
	WithdrawnReason string
	// Prior is the office's current position in the case's earlier round, shown as
	// stale beside this round's; nil on a first round or when the office was not
	// asked then. It is not stored with the ask: the service fills it in (tally).
	Prior *Position
}

// Channel is where the ask's message is: its own channel, recorded when it was
// posted (an office queue, or the referral's channel); asks posted before queues
// existed are in the referral's channel.
func (a *Ask) Channel(r *Referral) string { return cmp.Or(a.ChannelID, r.ChannelID) }

// ChannelJoin is a reviewer who joined a referral's channel from their office's
// queue. They are removed again when they leave the office (need to know).
type ChannelJoin struct {
	ReferralID int64
	UserID     string
	OfficeCode string
	JoinedAt   time.Time
}

// Event is one entry of a referral's append-only log: who did what, when.
type Event struct {
	ID         int64
	ReferralID int64
	Actor      string // Slack user id, or "referralbot" for the bot itself
	// ActorName is the actor's Slack name when they acted ("" when unknown), so
	// that a later rename does not rewrite the record.
	ActorName string
	Kind      string // e.g. "referral.opened", "position.recorded"
	Detail    string // JSON
	At        time.Time

	// The event's link in the hash chain, set by the store (bot/chain.go).
	Chain            string // ChainV1 or ChainV2; "" before it is stored
	PrevHash         string
	ReferralPrevHash string
	Hash             string
}

// ActorBot is the Event actor for things the bot does on its own.
const ActorBot = "referralbot"

// FormatDate renders a date the way the bot writes dates everywhere.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(DateLayout)
}

// ParseDate parses a YYYY-MM-DD date to midnight UTC.
func ParseDate(s string) (time.Time, error) {
	return time.Parse(DateLayout, s)
}
