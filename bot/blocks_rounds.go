package bot

import (
	"fmt"

	"github.com/slack-go/slack"
)

// roundBlocks says, on a later round's summary, how the case came back and links
// the earlier round's channel and final recommendation.
func roundBlocks(t *Tally) []slack.Block {
	r := t.Referral
	if r.Round <= 1 {
		return nil
	}
	text := fmt.Sprintf(":arrows_counterclockwise: *Round %d* — %s.", r.Round, ReReferralLabel(r.ReReferral))
	if e := t.Earlier; e != nil {
		where := "round " + fmt.Sprint(e.Round)
		if e.ChannelID != "" {
			where += " in <#" + e.ChannelID + ">"
		}
		text += " Earlier: " + where
		if f := t.EarlierFinal; f != nil {
			text += fmt.Sprintf(", final recommendation %s (%s)", f.Outcome.LabelFor(r.Agency), FormatDate(f.RecordedAt))
		}
		text += ". Each office's position from then is shown as prior (stale); the offices are asked again."
	}
	return []slack.Block{slack.NewContextBlock("", mrkdwn(text))}
}

// priorNote is the tally line's note of an office's position in the earlier round.
func priorNote(r *Referral, a *Ask) string {
	if a.Prior == nil {
		return ""
	}
	return fmt.Sprintf(" · _prior (round %d, stale): %s_", r.Round-1, a.Prior.Outcome.LabelFor(r.Agency))
}

// priorBlocks shows, on an ask of a later round, the office's position in the
// earlier round: stale, for reference, while the office is asked again.
func priorBlocks(r *Referral, a *Ask) []slack.Block {
	if a.Prior == nil {
		return nil
	}
	return []slack.Block{slack.NewContextBlock("", mrkdwn(truncate(fmt.Sprintf(
		":arrows_counterclockwise: *Prior position, round %d (stale — please answer again):* %s%s",
		r.Round-1, positionLine(a.Prior, r.Agency), positionDetail(a.Prior, maxSectionText-400)), maxSectionText)))}
}

// versionNote marks an amended recommendation and a signed one in the tally.
func versionNote(rec *Recommendation) string {
	note := ""
	if rec.Version > 1 {
		note += fmt.Sprintf(" · amended (version %d)", rec.Version)
	}
	if rec.SignOff == SignOffSigned {
		note += fmt.Sprintf(" · signed off by <@%s>, %s", rec.SignedBy, SlackTime(rec.SignedAt))
	}
	return note
}

// pendingBlocks shows a recommendation recorded but waiting for a supervisor's
// second signature: it is not final yet.
func pendingBlocks(t *Tally) []slack.Block {
	p := t.Pending
	if p == nil {
		return nil
	}
	return []slack.Block{slack.NewSectionBlock(mrkdwn(fmt.Sprintf(
		":writing_hand: *Awaiting a supervisor's sign-off: %s* — recorded by <@%s>, %s. Not final until a supervisor signs.",
		p.Outcome.LabelFor(t.Referral.Agency), p.RecordedBy, SlackTime(p.RecordedAt))), nil, nil)}
}

// reReferralInput is the New referral form's optional choice for a case that came
// back after DoD's final recommendation: it then opens as the case's next round.
func reReferralInput() *slack.InputBlock {
	opt := func(kind string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(kind, plain(ReReferralLabel(kind)), nil)
	}
	return slack.NewInputBlock(FieldReReferral, plain("Came back after a final recommendation?"), plain(
		"Only for a case DoD already recommended on: it opens as the case's next round, linked to the earlier one."),
		slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("No: first referral"), InputAction,
			opt(ReReferralResubmission), opt(ReReferralAmendment))).WithOptional(true)
}
