package bot

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// The analyst's own deadline in the morning pass (digest.go). Each business
// morning, each analyst gets at most one direct message: their referrals whose
// DoD due date is DoDAlertDays business days away or has just passed, then their
// overdue offices. One message, not one per referral: an analyst who owns a
// hundred open referrals would mute a bot that pinged for each, and the office
// escalations already arrive that way. The message is recorded with the morning
// (exactly once, across restarts and instances), and so is the event that a DoD
// due date passed, in the same transaction: it is told once and recorded once.

// DoDAlertLine is one of the analyst's referrals in their morning message.
type DoDAlertLine struct {
	CaseNumber string
	ChannelID  string // "" while the channel is being set up
	Clock      DoDClock
}

// lapse is a referral whose DoD due date passed without a final recommendation,
// whose passing the morning records in its event log.
type lapse struct {
	referralID int64
	due        time.Time
	agency     Agency
}

// analystMornings returns today's direct messages to analysts, and the lapses to
// record with them.
func (s *Service) analystMornings(ctx context.Context, today time.Time) ([]*Digest, []lapse, error) {
	esc, err := s.overdueOffices(ctx, today)
	if err != nil {
		return nil, nil, err
	}
	dod, lapses, err := s.dodAlerts(ctx, today)
	if err != nil {
		return nil, nil, err
	}
	analysts := slices.Sorted(maps.Keys(esc))
	for a := range dod {
		if _, ok := esc[a]; !ok {
			analysts = append(analysts, a)
		}
	}
	slices.Sort(analysts)
	var out []*Digest
	for _, a := range analysts {
		// The id keeps the escalation's name: a morning recorded before the DoD
		// alerts joined the message is recognised as the same message.
		out = append(out, &Digest{ID: digestID("escalation", a, today), UserID: a,
			Text: AnalystMorningText(dod[a], esc[a])})
	}
	return out, lapses, nil
}

// dodAlerts returns this morning's DoD due-date lines by analyst: the referrals
// whose DoD due date passed (not yet recorded), then those DoDAlertDays business
// days from it; and the passings to record.
func (s *Service) dodAlerts(ctx context.Context, today time.Time) (map[string][]DoDAlertLine, []lapse, error) {
	byAnalyst := map[string][]DoDAlertLine{}
	passed, err := s.store.DoDDuePassed(ctx, today, maxOverdueScan)
	if err != nil {
		return nil, nil, fmt.Errorf("DoD due dates passed: %w", err)
	}
	var lapses []lapse
	for _, r := range passed {
		lapses = append(lapses, lapse{referralID: r.ID, due: r.DoDDueDate, agency: r.Agency})
		byAnalyst[r.AnalystID] = append(byAnalyst[r.AnalystID], DoDAlertLine{CaseNumber: r.CaseNumber, ChannelID: r.ChannelID,
			Clock: ReckonDoD(s.rules, r.Agency, r.DoDDueDate, today)})
	}
	// The furthest alert's last business day is before this date: a DoD due date on
	// the weekend after it still counts from the Friday.
	until := s.rules.AddBusinessDays(today, slices.Max(DoDAlertDays)+1)
	soon, err := s.store.DoDDueBetween(ctx, today, until, maxOverdueScan)
	if err != nil {
		return nil, nil, fmt.Errorf("DoD due dates coming: %w", err)
	}
	for _, r := range soon {
		if c := ReckonDoD(s.rules, r.Agency, r.DoDDueDate, today); c.alertToday(s.rules) {
			byAnalyst[r.AnalystID] = append(byAnalyst[r.AnalystID], DoDAlertLine{CaseNumber: r.CaseNumber, ChannelID: r.ChannelID, Clock: c})
		}
	}
	return byAnalyst, lapses, nil
}

// recordLapse records in the event log that a referral's DoD due date passed
// without a final recommendation: DoD is deemed to have no objection (Commerce),
// or the referral is overdue and stays open (State). Called once per morning
// (with the morning's record); a referral recommended or given a new DoD due date
// since it was read is left alone.
func (s *Service) recordLapse(ctx context.Context, tx Tx, l lapse) error {
	ref, err := tx.Referral(ctx, l.referralID)
	if err != nil {
		return err
	}
	if ref.State != ReferralOpen || !ref.DoDDueDate.Equal(l.due) {
		return nil
	}
	kind, detail := EventDoDOverdue, map[string]any{"agency": ref.Agency, "dod_due": FormatDate(ref.DoDDueDate),
		"effect": "no deemed concurrence: the referral stays open, overdue, until DoD's position is recorded"}
	if ref.Agency == AgencyCommerce {
		kind = EventDeemedNoObjection
		detail["effect"] = "DoD is deemed to have no objection"
		detail["authority"] = "EO 12981; 15 CFR 750.4"
	}
	if err := tx.AppendEvent(ctx, s.event(ref.ID, ActorBot, kind, detail)); err != nil {
		return err
	}
	// The summary and the Home tabs show the passing.
	return s.refresh(ctx, tx, ref.ID)
}
