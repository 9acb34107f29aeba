package bot

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot/deadline"
)

// AskTiming is one ask as the timeliness statistics see it.
type AskTiming struct {
	OfficeCode string
	AskedAt    time.Time // the ask's CreatedAt
	DueDate    time.Time // the office's due date as it stands (extensions included)
	AnsweredAt time.Time // when the office's first position came; zero if it never answered
	ClosedAt   time.Time // when the final recommendation was recorded; zero while open
}

// StatsSource is what the timeliness statistics read. The store implements it
// beside Store; it is a separate interface because only statistics need it.
type StatsSource interface {
	// AskTimings calls fn for every ask on a referral received on or after since
	// (every referral with a received date when since is zero), in no set order.
	AskTimings(ctx context.Context, since time.Time, fn func(AskTiming) error) error
	// OutcomeCounts counts the referrals received on or after since by their final
	// recommendation's outcome; the key "" counts those without one yet.
	OutcomeCounts(ctx context.Context, since time.Time) (map[Outcome]int, error)
}

// Stats is how promptly each office answers, and what DoD finally recommended,
// for the referrals received since a date.
type Stats struct {
	Since     time.Time // zero: every referral
	Today     time.Time // the date late asks were judged on
	Referrals int
	Open      int // referrals without a final recommendation yet
	Offices   []OfficeStats
	Outcomes  map[Outcome]int // final recommendations by outcome
	// ProvisoUse counts the standard provisos in the offices' current positions,
	// by office (roster order) and library code.
	ProvisoUse []StandardProvisoUse
	names      *Roster // names the offices of ProvisoUse; nil: codes
}

// OfficeStats is one office's timeliness. Business days are counted from the
// date it was asked to the date of its first position (both in the service's
// time zone) with Calendar.BusinessDaysBetween: an answer the same day is 0.
type OfficeStats struct {
	Office   string
	Name     string
	Asks     int
	Answered int
	// MedianDays and P90Days are over the answered asks (meaningless when Answered
	// is 0). The median of an even count is the mean of the middle two; the 90th
	// percentile is the nearest rank (the smallest value at least 90% of answers
	// do not exceed).
	MedianDays float64
	P90Days    int
	// OnTime counts first positions dated on or before the ask's due date; Late
	// counts later ones, and asks never answered whose due date passed before the
	// final recommendation (or before Today, while the referral is open). Asks
	// still within their due date are neither.
	OnTime int
	Late   int
}

// OnTimeShare is OnTime among the asks whose timeliness is settled (OnTime+Late),
// and false when there are none.
func (o OfficeStats) OnTimeShare() (float64, bool) {
	if o.OnTime+o.Late == 0 {
		return 0, false
	}
	return float64(o.OnTime) / float64(o.OnTime+o.Late), true
}

// Stats computes the timeliness statistics for referrals received on or after
// since (all of them when since is zero), judging late asks as of today.
func (s *Service) Stats(ctx context.Context, since time.Time) (*Stats, error) {
	src, ok := s.store.(StatsSource)
	if !ok {
		return nil, Errorf(EINTERNAL, "the store keeps no statistics")
	}
	return ComputeStats(ctx, src, s.rules.Calendar, s.roster, since, s.Today())
}

// ComputeStats computes the statistics from src with calendar cal; roster names
// the offices (nil: codes only). It streams the asks, so memory grows with the
// number of answered asks per office, not with the rows read.
func ComputeStats(ctx context.Context, src StatsSource, cal *deadline.Calendar, roster *Roster, since, today time.Time) (*Stats, error) {
	type acc struct {
		OfficeStats
		days []int
	}
	offices := map[string]*acc{}
	memo := map[[2]time.Time]int{} // business days between two dates; few distinct pairs
	err := src.AskTimings(ctx, since, func(a AskTiming) error {
		o := offices[a.OfficeCode]
		if o == nil {
			o = &acc{OfficeStats: OfficeStats{Office: a.OfficeCode}}
			offices[a.OfficeCode] = o
		}
		o.Asks++
		if a.AnsweredAt.IsZero() {
			judged := today
			if !a.ClosedAt.IsZero() {
				judged = cal.Date(a.ClosedAt)
			}
			if !a.DueDate.IsZero() && judged.After(a.DueDate) {
				o.Late++
			}
			return nil
		}
		o.Answered++
		asked, answered := cal.Date(a.AskedAt), cal.Date(a.AnsweredAt)
		key := [2]time.Time{asked, answered}
		n, ok := memo[key]
		if !ok {
			n = cal.BusinessDaysBetween(asked, answered)
			memo[key] = n
		}
		o.days = append(o.days, n)
		if a.DueDate.IsZero() || !answered.After(a.DueDate) {
			o.OnTime++
		} else {
			o.Late++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("timeliness statistics: %w", err)
	}
	outcomes, err := src.OutcomeCounts(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("timeliness statistics: %w", err)
	}
	st := &Stats{Since: since, Today: today, Open: outcomes[""], Outcomes: map[Outcome]int{}, names: roster}
	if st.ProvisoUse, err = provisoUse(ctx, src, roster, since); err != nil {
		return nil, err
	}
	for o, n := range outcomes {
		st.Referrals += n
		if o != "" {
			st.Outcomes[o] = n
		}
	}
	for _, o := range offices {
		slices.Sort(o.days)
		o.MedianDays, o.P90Days = median(o.days), nearestRank(o.days, 90)
		o.Name = o.Office
		if roster != nil {
			o.Name = roster.OfficeName(o.Office)
		}
		st.Offices = append(st.Offices, o.OfficeStats)
	}
	order := map[string]int{}
	if roster != nil {
		for i, o := range roster.Offices {
			order[o.Code] = i + 1
		}
	}
	// Roster order, then offices no longer on the roster by code.
	slices.SortFunc(st.Offices, func(a, b OfficeStats) int {
		ra, rb := order[a.Office], order[b.Office]
		switch {
		case ra != rb && ra != 0 && rb != 0:
			return ra - rb
		case ra != rb:
			return rb - ra // the one on the roster (non-zero) first
		}
		return strings.Compare(a.Office, b.Office)
	})
	return st, nil
}

// median of sorted values; 0 for none.
func median(sorted []int) float64 {
	n := len(sorted)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return float64(sorted[n/2])
	}
	return float64(sorted[n/2-1]+sorted[n/2]) / 2
}

// nearestRank is the p-th percentile of sorted values by the nearest-rank method;
// 0 for none.
func nearestRank(sorted []int, p int) int {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(float64(p) / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// Text renders the statistics as a plain-text table, for a terminal.
func (st *Stats) Text() string { return st.text(func(s string) string { return s }) }

// text renders the table, passing every piece of text through escape after the
// columns are aligned on the unescaped text.
func (st *Stats) text(escape func(string) string) string {
	var b strings.Builder
	if st.Since.IsZero() {
		fmt.Fprintf(&b, "Referrals received to date: %d (%d awaiting the final recommendation)\n\n", st.Referrals, st.Open)
	} else {
		fmt.Fprintf(&b, "Referrals received since %s: %d (%d awaiting the final recommendation)\n\n", FormatDate(st.Since), st.Referrals, st.Open)
	}
	rows := [][]string{{"office", "asks", "answered", "median days", "p90 days", "on time"}}
	for _, o := range st.Offices {
		med, p90, share := "-", "-", "-"
		if o.Answered > 0 {
			med, p90 = strings.TrimSuffix(fmt.Sprintf("%.1f", o.MedianDays), ".0"), fmt.Sprint(o.P90Days)
		}
		if s, ok := o.OnTimeShare(); ok {
			share = fmt.Sprintf("%.0f%% (%d/%d)", 100*s, o.OnTime, o.OnTime+o.Late)
		}
		rows = append(rows, []string{o.Name, fmt.Sprint(o.Asks), fmt.Sprint(o.Answered), med, p90, share})
	}
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		for i, cell := range row {
			if i < len(row)-1 {
				cell += strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell)+2)
			}
			b.WriteString(escape(cell))
		}
		b.WriteByte('\n')
	}
	b.WriteString("\nFinal recommendations:")
	for _, o := range Outcomes {
		fmt.Fprintf(&b, " %s %d;", o.Label(), st.Outcomes[o])
	}
	fmt.Fprintf(&b, " none yet %d\n", st.Open)
	st.provisoUseText(&b, escape)
	b.WriteString(escape("\nDays are business days (US federal holidays excluded) from the ask to the office's first position.\n"))
	return b.String()
}

// StatsBlocks renders the statistics for Slack: the table in a code block.
func StatsBlocks(st *Stats) []slack.Block {
	text := truncate(st.text(esc), maxSectionText-8)
	return []slack.Block{
		slack.NewHeaderBlock(plain("Office timeliness")),
		slack.NewSectionBlock(mrkdwn("```\n"+text+"```"), nil, nil),
	}
}
