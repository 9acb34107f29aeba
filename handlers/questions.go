package handlers

// The RWA loop: the referral's analyst records the applicant's or the licensing
// agency's answer to the offices' questions, from the Record the answer button on
// an ask or with /referral answer, and the offices that asked are asked again.

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// answerQuestions opens the answer modal: /referral answer
func (r *Router) answerQuestions(ctx context.Context, cmd slack.SlashCommand, _ []string) any {
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "answer questions"))
	}
	view, err := r.answerModal(ctx, cmd.UserID, ref.ID)
	if err != nil {
		return ephemeral(r.failure(err, "answer questions"))
	}
	ctx, cancel := triggerContext(ctx)
	defer cancel()
	if err := r.slack.OpenView(ctx, cmd.TriggerID, view); err != nil {
		r.log.Error("open answer modal", "err", err)
		return ephemeral("I couldn't open the form just now; please try the command again.")
	}
	return nil
}

// recordAnswerButton opens the answer modal from an ask whose office's questions
// are out; anyone but the referral's analyst is told why not.
func (r *Router) recordAnswerButton(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		r.tellPresser(ctx, cb, "That button is not one of mine.")
		return
	}
	view, err := r.answerModal(ctx, cb.User.ID, id)
	if err != nil {
		r.tellPresser(ctx, cb, r.failure(err, "answer questions"))
		return
	}
	ctx, cancel := triggerContext(ctx)
	defer cancel()
	if err := r.slack.OpenView(ctx, cb.TriggerID, view); err != nil {
		r.log.Error("open answer modal", "err", err)
		r.tellPresser(ctx, cb, "I couldn't open the form just now; please press the button again.")
	}
}

// answerModal checks that user may record the answer now and renders the modal.
func (r *Router) answerModal(ctx context.Context, user string, referralID int64) (slack.ModalViewRequest, error) {
	t, out, err := r.svc.CheckQuestions(ctx, user, referralID)
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	due := bot.FormatDate(r.svc.ReaskDue(t.Referral))
	return bot.AnswerModal(t, out, r.svc.Roster(), due, r.svc.ReaskBusinessDays()), nil
}

// submitAnswerQuestions records the answer and asks the offices again.
func (r *Router) submitAnswerQuestions(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	var meta bot.AnswerMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Positions == nil {
		return r.viewErrors(bot.Errorf(bot.EINVALID, "This form is damaged; please run `/referral answer` again."), "answer questions")
	}
	v := values(cb)
	_, err := r.svc.RecordAnswer(ctx, cb.User.ID, meta.ReferralID, bot.AnswerInput{
		Source:    v.choice(bot.FieldAnswerSource),
		Text:      v.text(bot.FieldAnswerText),
		Due:       v.date(bot.FieldAnswerDue),
		Positions: meta.Positions,
	})
	if err != nil {
		return r.viewErrors(err, "answer questions")
	}
	return nil
}
