package handlers

import "testing"

func TestLooksLikeCase(t *testing.T) {
	for arg, want := range map[string]bool{
		"Z123456":          true,
		"z123456":          true,
		"050123456":        true,
		"05-0123456":       true,
		"commerce:Z123456": true,
		"State:050123456":  true,
		"army":             false, // an office
		"all":              false,
		"dod":              false,
		"json":             false, // an export format
		"2026-12-18":       false, // a date (extend)
		"<@U123|sam>":      false, // a person (reassign)
		"Z12":              false, // too short
		"waiting":          false, // a reason's first word
		"nonsense:Z123456": false,
		"ARMY2":            true, // an office code with a digit reads as a case; in its channel it falls back
	} {
		if got := looksLikeCase(arg); got != want {
			t.Errorf("looksLikeCase(%q) = %v; want %v", arg, got, want)
		}
	}
}
