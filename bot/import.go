package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// FieldAnalyst is the import field naming the referral's analyst (a Slack user id).
// The modal has no such field: there the analyst is whoever submits it.
const FieldAnalyst = "analyst"

// ImportFields lists the fields of an import row in the order problems are reported.
var ImportFields = []string{
	FieldAnalyst, FieldAgency, FieldCaseNumber, FieldLicenseType, FieldApplicant, FieldCommodity,
	FieldClassification, FieldDestination, FieldEndUser, FieldValue, FieldReceived, FieldDoDDue,
	FieldOfficeDue, FieldOffices, FieldUSXPORTS, FieldReReferral,
}

// ImportRow is one referral read from an import (package bot/importfile reads
// them): what an analyst would type into the New referral modal, and which analyst owns it.
type ImportRow struct {
	Row     int    // 1-based position among the import's referrals
	Line    int    // line of the file where the row starts
	Analyst string // Slack user id of the owning analyst
	Input   ReferralInput

	// Problems are what could not be read (an unknown field, a list where text
	// belongs); they are reported with the validation problems of the row.
	Problems []ImportProblem
	// Unreadable rows (not a JSON object) are not validated: every field would be missing.
	Unreadable bool
}

// ImportProblem is one reason an import was refused.
type ImportProblem struct {
	Row     int    `json:"row"`             // 1-based row among the referrals; 0 for the file as a whole
	Line    int    `json:"line,omitempty"`  // line of the file, when known
	Field   string `json:"field,omitempty"` // the field (column) at fault, if one is
	Message string `json:"message"`
}

// String renders the problem for a terminal: `row 2 (line 3): case_number: …`.
func (p ImportProblem) String() string {
	var b strings.Builder
	switch {
	case p.Row > 0 && p.Line > 0:
		fmt.Fprintf(&b, "row %d (line %d): ", p.Row, p.Line)
	case p.Row > 0:
		fmt.Fprintf(&b, "row %d: ", p.Row)
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ImportError is returned by importfile.Parse, CheckImport and Import when an import is
// refused. It lists every problem found, and nothing was written.
type ImportError struct {
	Problems []ImportProblem
}

func (e *ImportError) Error() string {
	rows := map[int]bool{}
	for _, p := range e.Problems {
		rows[p.Row] = true
	}
	if rows[0] {
		return fmt.Sprintf("import refused, nothing imported: %s", e.Problems[0])
	}
	return fmt.Sprintf("import refused, nothing imported: %d problem(s) in %d row(s)", len(e.Problems), len(rows))
}

// Unwrap makes an ImportError an EINVALID error for ErrorCode.
func (e *ImportError) Unwrap() error {
	return &Error{Code: EINVALID, Message: "the import has problems; nothing was imported"}
}

// ImportStatus is what an import did, or would do, with one row.
type ImportStatus string

// Import statuses.
const (
	ImportOpened    ImportStatus = "opened"     // the referral was opened; the bot creates its channel
	ImportUnchanged ImportStatus = "unchanged"  // agency + case number were already in the bot; nothing changed
	ImportWouldOpen ImportStatus = "would_open" // a dry run found the row good
	ImportFailed    ImportStatus = "failed"     // writing it failed; run the import again
)

// ImportResult is the outcome of one row.
type ImportResult struct {
	Row        int          `json:"row"`
	Agency     Agency       `json:"agency"`
	CaseNumber string       `json:"case_number"`
	Status     ImportStatus `json:"status"`
	ReferralID int64        `json:"referral_id,omitempty"`
	Message    string       `json:"message"`
}

// String renders the result as one line: `Z123456: already open, unchanged`.
func (r ImportResult) String() string { return r.CaseNumber + ": " + r.Message }

// importKey is the open key of an imported referral: opening is idempotent on
// agency + case number, whoever imports it and however often.
func importKey(agency Agency, caseNumber string) string {
	return "import:" + string(agency) + ":" + caseNumber
}

// rowKey is the open key of an imported row. A re-referral (a later round) adds
// how and when it came back, so that importing the same file again finds the
// round it opened instead of opening yet another.
func rowKey(in *ReferralInput) string {
	key := importKey(Agency(in.Agency), in.CaseNumber)
	if in.ReReferral != "" {
		key += ":" + in.ReReferral + ":" + in.Received
	}
	return key
}

// CheckImport is the dry run of Import: it checks every row as the New referral
// modal would, and what only an import can get wrong (the analyst, an office listed
// twice, a case twice in one import), and writes nothing. A row whose agency and
// case number are already in the bot is unchanged and not checked further: the
// bot's record wins, and importing an old file again stays harmless after its due
// dates have passed. It returns an *ImportError listing every problem, or what
// Import would do with each row.
func (s *Service) CheckImport(ctx context.Context, rows []ImportRow) ([]ImportResult, error) {
	results, _, err := s.checkImport(ctx, rows)
	return results, err
}

// checkImport returns the results of the dry run and the rows to open, normalized
// and with their offices filled in.
func (s *Service) checkImport(ctx context.Context, rows []ImportRow) ([]ImportResult, []ImportRow, error) {
	var problems []ImportProblem
	results := make([]ImportResult, len(rows))
	rows = slices.Clone(rows)
	firstRow := map[string]int{} // agency + case → the row that named it first
	today := s.Today()
	for i := range rows {
		row := &rows[i]
		row.Input.Normalize()
		row.Analyst = strings.TrimSpace(row.Analyst)
		in := &row.Input
		agency := Agency(in.Agency)
		results[i] = ImportResult{Row: row.Row, Agency: agency, CaseNumber: in.CaseNumber}
		bad := map[string]string{}
		for _, p := range row.Problems {
			problems = append(problems, p)
			bad[p.Field] = p.Message
		}
		if row.Unreadable {
			continue
		}
		key := importKey(agency, in.CaseNumber)
		if in.CaseNumber != "" {
			if first, dup := firstRow[key]; dup {
				bad[FieldCaseNumber] = fmt.Sprintf("%s case %s is also in row %d; each referral may appear once.", agency.Label(), in.CaseNumber, first)
				problems = append(problems, ImportProblem{Row: row.Row, Line: row.Line, Field: FieldCaseNumber, Message: bad[FieldCaseNumber]})
				continue
			}
			firstRow[key] = row.Row
		}
		// An unknown re_referral is reported by checkRow, as the form would.
		knownKind := in.ReReferral == "" || in.ReReferral == ReReferralResubmission || in.ReReferral == ReReferralAmendment
		if (agency == AgencyState || agency == AgencyCommerce) && knownKind {
			existing, err := s.store.ReferralByCase(ctx, agency, in.CaseNumber)
			switch {
			case err == nil && (in.ReReferral == "" || existing.OpenKey == rowKey(in)):
				results[i] = unchanged(results[i], existing)
				continue
			case err == nil:
				// A re-referral: the case's latest round must have its final recommendation.
				r := &Referral{Agency: agency, CaseNumber: in.CaseNumber, ReReferral: in.ReReferral}
				if err := nextRound(r, existing); err != nil {
					for f, msg := range err.(*Error).Fields {
						problems = append(problems, ImportProblem{Row: row.Row, Line: row.Line, Field: f, Message: msg})
					}
					continue
				}
			case ErrorCode(err) != ENOTFOUND:
				return nil, nil, fmt.Errorf("check import row %d: %w", row.Row, err)
			case in.ReReferral != "":
				bad[FieldReReferral] = noEarlierRound(&Referral{Agency: agency, CaseNumber: in.CaseNumber}).(*Error).Fields[FieldReReferral]
				problems = append(problems, ImportProblem{Row: row.Row, Line: row.Line, Field: FieldReReferral, Message: bad[FieldReReferral]})
			}
		}
		p := s.checkRow(row, today)
		for _, f := range ImportFields {
			if msg, ok := p[f]; ok && bad[f] == "" {
				problems = append(problems, ImportProblem{Row: row.Row, Line: row.Line, Field: f, Message: msg})
			}
		}
		results[i].Status = ImportWouldOpen
		results[i].Message = fmt.Sprintf("good; would open it and ask %d office(s)", len(in.Offices)) + staffedNote(s.roster, in)
	}
	if len(problems) > 0 {
		return nil, nil, &ImportError{Problems: problems}
	}
	return results, rows, nil
}

// checkRow validates a new referral's row without writing, filling in the
// default offices, and returns its problems by field.
func (s *Service) checkRow(row *ImportRow, today time.Time) map[string]string {
	p := map[string]string{}
	switch {
	case row.Analyst == "":
		p[FieldAnalyst] = "Name the analyst who owns the referral, as a Slack user id such as U0123ABCD."
	case !s.roster.IsAnalyst(row.Analyst):
		p[FieldAnalyst] = fmt.Sprintf("%s is not an analyst on the roster.", row.Analyst)
	}
	in := &row.Input
	in.Offices = slices.Clone(in.Offices) // the caller's rows stay as they were
	for i, code := range in.Offices {
		in.Offices[i] = strings.ToLower(strings.TrimSpace(code))
	}
	if len(in.Offices) == 0 {
		s.staffRow(in)
	}
	for i, code := range in.Offices {
		if slices.Contains(in.Offices[:i], code) {
			p[FieldOffices] = fmt.Sprintf("%q is listed twice.", code)
		}
	}
	var invalid *Error
	if _, err := in.Referral(s.roster, s.rules, today); errors.As(err, &invalid) {
		for f, msg := range invalid.Fields {
			if _, ok := p[f]; !ok {
				p[f] = msg
			}
		}
	}
	return p
}

// unchanged is the result for a referral already in the bot.
func unchanged(r ImportResult, existing *Referral) ImportResult {
	r.Status, r.ReferralID = ImportUnchanged, existing.ID
	r.Message = "already open, unchanged"
	if existing.State == ReferralRecommended {
		r.Message = "already recommended, unchanged"
	}
	return r
}

// Import opens the referrals of an import, each as /referral new would (the
// referral, its asks and the job that creates its channel), when every row passes
// CheckImport, and opens none otherwise: the error is then an *ImportError listing
// every problem. A row already in the bot is reported unchanged. Rows are opened
// one transaction each: should writing fail part-way, the error says how many were
// not written, the results say which, and running the same import again opens the
// rest and leaves the others unchanged.
func (s *Service) Import(ctx context.Context, rows []ImportRow) ([]ImportResult, error) {
	results, rows, err := s.checkImport(ctx, rows)
	if err != nil {
		return nil, err
	}
	var failed []error
	for i, row := range rows {
		if results[i].Status != ImportWouldOpen {
			continue
		}
		res := &results[i]
		r, err := s.OpenReferral(ctx, row.Analyst, row.Input, rowKey(&row.Input))
		if err != nil {
			// Opened meanwhile (the modal, another import): the bot's record wins.
			if existing, lerr := s.store.ReferralByCase(ctx, res.Agency, res.CaseNumber); lerr == nil && (row.Input.ReReferral == "" || existing.OpenKey == rowKey(&row.Input)) {
				*res = unchanged(*res, existing)
				continue
			}
			res.Status, res.Message = ImportFailed, "not imported: "+importFailure(err)
			failed = append(failed, fmt.Errorf("row %d: %w", row.Row, err))
			continue
		}
		res.Status, res.ReferralID = ImportOpened, r.ID
		res.Message = fmt.Sprintf("opened, asking %d office(s)%s; the bot creates #%s", len(row.Input.Offices), staffedNote(s.roster, &row.Input), r.ChannelName)
		if r.Round > 1 {
			res.Message = fmt.Sprintf("opened as round %d (%s), asking %d office(s) again; the bot creates #%s",
				r.Round, strings.ToLower(ReReferralLabel(r.ReReferral)), len(row.Input.Offices), r.ChannelName)
		}
	}
	if len(failed) > 0 {
		return results, fmt.Errorf("import: %d of %d referral(s) not written: %w", len(failed), len(rows), errors.Join(failed...))
	}
	return results, nil
}

// importFailure says why a row that passed the dry run was not opened after all
// (a due date that turned past at midnight, a database error), without internals.
func importFailure(err error) string {
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		var parts []string
		for _, f := range ImportFields {
			if msg, ok := e.Fields[f]; ok {
				parts = append(parts, f+": "+msg)
			}
		}
		return strings.Join(parts, " ")
	}
	return ErrorMessage(err)
}
