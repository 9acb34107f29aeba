package bot

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Countries come from golang.org/x/text (CLDR), so that a code ISO assigns or
// withdraws arrives with a module update instead of an edit here. CLDR knows more
// region codes than ISO 3166-1 assigns; country keeps only the assigned ones, and
// country_test.go pins the result to ISO's list so that an update changing it is
// noticed.

// country returns the region of an assigned ISO 3166-1 alpha-2 code, exactly as
// written (two capital letters), and whether it is one.
func country(code string) (language.Region, bool) {
	r, err := language.ParseRegion(code)
	ok := err == nil &&
		r.String() == code && // not an alpha-3 or numeric code, not lower case
		r.IsCountry() && // not a grouping such as EU or 419
		!r.IsPrivateUse() && // not a user-assigned code such as XK or ZZ
		r.Canonicalize() == r && // not a deprecated code such as UK or ZR
		r.M49() != 0 && // not an exceptional reservation such as AC, EA or UN
		display.English.Regions().Name(r) != "" // not a withdrawn code such as CS or SU
	return r, ok
}

// IsCountryCode reports whether s is an assigned ISO 3166-1 alpha-2 code.
func IsCountryCode(s string) bool {
	_, ok := country(s)
	return ok
}

// CountryName shows a destination by its English name and its code: "Germany (DE)".
// A code that is not an assigned one is shown as it is.
func CountryName(code string) string {
	r, ok := country(code)
	if !ok {
		return code
	}
	return display.English.Regions().Name(r) + " (" + code + ")"
}
