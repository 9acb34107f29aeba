package handlers

// The Answer button of the Home tab: the answering flow of an ask's buttons, in
// modals, since the Home tab has no channel to answer in.

import (
	"context"
	"encoding/json"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// answerFromHome opens the modal where a reviewer picks the office's position on
// an ask listed on their Home tab. A refusal (not on the roster, already closed)
// opens in a modal too: the Home tab has no channel to say it in.
func (r *Router) answerFromHome(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	view := func() slack.ModalViewRequest {
		askID, seen, err := bot.ParseAnswerValue(a.Value)
		if err != nil {
			return noticeModal(r.failure(err, "answer from home"))
		}
		ref, ask, _, err := r.svc.CheckAnswer(ctx, cb.User.ID, askID)
		if err != nil {
			return noticeModal(r.failure(err, "answer from home"))
		}
		return bot.AnswerChoiceModal(ref, ask, r.svc.Roster(), seen)
	}()
	ctx, cancel := triggerContext(ctx)
	defer cancel()
	if err := r.slack.OpenView(ctx, cb.TriggerID, view); err != nil {
		r.log.Error("open answer modal from home", "user", cb.User.ID, "err", err)
	}
}

// submitAnswerChoice records Approve at once, as the Approve button does, and for
// the other positions replaces the modal with the one asking for provisos,
// questions or reasons.
func (r *Router) submitAnswerChoice(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	var meta bot.PositionMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
		return r.viewErrors(bot.Errorf(bot.EINVALID, "This form is damaged; please press Answer on your Home tab again."), "answer from home")
	}
	outcome := bot.Outcome(values(cb).choice(bot.FieldOutcome))
	if !outcome.Valid() {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{bot.FieldOutcome: "Choose a position."})
	}
	if outcome == bot.OutcomeApprove {
		if _, err := r.svc.Answer(ctx, cb.User.ID, meta.AskID, bot.PositionInput{Outcome: outcome, Seen: &meta.Seen}); err != nil {
			return r.viewErrors(err, "answer from home")
		}
		return nil
	}
	ref, ask, _, err := r.svc.CheckAnswer(ctx, cb.User.ID, meta.AskID)
	if err != nil {
		return r.viewErrors(err, "answer from home")
	}
	view := bot.PositionModal(ref, ask, outcome, r.svc.Roster(), "", meta.Seen, r.svc.Provisos())
	return slack.NewUpdateViewSubmissionResponse(&view)
}
