package handlers

import (
	"context"
	"encoding/json"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// openAmendModal opens the form that amends the referral's final recommendation.
func (r *Router) openAmendModal(ctx context.Context, cmd slack.SlashCommand, _ []string) any {
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "amend"))
	}
	t, err := r.svc.CheckAmend(ctx, cmd.UserID, ref.ID)
	if err != nil {
		return ephemeral(r.failure(err, "amend"))
	}
	ctx, cancel := triggerContext(ctx)
	defer cancel()
	if err := r.slack.OpenView(ctx, cmd.TriggerID, bot.AmendModal(t)); err != nil {
		r.log.Error("open amend modal", "err", err)
		return ephemeral("I couldn't open the form just now; please try the command again.")
	}
	return nil
}

// submitAmendment records the amended final recommendation.
func (r *Router) submitAmendment(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	var meta bot.AmendMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
		return r.viewErrors(bot.Errorf(bot.EINVALID, "This form is damaged; please run the command again."), "amend")
	}
	v := values(cb)
	_, err := r.svc.Amend(ctx, cb.User.ID, meta.ReferralID, bot.AmendInput{
		Outcome:   bot.Outcome(v.choice(bot.FieldOutcome)),
		Provisos:  v.text(bot.FieldAmendProvisos),
		Rationale: v.text(bot.FieldRationale),
		Basis:     v.text(bot.FieldBasis),
		Reason:    v.text(bot.FieldAmendReason),
		Seen:      meta.Seen,
	})
	if err != nil {
		return r.viewErrors(err, "amend")
	}
	return nil
}

// signOff records a supervisor's second signature; anyone else pressing the button
// is told why not, and nothing is recorded.
func (r *Router) signOff(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	referralID, recID, err := bot.ParseSignOffValue(a.Value)
	if err == nil {
		_, err = r.svc.SignOff(ctx, cb.User.ID, referralID, recID)
	}
	if err != nil {
		r.tellPresser(ctx, cb, r.failure(err, "sign off"))
		return
	}
	r.tellPresser(ctx, cb, "Signed off: the recommendation is final, and is being announced in the referral's channel.")
}
