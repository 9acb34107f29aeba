package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// Schema names the export schema below. It changes only when a field is
// removed or changes meaning; fields may be added within a version.
const Schema = "referralbot.record/v1"

// Document is the official record in the export schema (`referralbot
// export --format json`, `/referral export json`). Every field is always present:
// "" for text that does not apply, 0 for numbers, [] for empty lists, null only
// for a recommendation not yet recorded. Instants are RFC 3339 in UTC
// ("2026-11-27T15:00:00Z"), except an event's at, which keeps the stored
// nanoseconds its hash covers; dates are "YYYY-MM-DD"; people are Slack user ids
// with, in a *_name field beside them, their Slack name when they acted ("" when
// it was not known); offices are roster codes with their display names beside
// them; outcomes are approve, approve_with_provisos, rwa or deny. Lists are
// oldest first. `referralbot verify --record FILE` checks a document on its own.
type Document struct {
	Schema string `json:"schema"` // Schema
	// Marking is the marking banner (MARKING_BANNER, e.g. CUI) that the record's
	// contents call for; every rendering of the record carries it.
	Marking        string               `json:"marking"`
	Referral       ReferralFacts        `json:"referral"`
	Offices        []OfficeHistory      `json:"offices"`     // in the order they were asked
	Reminders      []ReminderEntry      `json:"reminders"`   // reminders and escalations
	DueChanges     []DueChange          `json:"due_changes"` // due-date changes, holds, resumptions and agency clock actions
	Answers        []AnswerEntry        `json:"answers"`     // answers to the offices' RWA questions, and who was asked again
	Recommendation *FinalRecommendation `json:"recommendation"`
	// Versions are every version of the recommendation, oldest first: the first,
	// each amendment, and one waiting for a supervisor's sign-off.
	Versions []FinalRecommendation `json:"recommendation_versions"`
	Round    RoundEntry            `json:"round"`  // which round of the case this is
	Events   []EventEntry          `json:"events"` // the referral's whole event log
}

// ReferralFacts are the referral's facts.
type ReferralFacts struct {
	ID         int64  `json:"id"`
	Agency     string `json:"agency"` // state or commerce
	AgencyName string `json:"agency_name"`
	// TermsWord is what the agency calls the binding terms the "provisos" lists
	// hold: provisos (State) or conditions (Commerce).
	TermsWord      string `json:"terms_word"`
	CaseNumber     string `json:"case_number"`
	LicenseType    string `json:"license_type"`
	Applicant      string `json:"applicant"`
	Commodity      string `json:"commodity"`
	Classification string `json:"classification"` // USML category or ECCN
	Destination    string `json:"destination"`    // ISO 3166 alpha-2
	EndUser        string `json:"end_user"`
	ValueUSD       int64  `json:"value_usd"`
	ReceivedOn     string `json:"received_on"`
	DoDDueDate     string `json:"dod_due_date"`
	OfficeDueDate  string `json:"office_due_date"`
	Analyst        string `json:"analyst"`
	AnalystName    string `json:"analyst_name"`
	// USXPORTSRef is the case's reference in USXPORTS, DoD's own case system ("" when none).
	USXPORTSRef string `json:"usxports_ref"`
	State       string `json:"state"`      // open or recommended
	HeldSince   string `json:"held_since"` // "" unless the clock is on hold
	ChannelID   string `json:"channel_id"`
	OpenedAt    string `json:"opened_at"`

	// DoDDuePassed is set once the DoD due date passed with no final recommendation
	// then: deemed_no_objection (Commerce, EO 12981) or overdue (State); "" otherwise.
	DoDDuePassed string `json:"dod_due_passed"`
}

// OfficeHistory is one office's ask and every version of its position.
type OfficeHistory struct {
	Office     string          `json:"office"`
	OfficeName string          `json:"office_name"`
	AskedAt    string          `json:"asked_at"`
	DueDate    string          `json:"due_date"` // as it stands, extensions included
	State      string          `json:"state"`    // awaiting, answered or closed
	Positions  []PositionEntry `json:"positions"`
}

// PositionEntry is one version of an office's position: who answered, when, and
// on behalf of which office.
type PositionEntry struct {
	Version    int    `json:"version"`
	Outcome    string `json:"outcome"`
	AnsweredBy string `json:"answered_by"`
	// AnsweredByName is the Slack name of who answered, as of answering.
	AnsweredByName string         `json:"answered_by_name"`
	AnsweredAt     string         `json:"answered_at"`
	OnBehalfOf     string         `json:"on_behalf_of"` // the office code answered for
	Provisos       []ProvisoEntry `json:"provisos"`
	Questions      string         `json:"questions"` // rwa
	Reasons        string         `json:"reasons"`   // deny
	Basis          string         `json:"basis"`     // deny on a Commerce referral: the statutory and regulatory basis
	Comment        string         `json:"comment"`
}

// ProvisoEntry is a proviso (a condition, on a Commerce referral: see
// ReferralFacts.TermsWord) with the office that wrote it ("dtsa" for the analyst).
type ProvisoEntry struct {
	Office     string `json:"office"`
	OfficeName string `json:"office_name"`
	Text       string `json:"text"`
	// Code is the standard proviso's library code (e.g. NAV-3) when it was chosen
	// from the library; absent for one typed.
	Code string `json:"code,omitempty"`
}

// ReminderEntry is one deadline reminder taken from the schedule.
type ReminderEntry struct {
	ID            string `json:"id"`
	Office        string `json:"office"`
	OfficeName    string `json:"office_name"`
	Kind          string `json:"kind"`      // before, due or overdue
	DaysLeft      int    `json:"days_left"` // business days to the due date; negative when overdue
	DueAt         string `json:"due_at"`    // when it was meant to go out
	SentAt        string `json:"sent_at"`   // when it was recorded and queued to go out
	Late          bool   `json:"late"`
	Escalated     bool   `json:"escalated"` // the analyst was told too
	Skipped       string `json:"skipped"`   // "" when sent; snoozed or superseded when not
	PostedChannel bool   `json:"posted_channel"`
	PostedDM      bool   `json:"posted_dm"` // the escalation reached the analyst
}

// DueChange is a change to the referral's clock, from the event log.
type DueChange struct {
	EventID int64  `json:"event_id"`
	At      string `json:"at"`
	By      string `json:"by"`
	ByName  string `json:"by_name"`
	// Kind is due.changed (offices' suspense), clock.held, clock.resumed (the
	// offices' suspense clock), dod_due.moved (the licensing agency stopped its
	// clock or granted more time: the only thing that moves the DoD due date), or
	// the DoD due date passing with no final recommendation:
	// dod_due.deemed_no_objection (Commerce) or dod_due.overdue (State), whose To is
	// the date that passed.
	Kind string `json:"kind"`
	// Target is what due.changed moved: "all" (every awaiting office) or an office
	// code ("dod", the DoD due date, only in records from before the agency clock was
	// kept apart); dod_due.moved: "dod". TargetName says it in words.
	Target     string `json:"target"`
	TargetName string `json:"target_name"`
	From       string `json:"from"`    // due.changed and dod_due.moved: the date before
	To         string `json:"to"`      // due.changed and dod_due.moved: the new date; clock.resumed: the DoD due date (unmoved)
	Offices    int    `json:"offices"` // due.changed: how many offices' due dates moved
	Reason     string `json:"reason"`  // due.changed, clock.held and dod_due.moved
	HeldSince  string `json:"held_since"`
	// BusinessDaysHeld is how far clock.resumed moved the offices' suspense dates.
	BusinessDaysHeld int `json:"business_days_held"`
	// AgencyAction is dod_due.moved's agency action: stop (a clock stop) or extend
	// (more time granted); "" otherwise.
	AgencyAction string `json:"agency_action"`
	// AgencyReference is the agency's reference for the action (dod_due.moved).
	AgencyReference string `json:"agency_reference"`
	// ClockStopped and ClockRestarted are the dates of an agency clock stop.
	ClockStopped   string `json:"clock_stopped"`
	ClockRestarted string `json:"clock_restarted"`
	// CalendarDays is how far dod_due.moved moved the DoD due date.
	CalendarDays int `json:"calendar_days"`
	// Cause is what stopped or restarted the offices' suspense clock (clock.held,
	// clock.resumed): analyst (/referral hold, resume), questions (an office's RWA
	// questions went out; or none is out any more, its position changed or its ask
	// withdrawn), answer (the answer to the questions was recorded); "" in records from before
	// the RWA loop, when only the analyst held. clock.hold_released is the analyst's
	// hold ending while questions keep the clock stopped.
	Cause string `json:"cause"`
}

// FinalRecommendation is DoD's final recommendation.
type FinalRecommendation struct {
	Outcome    string `json:"outcome"`
	RecordedBy string `json:"recorded_by"`
	// RecordedByName is the Slack name of the analyst who recorded it, as of then.
	RecordedByName string         `json:"recorded_by_name"`
	RecordedAt     string         `json:"recorded_at"`
	Rationale      string         `json:"rationale"`
	Basis          string         `json:"basis"`     // deny on a Commerce referral: the statutory and regulatory basis
	Questions      string         `json:"questions"` // rwa: the questions that go back to the applicant
	Provisos       []FinalProviso `json:"provisos"`  // the provisos it carries, each with its originating office and fate
	Dissent        []DissentEntry `json:"dissent"`   // the offices whose position it overrides
	// Dropped are the offices' provisos it does not carry, each with the reason.
	Dropped []FinalProviso `json:"dropped"`
	// PartialOverrides are the offices some of whose provisos it modified or dropped.
	PartialOverrides []OverrideEntry `json:"partial_overrides"`
	Version          int             `json:"version"` // 1, then one more per amendment
	// AmendReason is why the version before was amended ("" on version 1).
	AmendReason string `json:"amend_reason"`
	// SignOff is "" (no second signature required), "pending" (not final until a
	// supervisor signs) or "signed", by SignedBy at SignedAt.
	SignOff  string `json:"sign_off"`
	SignedBy string `json:"signed_by"`
	SignedAt string `json:"signed_at"`
}

// DissentEntry is an office whose position the final recommendation overrides.
type DissentEntry struct {
	Office     string `json:"office"`
	OfficeName string `json:"office_name"`
	Position   string `json:"position"` // the office's position as it stands
}

// EventEntry is one entry of the event log with its link in the hash chain
// (bot.ChainLink): Detail is the event's JSON object (null for none), At the
// instant as stored and hashed. Chain names the encoding of Hash:
// referralbot-event-v2 covers actor_name and referral_prev_hash (the hash of the
// referral's previous event, "" for its first), so that the record's events are
// checked in order on their own; referralbot-event-v1 (events from before) does
// not. PrevHash is the hash of the event before it in the whole log, which
// usually belongs to another referral.
type EventEntry struct {
	ID               int64           `json:"id"`
	At               string          `json:"at"`
	Actor            string          `json:"actor"`
	ActorName        string          `json:"actor_name"`
	Kind             string          `json:"kind"`
	Detail           json.RawMessage `json:"detail"`
	Chain            string          `json:"chain"`
	PrevHash         string          `json:"prev_hash"`
	ReferralPrevHash string          `json:"referral_prev_hash"`
	Hash             string          `json:"hash"`
}

// instant writes an instant for the export: RFC 3339 in UTC, "" for none.
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// NewDocument returns the record in the export schema.
func NewDocument(r *bot.Record) *Document {
	ref := r.Referral
	d := &Document{
		Schema: Schema, Marking: r.Marking,
		Referral: ReferralFacts{
			ID: ref.ID, Agency: string(ref.Agency), AgencyName: ref.Agency.Label(), TermsWord: ref.Agency.Terms(), CaseNumber: ref.CaseNumber,
			LicenseType: ref.LicenseType, Applicant: ref.Applicant, Commodity: ref.Commodity,
			Classification: ref.Classification, Destination: ref.Destination, EndUser: ref.EndUser,
			ValueUSD: ref.ValueUSD, ReceivedOn: bot.FormatDate(ref.ReceivedOn), DoDDueDate: bot.FormatDate(ref.DoDDueDate),
			OfficeDueDate: bot.FormatDate(ref.OfficeDueDate), Analyst: ref.AnalystID, AnalystName: ref.AnalystName,
			USXPORTSRef: ref.USXPORTSRef, State: string(ref.State),
			HeldSince: instant(ref.HeldSince), ChannelID: ref.ChannelID, OpenedAt: instant(ref.CreatedAt),
		},
		Offices: []OfficeHistory{}, Reminders: []ReminderEntry{}, DueChanges: []DueChange{}, Events: []EventEntry{},
		Answers: answers(r),
	}
	current := map[string]bot.Outcome{}
	for _, o := range r.Offices {
		h := OfficeHistory{Office: o.Ask.OfficeCode, OfficeName: r.Roster.OfficeName(o.Ask.OfficeCode),
			AskedAt: instant(o.Ask.CreatedAt), DueDate: bot.FormatDate(o.Ask.DueDate), State: string(o.Ask.State),
			Positions: []PositionEntry{}}
		for _, p := range o.History {
			h.Positions = append(h.Positions, PositionEntry{Version: p.Version, Outcome: string(p.Outcome),
				AnsweredBy: p.AnsweredBy, AnsweredByName: p.AnsweredByName, AnsweredAt: instant(p.AnsweredAt), OnBehalfOf: p.OfficeCode,
				Provisos: provisos(r.Roster, p.Provisos), Questions: p.Questions, Reasons: p.Reasons, Basis: p.Basis, Comment: p.Comment})
			current[o.Ask.OfficeCode] = p.Outcome
		}
		d.Offices = append(d.Offices, h)
	}
	for _, rem := range r.Reminders {
		d.Reminders = append(d.Reminders, ReminderEntry{ID: rem.ID, Office: rem.OfficeCode,
			OfficeName: r.Roster.OfficeName(rem.OfficeCode), Kind: rem.Kind, DaysLeft: rem.DaysLeft,
			DueAt: instant(rem.DueAt), SentAt: instant(rem.RecordedAt), Late: rem.Late, Escalated: rem.Escalated,
			Skipped: rem.Skipped, PostedChannel: rem.PostedChannel, PostedDM: rem.PostedDM})
	}
	for _, e := range r.Events {
		d.Events = append(d.Events, EventEntry{ID: e.ID, At: bot.Stamp(e.At), Actor: e.Actor, ActorName: e.ActorName,
			Kind: e.Kind, Detail: eventDetail(e.Detail), Chain: e.Chain, PrevHash: e.PrevHash,
			ReferralPrevHash: e.ReferralPrevHash, Hash: e.Hash})
		if c, ok := dueChange(r.Roster, e); ok {
			d.DueChanges = append(d.DueChanges, c)
			if passed := dodDuePassed(c); passed != "" && c.To == d.Referral.DoDDueDate {
				d.Referral.DoDDuePassed = passed
			}
		}
	}
	if rec := r.Recommendation; rec != nil {
		f := finalRecommendation(r.Roster, ref.Agency, rec, current)
		d.Recommendation = &f
	}
	d.Versions, d.Round = versions(r, current), round(r)
	return d
}

func provisos(roster *bot.Roster, ps []bot.Proviso) []ProvisoEntry {
	out := make([]ProvisoEntry, len(ps))
	for i, p := range ps {
		out[i] = ProvisoEntry{Office: p.OfficeCode, OfficeName: roster.OfficeName(p.OfficeCode), Text: p.Text, Code: p.Code}
	}
	return out
}

// dueChange reads a due.changed, clock.held, clock.resumed or dod_due.* event.
func dueChange(roster *bot.Roster, e *bot.Event) (DueChange, bool) {
	switch e.Kind {
	case "due.changed", "clock.held", "clock.resumed", "dod_due.moved", "clock.hold_released", bot.EventDeemedNoObjection, bot.EventDoDOverdue:
	default:
		return DueChange{}, false
	}
	var detail struct {
		Target           string `json:"target"`
		From             string `json:"from"`
		To               string `json:"to"`
		Offices          int    `json:"offices"`
		Reason           string `json:"reason"`
		HeldSince        string `json:"held_since"`
		BusinessDaysHeld int    `json:"business_days_held"`
		DoDDue           string `json:"dod_due"`
		Action           string `json:"action"`
		Reference        string `json:"reference"`
		Stopped          string `json:"stopped"`
		Restarted        string `json:"restarted"`
		CalendarDays     int    `json:"calendar_days"`
		Cause            string `json:"cause"`
	}
	_ = json.Unmarshal([]byte(e.Detail), &detail) // a malformed detail leaves the fields empty
	c := DueChange{EventID: e.ID, At: instant(e.At), By: e.Actor, ByName: e.ActorName, Kind: e.Kind, Target: detail.Target,
		From: detail.From, To: detail.To, Offices: detail.Offices, Reason: detail.Reason,
		BusinessDaysHeld: detail.BusinessDaysHeld, Cause: detail.Cause}
	if e.Kind == "dod_due.moved" {
		c.Target, c.AgencyAction, c.AgencyReference = bot.ExtendDoD, detail.Action, detail.Reference
		c.ClockStopped, c.ClockRestarted, c.CalendarDays = detail.Stopped, detail.Restarted, detail.CalendarDays
	}
	if t, err := time.Parse(time.RFC3339, detail.HeldSince); err == nil {
		c.HeldSince = instant(t)
	}
	if dodDuePassed(c) != "" {
		c.Target, c.To = bot.ExtendDoD, detail.DoDDue
	}
	switch {
	case e.Kind == "clock.resumed":
		c.To = detail.DoDDue
	case c.Target == bot.ExtendDoD:
		c.TargetName = "the DoD due date"
	case c.Target == bot.ExtendAll:
		c.TargetName = "every awaiting office's due date"
	case c.Target != "":
		c.TargetName = fmt.Sprintf("%s's due date", roster.OfficeName(c.Target))
	}
	return c, true
}

// JSON renders the record in the export schema, indented, ending in a newline.
// Characters HTML treats specially are left as they are ("<", not "\u003c"): the
// file is data, not a web page.
func JSON(r *bot.Record) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(NewDocument(r)); err != nil {
		return nil, fmt.Errorf("record of referral %d as JSON: %w", r.Referral.ID, err)
	}
	return b.Bytes(), nil
}

// dodDuePassed names what a DoD due date passing with no final recommendation
// meant: deemed_no_objection or overdue; "" for any other change.
func dodDuePassed(c DueChange) string {
	switch c.Kind {
	case bot.EventDeemedNoObjection:
		return "deemed_no_objection"
	case bot.EventDoDOverdue:
		return "overdue"
	}
	return ""
}
