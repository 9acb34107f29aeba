package bot

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field names of the referral form. They are also the block ids of the modal's input
// blocks, so that a problems map from Valid can be returned to Slack as-is.
const (
	FieldAgency         = "agency"
	FieldCaseNumber     = "case_number"
	FieldLicenseType    = "license_type"
	FieldApplicant      = "applicant"
	FieldCommodity      = "commodity"
	FieldClassification = "classification"
	FieldDestination    = "destination"
	FieldEndUser        = "end_user"
	FieldValue          = "value"
	FieldReceived       = "received"
	FieldDoDDue         = "dod_due"
	FieldOfficeDue      = "office_due"
	FieldOffices        = "offices"
	FieldAlsoInvite     = "also_invite"
)

// Limits on what people type, chosen to fit Slack's Block Kit limits with room to spare.
const (
	MaxShortText  = 200  // applicant, end user, classification
	MaxLongText   = 2900 // comments, questions, reasons, rationale (a 3000-char section with a label)
	MaxProvisoLen = 280  // one proviso
	MaxProvisos   = 10   // provisos per office (10 × 281 fits one 3000-char input)
	MaxValueUSD   = 10_000_000_000_000
)

// LicenseTypes lists the license types each agency refers (DOMAIN.md). DSP-85,
// State's license for classified exports, is not one of them: see LicenseClassified.
var LicenseTypes = map[Agency][]string{
	AgencyState:    {"DSP-5", "DSP-73", "DSP-61", "TAA", "MLA"},
	AgencyCommerce: {"BIS-748P"},
}

// LicenseClassified is the license type for classified exports. Classified material
// must not be discussed in this workspace, so a referral of this type is refused
// with ClassifiedRefusal, whichever agency it names.
const LicenseClassified = "DSP-85"

// ClassifiedRefusal is why a DSP-85 referral is refused, in the form and in an import.
const ClassifiedRefusal = "DSP-85 is the license for classified exports, and classified material must not be discussed in this workspace. " +
	"Do not enter any of its details here: handle it through classified channels."

var (
	// A State case number is 4-20 characters of letters and digits in groups joined by
	// single dashes: "----", "-0501" or "05--01" are refused, so one case has one
	// written form and its channel name always carries it.
	stateCaseRE    = regexp.MustCompile(`^[A-Z0-9]+(-[A-Z0-9]+)*$`)
	commerceCaseRE = regexp.MustCompile(`^[A-Z][0-9]{6}$`)
	usmlRE         = regexp.MustCompile(`^(XXI|XX|XIX|XVIII|XVII|XVI|XV|XIV|XIII|XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)(\([a-z0-9]{1,3}\)){0,4}$`)
	eccnRE         = regexp.MustCompile(`(?i)^([0-9][A-E][0-9]{3}(\.[a-z0-9]{1,3}){0,4}|EAR99)$`)
)

// ReferralInput is what an analyst types (or an import file carries) to open a referral.
// Fields are raw text so that validation can say exactly what is wrong with each.
type ReferralInput struct {
	Agency         string
	CaseNumber     string
	LicenseType    string
	Applicant      string
	Commodity      string
	Classification string
	Destination    string
	EndUser        string
	Value          string
	Received       string // YYYY-MM-DD
	DoDDue         string // YYYY-MM-DD; empty for the default
	OfficeDue      string // YYYY-MM-DD; empty for the default
	Offices        []string
	AlsoInvite     []string // people to invite to the referral's channel besides the analyst
	USXPORTSRef    string   // optional: the case's USXPORTS reference
	ReReferral     string   // how a case with a final recommendation came back; "" for a first referral
	// StaffedBy says which staffing rules chose which of the Offices, for the record.
	StaffedBy []OfficeSuggestion
}

// Normalize trims whitespace and upper-cases the coded fields.
func (in *ReferralInput) Normalize() {
	in.Agency = strings.ToLower(strings.TrimSpace(in.Agency))
	in.CaseNumber = strings.ToUpper(strings.TrimSpace(in.CaseNumber))
	in.LicenseType = strings.ToUpper(strings.TrimSpace(in.LicenseType))
	in.Applicant = strings.TrimSpace(in.Applicant)
	in.Commodity = strings.TrimSpace(in.Commodity)
	in.Classification = strings.TrimSpace(in.Classification)
	in.Destination = strings.ToUpper(strings.TrimSpace(in.Destination))
	in.EndUser = strings.TrimSpace(in.EndUser)
	in.Value = strings.TrimSpace(in.Value)
	in.Received = strings.TrimSpace(in.Received)
	in.DoDDue = strings.TrimSpace(in.DoDDue)
	in.OfficeDue = strings.TrimSpace(in.OfficeDue)
	in.USXPORTSRef = strings.ToUpper(strings.TrimSpace(in.USXPORTSRef))
	in.ReReferral = strings.ToLower(strings.TrimSpace(in.ReReferral))
}

// Referral validates the input against the roster, fills default due dates from
// rules, and returns the referral to open. today is the current civil date. The
// error is an EINVALID *Error whose Fields name every problem.
func (in ReferralInput) Referral(roster *Roster, rules Deadlines, today time.Time) (*Referral, error) {
	in.Normalize()
	p := map[string]string{}
	r := &Referral{State: ReferralOpen}
	in.checkCase(r, p)
	in.checkReReferral(r, p)
	r.Applicant = checkText(p, FieldApplicant, in.Applicant, "the applicant", true, MaxShortText, false)
	r.Commodity = checkText(p, FieldCommodity, in.Commodity, "the commodity", true, 500, false)
	r.EndUser = checkText(p, FieldEndUser, in.EndUser, "the end user", false, 500, false)

	in.checkItem(r, p)
	in.checkDates(r, p, rules, today)
	in.checkOffices(p, roster)
	r.AlsoInvite = in.checkAlsoInvite(p)
	if ref, problem := ParseUSXPORTSRef(in.USXPORTSRef); problem != "" {
		p[FieldUSXPORTS] = problem
	} else {
		r.USXPORTSRef = ref
	}
	if len(p) > 0 {
		return nil, Invalid(p)
	}
	return r, nil
}

// checkCase fills and checks what identifies the case: agency, case number and
// license type.
func (in ReferralInput) checkCase(r *Referral, p map[string]string) {
	switch Agency(in.Agency) {
	case AgencyState, AgencyCommerce:
		r.Agency = Agency(in.Agency)
	case "":
		p[FieldAgency] = "Choose State or Commerce."
	default:
		p[FieldAgency] = fmt.Sprintf("%q is not an agency; choose State or Commerce.", in.Agency)
	}

	r.CaseNumber = in.CaseNumber
	switch {
	case in.CaseNumber == "":
		p[FieldCaseNumber] = "Enter the case number."
	case r.Agency == AgencyCommerce && !commerceCaseRE.MatchString(in.CaseNumber):
		p[FieldCaseNumber] = "A Commerce application control number is one letter and six digits, e.g. Z123456."
	case r.Agency != AgencyCommerce && (len(in.CaseNumber) < 4 || len(in.CaseNumber) > 20 || !stateCaseRE.MatchString(in.CaseNumber)):
		p[FieldCaseNumber] = "A State case number is 4-20 letters, digits or dashes, with no dash at either end and no two dashes together, e.g. 050123456 or 050-123-456."
	}

	r.LicenseType = in.LicenseType
	if in.LicenseType == LicenseClassified {
		p[FieldLicenseType] = ClassifiedRefusal
	} else if in.LicenseType == "" {
		p[FieldLicenseType] = "Choose the license type."
	} else if r.Agency != "" && !slices.Contains(LicenseTypes[r.Agency], in.LicenseType) {
		p[FieldLicenseType] = fmt.Sprintf("%s is not a %s license type; use one of %s.",
			in.LicenseType, r.Agency.Label(), strings.Join(LicenseTypes[r.Agency], ", "))
	}
}

// checkItem fills and checks what is exported, where and for how much.
func (in ReferralInput) checkItem(r *Referral, p map[string]string) {
	r.Classification = in.Classification
	switch {
	case in.Classification == "":
		p[FieldClassification] = "Enter the USML category or ECCN."
	case r.Agency == AgencyState && !usmlRE.MatchString(in.Classification):
		p[FieldClassification] = "Enter a USML category such as XI(a)(3)."
	case r.Agency == AgencyCommerce && !eccnRE.MatchString(in.Classification):
		p[FieldClassification] = "Enter an ECCN such as 5A002 or 3A001.a.1, or EAR99."
	case r.Agency == AgencyCommerce:
		r.Classification = normalizeECCN(in.Classification)
	}

	r.Destination = in.Destination
	if !IsCountryCode(in.Destination) {
		p[FieldDestination] = "Enter the destination as a two-letter ISO 3166 country code, e.g. DE."
	}

	if v, ok := parseUSD(in.Value); ok {
		r.ValueUSD = v
	} else {
		p[FieldValue] = "Enter the value in whole US dollars, e.g. 1250000."
	}
}

// checkDates fills and checks the received date and the two due dates: the DoD due
// date from the agency's rule unless typed, the office due date from it.
func (in ReferralInput) checkDates(r *Referral, p map[string]string, rules Deadlines, today time.Time) {
	received, err := ParseDate(in.Received)
	switch {
	case in.Received == "":
		p[FieldReceived] = "Enter the date DoD received the referral."
	case err != nil:
		p[FieldReceived] = "Use a date like 2026-11-27."
	case received.After(today):
		p[FieldReceived] = "The received date cannot be in the future."
	case received.Before(today.AddDate(-MaxDateYears, 0, 0)):
		p[FieldReceived] = fmt.Sprintf("The received date must be within the last %d years.", MaxDateYears)
	}
	r.ReceivedOn = received

	if _, ok := p[FieldReceived]; !ok && r.Agency != "" {
		r.DoDDueDate = rules.DoDDueDate(string(r.Agency), received)
	}
	r.DoDDueDate = dueDate(p, FieldDoDDue, in.DoDDue, r.DoDDueDate, received, today)
	if !r.DoDDueDate.IsZero() {
		r.OfficeDueDate = rules.OfficeDueDate(r.DoDDueDate)
		if r.OfficeDueDate.Before(today) && in.OfficeDue == "" {
			r.OfficeDueDate = today
		}
	}
	r.OfficeDueDate = dueDate(p, FieldOfficeDue, in.OfficeDue, r.OfficeDueDate, received, today)
	if _, bad := p[FieldOfficeDue]; !bad && !r.OfficeDueDate.IsZero() && in.OfficeDue != "" {
		if msg := SuspenseProblem(r.OfficeDueDate, r.DoDDueDate, today); msg != "" {
			p[FieldOfficeDue] = msg
		}
	}
}

// MaxDateYears bounds every date the bot accepts: a received date no older than this
// many years, and due dates no later than this many years after it. A referral's
// clocks run in weeks; a date years away is a typing mistake, and unbounded dates
// would let one request cost seconds of business-day arithmetic.
const MaxDateYears = 2

// WithinDateBounds reports whether a due date d is within MaxDateYears of the
// referral's received date (any date passes when received is unknown).
func WithinDateBounds(d, received time.Time) bool {
	return received.IsZero() || !d.After(received.AddDate(MaxDateYears, 0, 0))
}

// MaxAlsoInvite bounds the people named on the form: more belong in an office.
const MaxAlsoInvite = 20

// checkAlsoInvite checks the people the analyst names to invite.
func (in ReferralInput) checkAlsoInvite(p map[string]string) []string {
	var out []string
	for _, u := range in.AlsoInvite {
		if u = strings.TrimSpace(u); u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	if len(out) > MaxAlsoInvite {
		p[FieldAlsoInvite] = fmt.Sprintf("Name at most %d people; ask their office instead.", MaxAlsoInvite)
	}
	return out
}

// checkOffices checks that every office asked is on the roster.
func (in ReferralInput) checkOffices(p map[string]string, roster *Roster) {
	// No office at all is allowed: DTSA closes low-concern cases without staffing them,
	// and the analyst records the recommendation directly.
	for _, code := range in.Offices {
		if _, ok := roster.Office(code); !ok {
			p[FieldOffices] = fmt.Sprintf("%q is not an office on the roster.", code)
		}
	}
}

// dueDate validates a typed due date, falling back to def when nothing was typed.
func dueDate(p map[string]string, field, typed string, def, received, today time.Time) time.Time {
	if typed == "" {
		return def
	}
	d, err := ParseDate(typed)
	switch {
	case err != nil:
		p[field] = "Use a date like 2026-12-24."
	case d.Before(today):
		p[field] = "A due date cannot be in the past."
	case !received.IsZero() && d.Before(received):
		p[field] = "A due date cannot be before the received date."
	case !WithinDateBounds(d, received):
		p[field] = fmt.Sprintf("A due date must be within %d years of the received date.", MaxDateYears)
	}
	return d
}

// checkText validates free text: required or not (required means some visible
// text), a length limit in characters, no control characters (newlines only where
// multiline) and no invisible formatting characters. Every free text the bot stores
// goes through it, so the append-only log never keeps what nobody can see.
func checkText(p map[string]string, field, s, what string, required bool, max int, multiline bool) string {
	n := utf8.RuneCountInString(s)
	switch {
	case required && s == "":
		p[field] = fmt.Sprintf("Enter %s.", what)
	case n > max:
		p[field] = fmt.Sprintf("Keep %s under %d characters (now %d).", what, max, n)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r'))
	}):
		p[field] = fmt.Sprintf("Remove the control characters from %s.", what)
	case strings.ContainsFunc(s, isFormatChar):
		p[field] = fmt.Sprintf("Remove the invisible formatting characters (such as right-to-left overrides, zero-width spaces or a byte-order mark) from %s: "+
			"they can make text read differently from what is stored.", what)
	case required && !strings.ContainsFunc(s, isVisible):
		p[field] = fmt.Sprintf("Enter %s: there is no visible text.", what)
	}
	return s
}

// isFormatChar reports the Unicode format characters (category Cf): bidi embeddings,
// overrides and isolates (U+202A-U+202E, U+2066-U+2069), zero-width spaces and
// joiners, word joiners and the byte-order mark.
func isFormatChar(r rune) bool { return unicode.Is(unicode.Cf, r) }

// isVisible reports a character that leaves a mark: not a space and not one of the
// graphic characters that render blank.
func isVisible(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u2800', '\u3164', '\uFFA0':
		return false
	}
	return unicode.IsGraphic(r) && !unicode.IsSpace(r)
}

func parseUSD(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), " ", ""), "$")
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v > MaxValueUSD {
		return 0, false
	}
	return v, true
}

// Deadlines computes default due dates.
type Deadlines interface {
	// DoDDueDate is when the DoD position is due back for a referral received then.
	DoDDueDate(agency string, received time.Time) time.Time
	// OfficeDueDate is the default internal suspense for the offices.
	OfficeDueDate(dodDue time.Time) time.Time
}

// normalizeECCN writes an ECCN the way BIS does: upper-case head, lower-case paragraphs.
func normalizeECCN(s string) string {
	head, tail, _ := strings.Cut(s, ".")
	if tail == "" {
		return strings.ToUpper(head)
	}
	return strings.ToUpper(head) + "." + strings.ToLower(tail)
}
