package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
)

var today = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func rules() bot.Deadlines {
	return deadline.NewRules(nil, deadline.Defaults{})
}

func goodInput() bot.ReferralInput {
	return bot.ReferralInput{
		Agency: "commerce", CaseNumber: "z123456", LicenseType: "BIS-748P", Applicant: "Acme Photonics Inc.",
		Commodity: "Thermal imaging cameras", Classification: "6a003.b.4", Destination: "de", EndUser: "Bundeswehr",
		Value: "$1,250,000", Received: "2026-11-20", Offices: []string{"army", "navy"},
	}
}

func TestReferralInputGood(t *testing.T) {
	r, err := goodInput().Referral(&bot.Roster{Offices: bot.DefaultOffices()}, rules(), today)
	if err != nil {
		t.Fatalf("Referral() error = %v", err)
	}
	checks := []struct{ name, got, want string }{
		{"case", r.CaseNumber, "Z123456"},
		{"classification", r.Classification, "6A003.b.4"},
		{"destination", r.Destination, "DE"},
		// Commerce: received + 30 calendar days (EO 12981).
		{"dod due", bot.FormatDate(r.DoDDueDate), "2026-12-20"},
		// 2026-12-20 is a Sunday: back to Friday 12-18, then 5 business days.
		{"office due", bot.FormatDate(r.OfficeDueDate), "2026-12-11"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q; want %q", c.name, c.got, c.want)
		}
	}
	if r.ValueUSD != 1250000 {
		t.Errorf("value = %d; want 1250000", r.ValueUSD)
	}
	// The USXPORTS reference is optional, trimmed and upper-cased.
	for typed, want := range map[string]string{"": "", " dtsa-2026-004512 ": "DTSA-2026-004512", "US/2026.77": "US/2026.77"} {
		in := goodInput()
		in.USXPORTSRef = typed
		if r, err := in.Referral(&bot.Roster{Offices: bot.DefaultOffices()}, rules(), today); err != nil || r.USXPORTSRef != want {
			t.Errorf("USXPORTS %q = %v, %v; want %q", typed, r, err, want)
		}
	}
}

func TestReferralInputBad(t *testing.T) {
	roster := &bot.Roster{Offices: bot.DefaultOffices()}
	long := strings.Repeat("x", 10000)
	tests := []struct {
		name  string
		edit  func(*bot.ReferralInput)
		field string
		want  string // a fragment of the message
	}{
		{"no agency", func(in *bot.ReferralInput) { in.Agency = "" }, bot.FieldAgency, "Choose State or Commerce"},
		{"unknown agency", func(in *bot.ReferralInput) { in.Agency = "treasury" }, bot.FieldAgency, "not an agency"},
		{"empty case", func(in *bot.ReferralInput) { in.CaseNumber = " " }, bot.FieldCaseNumber, "Enter the case number"},
		{"commerce case format", func(in *bot.ReferralInput) { in.CaseNumber = "12345678" }, bot.FieldCaseNumber, "one letter and six digits"},
		{"state case format", func(in *bot.ReferralInput) {
			in.Agency, in.LicenseType, in.Classification, in.CaseNumber = "state", "DSP-5", "XI(a)(3)", "AB"
		}, bot.FieldCaseNumber, "4-20"},
		{"license type of other agency", func(in *bot.ReferralInput) { in.LicenseType = "DSP-5" }, bot.FieldLicenseType, "not a Commerce (BIS) license type"},
		{"classified license (State)", func(in *bot.ReferralInput) {
			in.Agency, in.LicenseType, in.CaseNumber, in.Classification = "state", "DSP-85", "050123456", "XI(a)(3)"
		}, bot.FieldLicenseType, "classified material must not be discussed in this workspace"},
		{"classified license (Commerce)", func(in *bot.ReferralInput) { in.LicenseType = " dsp-85" }, bot.FieldLicenseType, "DSP-85 is the license for classified exports"},
		{"applicant empty", func(in *bot.ReferralInput) { in.Applicant = "" }, bot.FieldApplicant, "Enter the applicant"},
		{"applicant 10000 chars", func(in *bot.ReferralInput) { in.Applicant = long }, bot.FieldApplicant, "under 200"},
		{"applicant control chars", func(in *bot.ReferralInput) { in.Applicant = "Acme\x07Corp" }, bot.FieldApplicant, "control characters"},
		{"applicant right-to-left override", func(in *bot.ReferralInput) { in.Applicant = "Acme \u202eCorp" }, bot.FieldApplicant, "invisible formatting"},
		{"applicant zero-width space only", func(in *bot.ReferralInput) { in.Applicant = "\u200b" }, bot.FieldApplicant, "invisible formatting"},
		{"applicant byte-order mark", func(in *bot.ReferralInput) { in.Applicant = "\ufeffAcme" }, bot.FieldApplicant, "invisible formatting"},
		{"applicant blank filler only", func(in *bot.ReferralInput) { in.Applicant = "\u3164\u2800" }, bot.FieldApplicant, "no visible text"},
		{"state case all dashes", stateCase("----"), bot.FieldCaseNumber, "no dash at either end"},
		{"state case leading dash", stateCase("-0501"), bot.FieldCaseNumber, "no dash at either end"},
		{"state case trailing dash", stateCase("0501-"), bot.FieldCaseNumber, "no dash at either end"},
		{"state case doubled dash", stateCase("05--01"), bot.FieldCaseNumber, "no two dashes together"},
		{"state case too long", stateCase("0501-0501-0501-0501-0"), bot.FieldCaseNumber, "4-20"},
		{"received more than 2 years ago", func(in *bot.ReferralInput) { in.Received = "2024-11-26" }, bot.FieldReceived, "within the last 2 years"},
		{"dod due far future", func(in *bot.ReferralInput) { in.DoDDue = "9999-12-31" }, bot.FieldDoDDue, "within 2 years of the received date"},
		{"office due far future", func(in *bot.ReferralInput) { in.OfficeDue = "2028-11-21" }, bot.FieldOfficeDue, "within 2 years of the received date"},
		{"commodity too long", func(in *bot.ReferralInput) { in.Commodity = long }, bot.FieldCommodity, "under 500"},
		{"bad ECCN", func(in *bot.ReferralInput) { in.Classification = "XI(a)" }, bot.FieldClassification, "ECCN"},
		{"bad USML", func(in *bot.ReferralInput) {
			in.Agency, in.LicenseType, in.CaseNumber, in.Classification = "state", "DSP-5", "050123456", "5A002"
		}, bot.FieldClassification, "USML"},
		{"unknown country", func(in *bot.ReferralInput) { in.Destination = "XX" }, bot.FieldDestination, "ISO 3166"},
		{"value words", func(in *bot.ReferralInput) { in.Value = "a lot" }, bot.FieldValue, "whole US dollars"},
		{"value negative", func(in *bot.ReferralInput) { in.Value = "-5" }, bot.FieldValue, "whole US dollars"},
		{"received future", func(in *bot.ReferralInput) { in.Received = "2026-12-01" }, bot.FieldReceived, "future"},
		{"received malformed", func(in *bot.ReferralInput) { in.Received = "27/11/2026" }, bot.FieldReceived, "2026-11-27"},
		{"dod due past", func(in *bot.ReferralInput) { in.DoDDue = "2026-11-01" }, bot.FieldDoDDue, "past"},
		{"office due after dod due", func(in *bot.ReferralInput) { in.DoDDue, in.OfficeDue = "2026-12-10", "2026-12-11" }, bot.FieldOfficeDue, "cannot fall after the DoD due date"},
		{"too many to invite", func(in *bot.ReferralInput) {
			for i := range bot.MaxAlsoInvite + 1 {
				in.AlsoInvite = append(in.AlsoInvite, fmt.Sprintf("U%03d", i))
			}
		}, bot.FieldAlsoInvite, "at most"},
		{"unknown office", func(in *bot.ReferralInput) { in.Offices = []string{"army", "coast_guard"} }, bot.FieldOffices, "not an office"},
		{"USXPORTS with a space", func(in *bot.ReferralInput) { in.USXPORTSRef = "DTSA 2026 4512" }, bot.FieldUSXPORTS, "3-30 letters and digits"},
		{"USXPORTS too short", func(in *bot.ReferralInput) { in.USXPORTSRef = "D1" }, bot.FieldUSXPORTS, "e.g. DTSA-2026-004512"},
		{"USXPORTS too long", func(in *bot.ReferralInput) { in.USXPORTSRef = strings.Repeat("A", 31) }, bot.FieldUSXPORTS, "3-30"},
		{"USXPORTS dangling dash", func(in *bot.ReferralInput) { in.USXPORTSRef = "DTSA-2026-" }, bot.FieldUSXPORTS, "between them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goodInput()
			tt.edit(&in)
			_, err := in.Referral(roster, rules(), today)
			var e *bot.Error
			if !asBotError(err, &e) || e.Code != bot.EINVALID {
				t.Fatalf("err = %v; want EINVALID", err)
			}
			if got := e.Fields[tt.field]; !strings.Contains(got, tt.want) {
				t.Errorf("Fields[%s] = %q; want it to contain %q (all: %v)", tt.field, got, tt.want, e.Fields)
			}
		})
	}
}

// stateCase makes the input a State referral with the case number given.
func stateCase(c string) func(*bot.ReferralInput) {
	return func(in *bot.ReferralInput) {
		in.Agency, in.LicenseType, in.Classification, in.CaseNumber = "state", "DSP-5", "XI(a)(3)", c
	}
}

func TestPositionInput(t *testing.T) {
	tests := []struct {
		name  string
		in    bot.PositionInput
		field string // "" means valid
	}{
		{"approve", bot.PositionInput{Outcome: bot.OutcomeApprove}, ""},
		{"provisos required", bot.PositionInput{Outcome: bot.OutcomeApproveWithProvisos, Provisos: " \n "}, bot.FieldProvisos},
		{"provisos ok", bot.PositionInput{Outcome: bot.OutcomeApproveWithProvisos, Provisos: "• For stated end-use only\n- No reexport"}, ""},
		{"proviso too long", bot.PositionInput{Outcome: bot.OutcomeApproveWithProvisos, Provisos: strings.Repeat("p", 281)}, bot.FieldProvisos},
		{"too many provisos", bot.PositionInput{Outcome: bot.OutcomeApproveWithProvisos, Provisos: strings.Repeat("p\n", 11)}, bot.FieldProvisos},
		{"rwa needs questions", bot.PositionInput{Outcome: bot.OutcomeRWA}, bot.FieldQuestions},
		{"deny needs reasons", bot.PositionInput{Outcome: bot.OutcomeDeny, Reasons: "  "}, bot.FieldReasons},
		{"deny reasons 10000 chars", bot.PositionInput{Outcome: bot.OutcomeDeny, Reasons: strings.Repeat("r", 10000)}, bot.FieldReasons},
		{"comment control chars", bot.PositionInput{Outcome: bot.OutcomeApprove, Comment: "ok\x00"}, bot.FieldComment},
		{"questions bidi isolate", bot.PositionInput{Outcome: bot.OutcomeRWA, Questions: "What end use?\u2067"}, bot.FieldQuestions},
		{"reasons zero-width joiner only", bot.PositionInput{Outcome: bot.OutcomeDeny, Reasons: "\u200d\u200d"}, bot.FieldReasons},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.in.Position()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Position() error = %v; want none", err)
				}
				if tt.in.Outcome == bot.OutcomeApproveWithProvisos && len(p.Provisos) != 2 {
					t.Errorf("provisos = %v; want 2 with bullets stripped", p.Provisos)
				}
				return
			}
			var e *bot.Error
			if !asBotError(err, &e) || e.Fields[tt.field] == "" {
				t.Fatalf("err = %v; want a problem on %s", err, tt.field)
			}
		})
	}
}

func TestChannelName(t *testing.T) {
	tests := []struct {
		agency bot.Agency
		cas    string
		n      int
		want   string
	}{
		{bot.AgencyCommerce, "Z123456", 1, "ref-commerce-z123456"},
		{bot.AgencyState, "050-123-456", 1, "ref-state-050-123-456"},
		{bot.AgencyState, "AB--CD", 3, "ref-state-ab-cd-3"},
		{bot.AgencyState, "ÄÖ 12!!", 1, "ref-state-12"},
		{bot.AgencyState, strings.Repeat("A", 200), 12, "ref-state-" + strings.Repeat("a", 80-len("ref-state-")-3) + "-12"},
	}
	for _, tt := range tests {
		if got := bot.ChannelName(tt.agency, tt.cas, tt.n); got != tt.want {
			t.Errorf("ChannelName(%s, %q, %d) = %q; want %q", tt.agency, tt.cas, tt.n, got, tt.want)
		}
		if got := bot.ChannelName(tt.agency, tt.cas, tt.n); len(got) > bot.MaxChannelName {
			t.Errorf("ChannelName too long: %d", len(got))
		}
	}
}

func TestDissent(t *testing.T) {
	ask := func(office string, o bot.Outcome) *bot.Ask {
		a := &bot.Ask{OfficeCode: office}
		if o != "" {
			a.Current = &bot.Position{Outcome: o}
		}
		return a
	}
	asks := []*bot.Ask{
		ask("army", bot.OutcomeApprove), ask("navy", bot.OutcomeApproveWithProvisos),
		ask("policy", bot.OutcomeDeny), ask("joint_staff", bot.OutcomeRWA), ask("infosec", ""),
	}
	tests := []struct {
		o    bot.Outcome
		want string
	}{
		{bot.OutcomeApproveWithProvisos, "policy,joint_staff"},
		{bot.OutcomeApprove, "policy,joint_staff"},
		{bot.OutcomeDeny, "army,navy,joint_staff"},
		{bot.OutcomeRWA, "army,navy,policy"},
	}
	for _, tt := range tests {
		if got := strings.Join(bot.Dissent(tt.o, asks), ","); got != tt.want {
			t.Errorf("Dissent(%s) = %s; want %s", tt.o, got, tt.want)
		}
	}
}
