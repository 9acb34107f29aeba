package bot

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// legalForms are the words of a company's legal form, dropped from the end of a
// name so that "Acme Inc." and "ACME, LLC" are one applicant. They are compared
// after punctuation is gone, so "S.A." is "sa" and "L.L.C." is "llc". No
// maintained Go library does this (see README, "Precedents"), hence this list.
var legalForms = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "llp": true, "lp": true, "ltd": true, "limited": true,
	"corp": true, "corporation": true, "co": true, "company": true, "plc": true, "pty": true, "pvt": true,
	"gmbh": true, "ag": true, "kg": true, "ohg": true, "ug": true, "se": true,
	"sa": true, "sas": true, "sarl": true, "srl": true, "spa": true, "sl": true, "cv": true, "de": true,
	"bv": true, "nv": true, "ab": true, "as": true, "asa": true, "oy": true, "kk": true, "ltda": true,
}

// NameKey is the key a company or agency name is matched on: Unicode folded to
// plain letters, lower case, punctuation gone (dots and apostrophes join,
// "S.A." → "sa"), a leading "the" and any run of legal-form words at the end
// dropped ("Thales Deutschland GmbH & Co. KG" → "thales deutschland"). A name
// that is nothing but legal-form words keeps them, so "AG" does not match
// every other "AG". "" for a blank name, which matches nothing.
func NameKey(name string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r): // accents: "Société" → "societe"
		case r == '.' || r == '\'' || r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	if len(words) > 1 && words[0] == "the" {
		words = words[1:]
	}
	end := len(words)
	for end > 1 && (legalForms[words[end-1]] || words[end-1] == "and") {
		end--
	}
	if end == 1 && legalForms[words[0]] {
		end = len(words)
	}
	return strings.Join(words[:end], " ")
}

var (
	// eccnFamily is an ECCN's first five characters: the category digit, product
	// group letter and three digits ("6A003" of "6A003.b.4.a").
	eccnFamily = regexp.MustCompile(`^[0-9][A-E][0-9]{3}`)
	// usmlCategory is a USML category's Roman numeral, before its paragraph
	// ("XI" of "XI(a)(3)"), after an optional "Cat." or "Category".
	usmlCategory = regexp.MustCompile(`^(?:CATEGORY|CAT)?(X{0,2}(?:IX|IV|V?I{0,3}))(?:\(|$)`)
)

// ClassKey is the key a classification is matched on: upper case, spaces gone,
// a leading "Cat."/"Category" dropped from a USML category.
func ClassKey(classification string) string {
	s := strings.ToUpper(strings.Join(strings.Fields(classification), ""))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "CATEGORY"), "CAT.")
	s = strings.TrimPrefix(s, "CAT")
	return s
}

// ClassFamily is the family a classification belongs to, matched as a wider
// precedent than the exact classification: an ECCN's five-character entry
// ("6A003" for 6A003.b.4, shown as 6A003.*), a USML item's category ("XI" for
// XI(a)(3), shown as Category XI). "" when the classification is neither (EAR99,
// free text), which then has no family.
func ClassFamily(classification string) string {
	k := ClassKey(classification)
	if f := eccnFamily.FindString(k); f != "" {
		return f
	}
	if m := usmlCategory.FindStringSubmatch(k); m != nil && m[1] != "" && romanUpTo21(m[1]) {
		return m[1]
	}
	return ""
}

// romanUpTo21 reports whether s is one of the USML's categories, I to XXI.
func romanUpTo21(s string) bool {
	return slices.Contains([]string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
		"XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI"}, s)
}

// FamilyLabel is how a family is shown: "6A003.*" or "Category XI".
func FamilyLabel(family string) string {
	if eccnFamily.MatchString(family) {
		return family + ".*"
	}
	return "Category " + family
}
