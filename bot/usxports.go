package bot

import (
	"regexp"
	"strings"
)

// FieldUSXPORTS is the form, import and API field of the case's USXPORTS reference.
const FieldUSXPORTS = "usxports_ref"

// usxportsRE is what a USXPORTS reference may look like. USXPORTS, DoD's own case
// system, sits on a classified network and its numbering is not public
// (*unconfirmed*), so this accepts any plausible reference and refuses only what
// is surely a mistake: 3 to 30 letters and digits, with "-", "/" or "." between
// them (no spaces, nothing at either end), e.g. "DTSA-2026-004512".
var usxportsRE = regexp.MustCompile(`^[A-Z0-9]+([-/.][A-Z0-9]+)*$`)

// usxportsMax is the longest USXPORTS reference accepted.
const usxportsMax = 30

// ParseUSXPORTSRef reads an optional USXPORTS reference as typed: trimmed and
// upper-cased; "" when none was given. problem is the message to show when it
// cannot be one, "" otherwise.
func ParseUSXPORTSRef(s string) (ref string, problem string) {
	ref = strings.ToUpper(strings.TrimSpace(s))
	switch {
	case ref == "":
		return "", ""
	case len(ref) < 3 || len(ref) > usxportsMax || !usxportsRE.MatchString(ref):
		return ref, "A USXPORTS reference is 3-30 letters and digits, with - / or . between them, e.g. DTSA-2026-004512. Leave it empty if there is none yet."
	}
	return ref, ""
}
