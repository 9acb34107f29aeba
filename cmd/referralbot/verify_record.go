package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/referralbot/referralbot/bot/record"
)

// verifyRecord checks an exported JSON record on its own: referralbot verify --record FILE.
// A file that cannot be read as a record is a usage error (exit 2); a record
// that does not hold is an error (exit 1).
func verifyRecord(path string, stdout io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: verify --record: %v", errUsage, err)
	}
	var d record.Document
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&d); err != nil {
		return fmt.Errorf("%w: verify --record: %s is not a JSON record: %v", errUsage, path, err)
	}
	if d.Schema != record.Schema {
		return fmt.Errorf("%w: verify --record: %s has schema %q; this version checks %s records", errUsage, path, d.Schema, record.Schema)
	}
	c := record.Verify(&d)
	what := fmt.Sprintf("%s case %s", d.Referral.AgencyName, d.Referral.CaseNumber)
	if c.Break != nil {
		return fmt.Errorf("record of %s broken at %s (the %d events before it hold)", what, c.Break, c.Events)
	}
	fmt.Fprintf(stdout, "record of %s: %d events, chain intact; %d facts match their events\n", what, c.Events, c.Facts)
	if len(c.Unsealed) > 0 {
		fmt.Fprintf(stdout, "recorded before facts were sealed, so not checked: %s\n", strings.Join(c.Unsealed, "; "))
	}
	if c.HeadID > 0 {
		fmt.Fprintf(stdout, "event #%d is its newest; its hash is %s (a record cut short at the end still holds on its own: compare this with the record as uploaded, or a fresh export)\n", c.HeadID, c.HeadHash)
	}
	return nil
}
