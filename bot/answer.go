package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Field names of the position modal (also its input block ids).
const (
	FieldProvisos = "provisos"
	// FieldStandardProvisos is the menu of standard provisos from the library.
	FieldStandardProvisos = "standard_provisos"
	FieldQuestions        = "questions"
	FieldReasons          = "reasons"
	FieldBasis            = "basis" // also the recommendation modal's
	FieldComment          = "comment"
)

// PositionInput is what a reviewer submits for an office.
type PositionInput struct {
	// Seen is the version of the office's position the person was looking at (0 for
	// none). When set, and someone else changed the position since, the answer is
	// refused so nobody overwrites a position they have not seen. nil skips the check.
	Seen     *int
	Outcome  Outcome
	Provisos string // one proviso per line (approve_with_provisos)
	// Standard are the library codes of the standard provisos chosen (approve_with_provisos);
	// they come before the typed ones. Library resolves them.
	Standard  []string
	Library   *ProvisoLibrary
	Questions string // rwa
	Reasons   string // deny
	Basis     string // deny on a Commerce referral: the statutory and regulatory basis
	Comment   string // optional
	// Agency is the referral's: it words provisos or conditions, and a Commerce
	// denial needs its basis. Answer sets it from the referral.
	Agency Agency
}

// Position validates the input and returns the position it describes (without
// ask, office or author). The error is EINVALID with Fields keyed by input name.
func (in PositionInput) Position() (*Position, error) {
	p := map[string]string{}
	pos := &Position{Outcome: in.Outcome}
	if !in.Outcome.Valid() {
		return nil, Errorf(EINVALID, "%q is not a position.", in.Outcome)
	}
	pos.Comment = checkText(p, FieldComment, strings.TrimSpace(in.Comment), "the comment", false, MaxLongText, true)
	switch in.Outcome {
	case OutcomeApproveWithProvisos:
		pos.Provisos = in.provisos(p)
	case OutcomeRWA:
		pos.Questions = checkText(p, FieldQuestions, strings.TrimSpace(in.Questions), "the questions or missing information that make the office return it", true, MaxLongText, true)
	case OutcomeDeny:
		pos.Reasons = checkText(p, FieldReasons, strings.TrimSpace(in.Reasons), "the reasons for denial", true, MaxLongText, true)
		pos.Basis = checkBasis(p, FieldBasis, in.Basis, in.Agency)
	}
	if len(p) > 0 {
		return nil, Invalid(p)
	}
	return pos, nil
}

// provisos reads the standard provisos chosen, then the typed ones: at least one
// of either, at most MaxProvisos in all.
func (in PositionInput) provisos(p map[string]string) []Proviso {
	var out []Proviso
	for _, code := range in.Standard {
		sp, ok := in.Library.Lookup(in.Agency, code)
		if !ok {
			// The library changed (a restart) while the form was open.
			p[FieldStandardProvisos] = fmt.Sprintf("%s is no longer in the library of standard %s: choose again.", code, in.Agency.Terms())
			continue
		}
		if !slices.ContainsFunc(out, func(o Proviso) bool { return o.Code == code }) {
			out = append(out, Proviso{Code: sp.Code, Text: sp.Text})
		}
	}
	typed := parseProvisos(p, FieldProvisos, in.Provisos, "", in.Agency, len(out) == 0 && len(in.Library.For(in.Agency)) == 0)
	out = append(out, typed...)
	switch {
	case len(out) == 0 && p[FieldProvisos] == "" && p[FieldStandardProvisos] == "":
		p[FieldProvisos] = fmt.Sprintf("Choose at least one standard %s above, or enter your own, one per line.", in.Agency.Term())
	case len(out) > MaxProvisos && p[FieldProvisos] == "":
		p[FieldProvisos] = fmt.Sprintf("At most %d %s in all, chosen and typed (now %d).", MaxProvisos, in.Agency.Terms(), len(out))
	}
	return out
}

// checkBasis checks a denial's statutory and regulatory basis: required on a
// Commerce referral (EO 12981), not kept on a State one (its form has no such field).
func checkBasis(p map[string]string, field, basis string, a Agency) string {
	if a != AgencyCommerce {
		return ""
	}
	return checkText(p, field, strings.TrimSpace(basis),
		"the statutory and regulatory basis (EO 12981 requires it on a Commerce denial, as well as the reasons)", true, MaxLongText, true)
}

// parseProvisos reads one proviso per non-blank line, bullets stripped. Problems
// call them by agency a's word: provisos (State) or conditions (Commerce).
func parseProvisos(p map[string]string, field, text, office string, a Agency, required bool) []Proviso {
	var out []Proviso
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "•*-–"))
		if line == "" {
			continue
		}
		checkText(p, field, line, "each "+a.Term(), false, MaxProvisoLen, false)
		out = append(out, Proviso{OfficeCode: office, Text: line})
	}
	switch {
	case required && len(out) == 0 && p[field] == "":
		p[field] = fmt.Sprintf("Enter at least one %s, one per line.", a.Term())
	case len(out) > MaxProvisos:
		p[field] = fmt.Sprintf("At most %d %s, one per line (now %d).", MaxProvisos, a.Terms(), len(out))
	}
	return out
}

// CheckAnswer tells whether actor may answer the ask now, before a modal is opened,
// so that a refusal comes at once instead of after typing. It returns the referral,
// the ask and the office.
func (s *Service) CheckAnswer(ctx context.Context, actor string, askID int64) (*Referral, *Ask, Office, error) {
	ref, ask, err := s.store.AskWithReferral(ctx, askID)
	if err != nil {
		return nil, nil, Office{}, err
	}
	office, ok := s.roster.Office(ask.OfficeCode)
	if !ok {
		return nil, nil, Office{}, Errorf(EFORBIDDEN, "The office %q is no longer on the roster, so nobody can answer for it. Ask the analyst <@%s>.", ask.OfficeCode, ref.AnalystID)
	}
	if ask.State == AskWithdrawn {
		return nil, nil, Office{}, Errorf(ECLOSED, "The analyst withdrew this ask (%s), so %s's position is not needed. Nothing was recorded; contact the analyst <@%s> if %s should be asked again.", ask.WithdrawnReason, office.Name, ref.AnalystID, office.Name)
	}
	if ref.State == ReferralRecommended || ask.State == AskClosed {
		return nil, nil, Office{}, Errorf(ECLOSED, "Thank you — but the final recommendation on %s is already recorded, so positions can no longer change. Contact the analyst <@%s> if something is wrong.", ref.CaseNumber, ref.AnalystID)
	}
	on, err := s.members.onRoster(ctx, office, actor)
	if err != nil {
		s.log.Error("roster unreadable", "office", office.Code, "err", err)
		return nil, nil, Office{}, Errorf(EFORBIDDEN, "I could not check the %s roster just now, so I can't accept an answer for it. Please try again in a minute.", office.Name)
	}
	if !on {
		return nil, nil, Office{}, Errorf(EFORBIDDEN, "Only people on the %s roster can answer for %s. Nothing was recorded.", office.Name, office.Name)
	}
	return ref, ask, office, nil
}

// Answer records actor's position for the ask's office as its newest version.
// Earlier versions stay in the history.
func (s *Service) Answer(ctx context.Context, actor string, askID int64, in PositionInput) (*Position, error) {
	// What the form says is checked first, worded for the agency the form named, so
	// that nobody waits on the roster check to hear a field is missing.
	in.Library = s.Provisos()
	if _, err := in.Position(); err != nil {
		return nil, err
	}
	ref, ask, office, err := s.CheckAnswer(ctx, actor, askID)
	if err != nil {
		return nil, err
	}
	// The rules are the referral's own agency's (a Commerce denial needs its basis).
	in.Agency = ref.Agency
	pos, err := in.Position()
	if err != nil {
		return nil, err
	}
	pos.AskID, pos.ReferralID, pos.OfficeCode = ask.ID, ref.ID, office.Code
	pos.AnsweredBy, pos.AnsweredByName, pos.AnsweredAt = actor, s.nameOf(actor), s.now().UTC()
	for i := range pos.Provisos {
		pos.Provisos[i].OfficeCode = office.Code
	}
	var stopped, restarted []*Ask
	var synced bool // the questions hold was synced: work due now may be queued
	err = s.store.Update(ctx, func(tx Tx) error {
		stopped, restarted, synced = nil, nil, false
		// Re-check inside the transaction what may have changed since CheckAnswer read
		// it: the recommendation may have landed, the ask been withdrawn or answered.
		st, err := tx.AskStanding(ctx, askID)
		if err != nil {
			return err
		}
		if st.ReferralState == ReferralRecommended {
			return Errorf(ECLOSED, "Thank you — but the final recommendation on %s was recorded a moment ago, so positions can no longer change.", ref.CaseNumber)
		}
		if st.AskState == AskWithdrawn || st.AskState == AskClosed {
			// Withdrawn (or closed) while the form was open.
			return Errorf(ECLOSED, "Meanwhile this ask to %s was withdrawn or closed on %s. Nothing was recorded.", office.Name, ref.CaseNumber)
		}
		// Positions are never rewritten: the same version is the same position.
		current := ask.Current
		if st.Version != currentVersion(ask) {
			now, err := tx.Ask(ctx, askID) // someone answered meanwhile
			if err != nil {
				return err
			}
			current = now.Current
		}
		// An office asked again (its questions answered) records even the same words anew.
		if current != nil && st.AskState == AskAnswered && samePosition(current, pos) {
			*pos = *current // a double click: nothing new to record
			return nil
		}
		if in.Seen != nil && *in.Seen != st.Version && current != nil {
			return Errorf(ECONFLICT, "Meanwhile <@%s> recorded *%s* for %s (version %d). Nothing was recorded for you: look at the updated ask and answer again if you still want to change it.",
				current.AnsweredBy, current.Outcome.LabelFor(ref.Agency), office.Name, st.Version)
		}
		if err := tx.CreatePosition(ctx, pos); err != nil {
			return err
		}
		if st.AskState != AskAnswered { // a new version of an answer leaves the ask as it is
			if err := tx.SetAskState(ctx, askID, AskAnswered); err != nil {
				return err
			}
		}
		if err := tx.AppendEvent(ctx, s.event(ref.ID, actor, "position.recorded", map[string]any{
			"office": office.Code, "outcome": pos.Outcome, "version": pos.Version, FactsKey: PositionDigest(pos),
		})); err != nil {
			return err
		}
		// One refresh of the referral redraws the ask, the summary and the Home tabs.
		if err := s.refresh(ctx, tx, ref.ID, ask.ID); err != nil {
			return err
		}
		// Questions out stop the offices' clock; their withdrawal restarts it. The
		// standing tells whether either happens (holdChanges), so the common press
		// reads no more.
		if holdChanges(pos.Outcome == OutcomeRWA || st.QuestionsElsewhere, st.Held, st.ManualHold) {
			synced = true
			stopped, restarted, err = s.syncAfter(ctx, tx, actor, ref.ID)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record position of %s on referral %d: %w", office.Code, ref.ID, err)
	}
	s.cancelAsks(ctx, append(stopped, ask)) // the office answered: no more reminders
	s.scheduleAsks(ctx, restarted)
	s.observe.PositionRecorded(pos.Outcome)
	if synced {
		s.Kick() // the hold's change may have queued work due now
	} else {
		s.kickAfter(s.refreshDelay) // the press queued only its referral's refresh
	}
	return pos, nil
}

// currentVersion is the version of the ask's current position, 0 when it has none.
func currentVersion(a *Ask) int {
	if a.Current == nil {
		return 0
	}
	return a.Current.Version
}

// AnswerValue is the value of an ask's answer buttons: the ask and the version of
// the position shown, so a press on a stale message is recognised.
func AnswerValue(a *Ask) string {
	return fmt.Sprintf("%d:%d", a.ID, currentVersion(a))
}

// ParseAnswerValue reads an answer button's value.
func ParseAnswerValue(v string) (askID int64, seen int, err error) {
	id, ver, ok := strings.Cut(v, ":")
	if askID, err = strconv.ParseInt(id, 10, 64); err != nil || !ok {
		return 0, 0, Errorf(EINVALID, "That button is not one of mine.")
	}
	if seen, err = strconv.Atoi(ver); err != nil || seen < 0 {
		return 0, 0, Errorf(EINVALID, "That button is not one of mine.")
	}
	return askID, seen, nil
}

// samePosition reports whether two positions say the same thing, so that a repeated
// submission by the same person records no new version.
func samePosition(a, b *Position) bool {
	if a.Outcome != b.Outcome || a.Comment != b.Comment || a.Questions != b.Questions ||
		a.Reasons != b.Reasons || a.Basis != b.Basis || a.AnsweredBy != b.AnsweredBy || len(a.Provisos) != len(b.Provisos) {
		return false
	}
	for i := range a.Provisos {
		if a.Provisos[i].Text != b.Provisos[i].Text || a.Provisos[i].Code != b.Provisos[i].Code {
			return false
		}
	}
	return true
}
