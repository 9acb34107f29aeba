package bot

import (
	"fmt"
	"strings"
)

// MaxChannelName is Slack's limit on a channel name's length.
const MaxChannelName = 80

// ChannelName derives a referral channel's name from agency and case number:
// "ref-" + agency + "-" + case, lower-cased, with anything Slack does not allow
// replaced by "-", and "-2", "-3", … appended for the n-th attempt after name_taken.
func ChannelName(agency Agency, caseNumber string, n int) string {
	var b strings.Builder
	b.WriteString("ref-")
	b.WriteString(string(agency))
	b.WriteByte('-')
	dash := true // the prefix ends in "-"
	for _, r := range strings.ToLower(caseNumber) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimRight(b.String(), "-_")
	suffix := ""
	if n > 1 {
		suffix = fmt.Sprintf("-%d", n)
	}
	if len(name)+len(suffix) > MaxChannelName {
		name = name[:MaxChannelName-len(suffix)]
	}
	return name + suffix
}
