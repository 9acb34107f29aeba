package importfile_test

import (
	"errors"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/importfile"
)

func TestParseRefusesUnreadableFiles(t *testing.T) {
	tests := []struct {
		name   string
		format importfile.Format
		data   string
		want   string
	}{
		{"json array", importfile.JSON, `[{"agency": "state"}]`, `line 1: the file must be one JSON object {"referrals": [ … ]}`},
		{"json syntax", importfile.JSON, "{\"referrals\": [\n  {\"agency\": \"state\",}\n]}", "line 2: not valid JSON: invalid character '}' looking for beginning of object key string"},
		{"json truncated", importfile.JSON, "{\"referrals\": [\n  {}", "line 2: not valid JSON: the file ends too soon"},
		{"json other key", importfile.JSON, `{"rows": []}`, `line 1: the file must be one JSON object {"referrals": [ … ]}: unexpected key "rows"`},
		{"json no referrals", importfile.JSON, `{"referrals": []}`, "the file holds no referrals"},
		{"json no key", importfile.JSON, `{}`, `line 1: the file must be one JSON object {"referrals": [ … ]}: "referrals" is missing`},
		{"json trailing", importfile.JSON, `{"referrals": [{}]} {}`, `line 1: the file must be one JSON object {"referrals": [ … ]}: there is more after it`},
		{"csv empty", importfile.CSV, "", "the file holds no referrals"},
		{"csv header only", importfile.CSV, "agency,case_number\n", "the file holds no referrals"},
		{"csv unknown column", importfile.CSV, "agency,case,analyst\nstate,1234,U1\n", "line 1: case: column 2 of the header is not a field; the fields are analyst, agency, case_number, license_type, applicant, commodity, classification, destination, end_user, value, received, dod_due, office_due, offices, usxports_ref, re_referral"},
		{"csv repeated column", importfile.CSV, "agency,Agency\nstate,state\n", "line 1: agency: the header names this column twice"},
		{"csv stray quote", importfile.CSV, "agency,case_number\nstate,12\"34\n", `line 2: not valid CSV: bare " in non-quoted-field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importfile.Parse([]byte(tt.data), tt.format)
			var ie *bot.ImportError
			if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].String() != tt.want {
				t.Errorf("Parse(%q) = %v; want the problem %q", tt.data, err, tt.want)
			}
		})
	}
	if _, err := importfile.Parse([]byte("{}"), "xml"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("unknown format: err = %v; want EINVALID", err)
	}
}

// TestParseUSXPORTSColumn: a CSV file may carry the optional USXPORTS reference
// in a column of its own, read as typed (the bot checks and upper-cases it).
func TestParseUSXPORTSColumn(t *testing.T) {
	rows, err := importfile.Parse([]byte("agency,case_number,usxports_ref\ncommerce,Z123456,dtsa-2026-004512\nstate,050123456,\n"), importfile.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Input.USXPORTSRef != "dtsa-2026-004512" || rows[1].Input.USXPORTSRef != "" {
		t.Errorf("rows = %+v; want the reference on row 1 only", rows)
	}
}
