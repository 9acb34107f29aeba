package bot_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/referralbot/referralbot/bot"
)

// validChannelName is Slack's rule for channel names (SLACK.md).
var validChannelName = regexp.MustCompile(`^[a-z0-9_-]{1,80}$`)

func FuzzChannelName(f *testing.F) {
	for _, s := range []string{"Z123456", "050-123-456", "", "ÄÖ 12!!", strings.Repeat("A", 200), "--__--", "a\x00b", "ＺＺ１２"} {
		f.Add("state", s, 1)
		f.Add("commerce", s, 21)
	}
	f.Fuzz(func(t *testing.T, agency, caseNumber string, n int) {
		if agency != "state" && agency != "commerce" {
			agency = "state"
		}
		n = max(1, n%100)
		got := bot.ChannelName(bot.Agency(agency), caseNumber, n)
		if !validChannelName.MatchString(got) {
			t.Fatalf("ChannelName(%q, %q, %d) = %q: not a valid Slack channel name", agency, caseNumber, n, got)
		}
		if got2 := bot.ChannelName(bot.Agency(agency), caseNumber, n); got2 != got {
			t.Fatalf("not deterministic: %q then %q", got, got2)
		}
	})
}

// FuzzReferralInput: whatever is typed into the form, validation either yields a
// referral that keeps every rule, or names the fields to fix — never a panic.
func FuzzReferralInput(f *testing.F) {
	g := goodInput()
	f.Add(g.Agency, g.CaseNumber, g.LicenseType, g.Applicant, g.Commodity, g.Classification, g.Destination, g.Value, g.Received, "", "")
	f.Add("state", "050-123456", "DSP-5", "Acme", "Night vision", "XII(c)", "gb", "10", "2026-11-01", "2026-12-30", "2026-12-20")
	f.Add("", "", "", "", "", "", "", "", "", "", "")
	f.Add("commerce", "z1", "BIS-748P", strings.Repeat("x", 10000), "\x07", "EAR99", "XX", "-1", "2030-01-01", "yesterday", "2026-13-45")
	roster := &bot.Roster{Offices: bot.DefaultOffices()}
	f.Fuzz(func(t *testing.T, agency, cas, lt, applicant, commodity, class, dest, value, received, dodDue, officeDue string) {
		in := bot.ReferralInput{Agency: agency, CaseNumber: cas, LicenseType: lt, Applicant: applicant, Commodity: commodity,
			Classification: class, Destination: dest, Value: value, Received: received, DoDDue: dodDue, OfficeDue: officeDue,
			Offices: []string{"army"}}
		r, err := in.Referral(roster, rules(), today)
		if err != nil {
			var e *bot.Error
			if !asBotError(err, &e) || e.Code != bot.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("error %v: want EINVALID naming fields", err)
			}
			return
		}
		switch {
		case r.Agency != bot.AgencyState && r.Agency != bot.AgencyCommerce:
			t.Fatalf("agency %q accepted", r.Agency)
		case utf8.RuneCountInString(r.Applicant) > bot.MaxShortText || r.Applicant == "":
			t.Fatalf("applicant %q accepted", r.Applicant)
		case !bot.IsCountryCode(r.Destination):
			t.Fatalf("destination %q accepted", r.Destination)
		case r.ReceivedOn.After(today) || r.DoDDueDate.Before(r.ReceivedOn) || r.OfficeDueDate.After(r.DoDDueDate):
			t.Fatalf("dates out of order: received %v dod %v office %v", r.ReceivedOn, r.DoDDueDate, r.OfficeDueDate)
		case strings.ContainsFunc(r.Applicant+r.Commodity+r.CaseNumber, func(c rune) bool { return c < 0x20 }):
			t.Fatalf("control characters accepted: %q", r.Applicant+r.Commodity)
		case r.ValueUSD < 0:
			t.Fatalf("negative value accepted")
		}
	})
}

func FuzzPositionInput(f *testing.F) {
	f.Add("approve_with_provisos", "For stated end-use only\nNo reexport", "", "", "")
	f.Add("deny", "", "", "reasons", "")
	f.Add("rwa", "", "", "", "c")
	f.Add("bogus", "\x00", "\n\n", strings.Repeat("q", 5000), "\r")
	f.Fuzz(func(t *testing.T, outcome, provisos, questions, reasons, comment string) {
		in := bot.PositionInput{Outcome: bot.Outcome(outcome), Provisos: provisos, Questions: questions, Reasons: reasons, Comment: comment}
		p, err := in.Position()
		if err != nil {
			if bot.ErrorCode(err) != bot.EINVALID {
				t.Fatalf("error %v: want EINVALID", err)
			}
			return
		}
		switch p.Outcome {
		case bot.OutcomeApproveWithProvisos:
			if len(p.Provisos) == 0 || len(p.Provisos) > bot.MaxProvisos {
				t.Fatalf("%d provisos accepted", len(p.Provisos))
			}
			for _, pr := range p.Provisos {
				if pr.Text == "" || utf8.RuneCountInString(pr.Text) > bot.MaxProvisoLen || strings.Contains(pr.Text, "\n") {
					t.Fatalf("proviso %q accepted", pr.Text)
				}
			}
		case bot.OutcomeRWA:
			if strings.TrimSpace(p.Questions) == "" {
				t.Fatal("RWA without questions accepted")
			}
		case bot.OutcomeDeny:
			if strings.TrimSpace(p.Reasons) == "" {
				t.Fatal("deny without reasons accepted")
			}
		case bot.OutcomeApprove:
		default:
			t.Fatalf("outcome %q accepted", p.Outcome)
		}
	})
}

func FuzzParseAnswerValue(f *testing.F) {
	for _, s := range []string{"12:0", "1:3", "", ":", "x:1", "1:-1", "99999999999999999999:1", "1:2:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		id, seen, err := bot.ParseAnswerValue(v)
		if err != nil {
			return
		}
		if seen < 0 {
			t.Fatalf("ParseAnswerValue(%q) seen = %d", v, seen)
		}
		a := &bot.Ask{ID: id}
		if seen > 0 {
			a.Current = &bot.Position{Version: seen}
		}
		if id2, seen2, err := bot.ParseAnswerValue(bot.AnswerValue(a)); err != nil || id2 != id || seen2 != seen {
			t.Fatalf("round trip of %q: %d %d %v", v, id2, seen2, err)
		}
	})
}
