package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// StandardProvisoUse is how many of the offices' current positions carry one standard
// proviso: "how often does Navy impose NAV-3".
type StandardProvisoUse struct {
	OfficeCode string
	Code       string
	Count      int
}

// ProvisoUseSource is what the proviso statistics read; the store implements it.
// A separate interface, so sources without it still give the timeliness figures.
type ProvisoUseSource interface {
	// ProvisoUse counts the standard provisos (by library code) in each office's
	// current position, on referrals received on or after since.
	ProvisoUse(ctx context.Context, since time.Time) ([]StandardProvisoUse, error)
}

// provisoUse reads the proviso statistics when src keeps them, in roster order
// of offices (then by code), as ComputeStats orders its offices.
func provisoUse(ctx context.Context, src StatsSource, roster *Roster, since time.Time) ([]StandardProvisoUse, error) {
	pu, ok := src.(ProvisoUseSource)
	if !ok {
		return nil, nil
	}
	use, err := pu.ProvisoUse(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("proviso statistics: %w", err)
	}
	order := map[string]int{}
	if roster != nil {
		for i, o := range roster.Offices {
			order[o.Code] = i + 1
		}
	}
	slices.SortStableFunc(use, func(a, b StandardProvisoUse) int {
		ra, rb := order[a.OfficeCode], order[b.OfficeCode]
		if ra == 0 {
			ra = len(order) + 1
		}
		if rb == 0 {
			rb = len(order) + 1
		}
		if ra != rb {
			return ra - rb
		}
		if c := strings.Compare(a.OfficeCode, b.OfficeCode); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return use, nil
}

// provisoUseText writes the proviso statistics: one line per office, its
// standard provisos with their counts, most used first.
func (st *Stats) provisoUseText(b *strings.Builder, escape func(string) string) {
	b.WriteString(escape("\nStandard provisos (conditions) in the offices' current positions:\n"))
	if len(st.ProvisoUse) == 0 {
		b.WriteString(escape("  none chosen from the library\n"))
		return
	}
	for i := 0; i < len(st.ProvisoUse); {
		office := st.ProvisoUse[i].OfficeCode
		var mine []StandardProvisoUse
		for ; i < len(st.ProvisoUse) && st.ProvisoUse[i].OfficeCode == office; i++ {
			mine = append(mine, st.ProvisoUse[i])
		}
		slices.SortStableFunc(mine, func(a, b StandardProvisoUse) int { return b.Count - a.Count })
		var parts []string
		for _, u := range mine {
			parts = append(parts, fmt.Sprintf("%s %d", u.Code, u.Count))
		}
		name := office
		if st.names != nil {
			name = st.names.OfficeName(office)
		}
		b.WriteString(escape(fmt.Sprintf("  %s: %s\n", name, strings.Join(parts, ", "))))
	}
}
