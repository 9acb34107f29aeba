package handlers

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// answerButton handles the four answer buttons on an office's ask. Approve is
// recorded at once; the others open a modal for provisos (conditions), questions or reasons.
func (r *Router) answerButton(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	outcome := bot.Outcome(strings.TrimPrefix(a.ActionID, bot.ActionAnswerPrefix))
	channel := interactionChannel(cb)
	askID, seen, err := bot.ParseAnswerValue(a.Value)
	if err != nil {
		r.tellPresser(ctx, cb, r.failure(err, "answer"))
		return
	}
	if outcome == bot.OutcomeApprove {
		// The ask message updates to show the position and who gave it: that is the
		// confirmation, and it keeps Slack calls out of the acknowledgement.
		if _, err := r.svc.Answer(ctx, cb.User.ID, askID, bot.PositionInput{Outcome: outcome, Seen: &seen}); err != nil {
			r.tellPresser(ctx, cb, r.failure(err, "answer"))
		}
		return
	}
	ref, ask, _, err := r.svc.CheckAnswer(ctx, cb.User.ID, askID)
	if err != nil {
		r.tellPresser(ctx, cb, r.failure(err, "answer"))
		return
	}
	ctx, cancel := triggerContext(ctx)
	defer cancel()
	if err := r.slack.OpenView(ctx, cb.TriggerID, bot.PositionModal(ref, ask, outcome, r.svc.Roster(), channel, seen, r.svc.Provisos())); err != nil {
		r.log.Error("open position modal", "err", err)
		r.tellPresser(ctx, cb, "I couldn't open the form just now; please press the button again.")
	}
}

// submitPosition records a position with its provisos, questions or reasons.
func (r *Router) submitPosition(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	var meta bot.PositionMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
		return r.viewErrors(bot.Errorf(bot.EINVALID, "This form is damaged; please press the button on the ask again."), "position")
	}
	v := values(cb)
	_, err := r.svc.Answer(ctx, cb.User.ID, meta.AskID, bot.PositionInput{
		Seen:      &meta.Seen,
		Outcome:   meta.Outcome,
		Provisos:  v.text(bot.FieldProvisos),
		Standard:  v.choices(bot.FieldStandardProvisos),
		Questions: v.text(bot.FieldQuestions),
		Reasons:   v.text(bot.FieldReasons),
		Basis:     v.text(bot.FieldBasis),
		Comment:   v.text(bot.FieldComment),
		Agency:    meta.Agency,
	})
	if err != nil {
		return r.viewErrors(err, "position")
	}
	return nil
}

// formValues reads a submitted modal's inputs by block id (every input's action id
// is bot.InputAction).
type formValues map[string]map[string]slack.BlockAction

func values(cb *slack.InteractionCallback) formValues {
	if cb.View.State == nil {
		return formValues{}
	}
	return cb.View.State.Values
}

func (v formValues) get(field string) slack.BlockAction { return v[field][bot.InputAction] }

// text returns a plain-text input's value.
func (v formValues) text(field string) string { return v.get(field).Value }

// date returns a datepicker's chosen date.
func (v formValues) date(field string) string { return v.get(field).SelectedDate }

// choice returns the chosen option of a select or radio buttons.
func (v formValues) choice(field string) string { return v.get(field).SelectedOption.Value }

// users returns the people chosen in a users multi-select.
func (v formValues) users(field string) []string { return v.get(field).SelectedUsers }

// choices returns the chosen options of a multi-select.
func (v formValues) choices(field string) []string {
	var out []string
	for _, o := range v.get(field).SelectedOptions {
		out = append(out, o.Value)
	}
	return out
}
