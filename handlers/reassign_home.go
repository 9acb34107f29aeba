package handlers

// The Reassign… button of a supervisor's Home tab and its modal: the Home tab has
// no channel, so a refusal opens in a modal too, as for Answer (home.go).

import (
	"context"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// reassignFromHome opens the modal where the presser chooses one of the row's
// analyst's referrals and the analyst who takes it over.
func (r *Router) reassignFromHome(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	view := func() slack.ModalViewRequest {
		if !mention.MatchString("<@" + a.Value + ">") {
			return noticeModal(r.failure(bot.Errorf(bot.EINVALID, "This button is damaged; nothing was changed."), "reassign from home"))
		}
		refs, total, err := r.svc.ReassignChoices(ctx, cb.User.ID, a.Value)
		if err != nil {
			return noticeModal(r.failure(err, "reassign from home"))
		}
		return bot.ReassignModal(a.Value, refs, total)
	}()
	ctx, cancel := context.WithTimeout(ctx, triggerBudget)
	defer cancel()
	if err := r.slack.OpenView(ctx, cb.TriggerID, view); err != nil {
		r.log.Error("open reassign modal from home", "user", cb.User.ID, "err", err)
	}
}

// submitReassign hands the chosen referral to the chosen analyst; problems with
// the choices show beside them, and the modal closes once it is done.
func (r *Router) submitReassign(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	v := values(cb)
	id, _ := strconv.ParseInt(v.choice(bot.FieldReassignReferral), 10, 64)
	to := v.get(bot.FieldReassignTo).SelectedUser
	if _, err := r.svc.ReassignFromHome(ctx, cb.User.ID, cb.View.PrivateMetadata, id, to); err != nil {
		return r.viewErrors(err, "reassign from home")
	}
	return nil
}
