package bot

import (
	"reflect"
	"testing"
)

// An amendment carries each office proviso's fate: kept words keep it, words the
// amendment leaves out are dropped with its reason, new words are DTSA's own.
func TestCarryFates(t *testing.T) {
	cur := &Recommendation{Treatments: []Treatment{
		{OfficeCode: "army", Number: 1, OfficeText: "End use only", Fate: FateKept, Code: "BIS-1"},
		{OfficeCode: "army", Number: 2, OfficeText: "No reexport", Fate: FateModified, DTSAText: "No reexport without written approval", Code: "BIS-2"},
		{OfficeCode: "navy", Number: 1, OfficeText: "Quarterly reports", Fate: FateDropped, Reason: "covered"},
		{OfficeCode: "navy", Number: 2, OfficeText: "Brief the crew", Fate: FateKept, Code: "NAV-9"},
	}}
	lines := []Proviso{
		{OfficeCode: OfficeDTSA, Text: "No reexport without written approval"},
		{OfficeCode: OfficeDTSA, Text: "End use only"},
		{OfficeCode: OfficeDTSA, Text: "Brief the crew in writing"}, // edited: DTSA's words now
	}
	provisos, treatments := carryFates(cur, lines, "the applicant withdrew the crew")
	wantProvisos := []Proviso{
		{OfficeCode: "army", Text: "End use only", Code: "BIS-1"},          // kept: the library's words, with its code
		{OfficeCode: "army", Text: "No reexport without written approval"}, // modified: DTSA's words; the fate keeps the code
		{OfficeCode: OfficeDTSA, Text: "Brief the crew in writing"},
	}
	if !reflect.DeepEqual(provisos, wantProvisos) {
		t.Errorf("provisos = %+v\nwant %+v", provisos, wantProvisos)
	}
	wantTreatments := []Treatment{
		cur.Treatments[0], cur.Treatments[1], cur.Treatments[2],
		{OfficeCode: "navy", Number: 2, OfficeText: "Brief the crew", Fate: FateDropped, Reason: "the applicant withdrew the crew", Code: "NAV-9"},
	}
	if !reflect.DeepEqual(treatments, wantTreatments) {
		t.Errorf("treatments = %+v\nwant %+v", treatments, wantTreatments)
	}

	// Before fates were kept: unchanged words are credited to their office.
	old := &Recommendation{Provisos: []Proviso{{OfficeCode: "army", Text: "End use only", Code: "BIS-1"}}}
	provisos, treatments = carryFates(old, []Proviso{{OfficeCode: OfficeDTSA, Text: "End use only"}, {OfficeCode: OfficeDTSA, Text: "New"}}, "r")
	if provisos[0].OfficeCode != "army" || provisos[0].Code != "BIS-1" || provisos[1].OfficeCode != OfficeDTSA || provisos[1].Code != "" || treatments != nil {
		t.Errorf("legacy carry = %+v, %+v; want army's words credited to army, new ones to DTSA, no treatments", provisos, treatments)
	}
}
