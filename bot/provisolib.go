package bot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// StandardProviso is one entry of the operators' library of standard provisos
// (conditions, on a Commerce referral): reviewers pick it by its code, and the
// record keeps the code, so its use can be counted without a text search.
type StandardProviso struct {
	Code   string `yaml:"code"`
	Agency Agency `yaml:"agency"`
	Text   string `yaml:"text"`
}

// ProvisoLibrary is the operators' standard provisos, in file order. The zero
// value (and nil) is an empty library: the position form then offers free text only.
type ProvisoLibrary struct {
	Provisos []StandardProviso `yaml:"provisos"`
}

// MaxLibraryPerAgency is how many standard provisos one agency may have: a Slack
// select menu offers at most 100 options (SLACK.md), and the form shows one agency's.
const MaxLibraryPerAgency = 100

// libraryCodeRE is a standard proviso's code: short, upper case, stable (it is
// stored with every proviso chosen), e.g. NAV-3 or BIS-1. An option value may be
// 150 characters; 20 keeps codes readable in the record.
var libraryCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,19}$`)

// LoadProvisoLibrary reads the standard provisos file (YAML). An empty path gives
// an empty library.
func LoadProvisoLibrary(path string) (*ProvisoLibrary, error) {
	if path == "" {
		return &ProvisoLibrary{}, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read standard provisos: %w", err)
	}
	lib, err := ParseProvisoLibrary(raw)
	if err != nil {
		return nil, fmt.Errorf("standard provisos %s: %w", path, err)
	}
	return lib, nil
}

// ParseProvisoLibrary parses and checks a standard provisos file. Unknown keys are
// refused: a misspelt "agency" must not silently make an entry nobody is offered.
func ParseProvisoLibrary(raw []byte) (*ProvisoLibrary, error) {
	var lib ProvisoLibrary
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&lib); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if err := lib.check(); err != nil {
		return nil, err
	}
	return &lib, nil
}

// check lists every problem at once, so an operator fixes the file in one go.
func (l *ProvisoLibrary) check() error {
	var problems []string
	seen := map[string]int{}
	per := map[Agency]int{}
	for i := range l.Provisos {
		sp := &l.Provisos[i]
		sp.Code, sp.Text = strings.TrimSpace(sp.Code), strings.Join(strings.Fields(sp.Text), " ")
		at := fmt.Sprintf("entry %d", i+1)
		if sp.Code != "" {
			at += fmt.Sprintf(" (%s)", sp.Code)
		}
		switch {
		case !libraryCodeRE.MatchString(sp.Code):
			problems = append(problems, fmt.Sprintf("%s: code %q must be 1-20 upper-case letters, digits, '-', '.' or '_', e.g. NAV-3", at, sp.Code))
		case seen[sp.Code] != 0:
			problems = append(problems, fmt.Sprintf("%s: code %s is already used by entry %d", at, sp.Code, seen[sp.Code]))
		default:
			seen[sp.Code] = i + 1
		}
		if sp.Agency != AgencyState && sp.Agency != AgencyCommerce {
			problems = append(problems, fmt.Sprintf("%s: agency %q must be state or commerce", at, sp.Agency))
		} else {
			per[sp.Agency]++
		}
		switch n := utf8.RuneCountInString(sp.Text); {
		case n == 0:
			problems = append(problems, fmt.Sprintf("%s: text is empty", at))
		case n > MaxProvisoLen:
			problems = append(problems, fmt.Sprintf("%s: text is %d characters; at most %d", at, n, MaxProvisoLen))
		}
	}
	for _, a := range []Agency{AgencyState, AgencyCommerce} {
		if per[a] > MaxLibraryPerAgency {
			problems = append(problems, fmt.Sprintf("%d %s entries; at most %d (a Slack menu offers 100 options)", per[a], a, MaxLibraryPerAgency))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// For returns the agency's standard provisos, in file order.
func (l *ProvisoLibrary) For(a Agency) []StandardProviso {
	if l == nil {
		return nil
	}
	var out []StandardProviso
	for _, sp := range l.Provisos {
		if sp.Agency == a {
			out = append(out, sp)
		}
	}
	return out
}

// Lookup returns the agency's standard proviso with the code.
func (l *ProvisoLibrary) Lookup(a Agency, code string) (StandardProviso, bool) {
	for _, sp := range l.For(a) {
		if sp.Code == code {
			return sp, true
		}
	}
	return StandardProviso{}, false
}
