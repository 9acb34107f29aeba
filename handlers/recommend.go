package handlers

import (
	"cmp"
	"context"
	"encoding/json"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// submitRecommendation records the analyst's final recommendation.
func (r *Router) submitRecommendation(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	var meta bot.RecommendationMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
		return r.viewErrors(bot.Errorf(bot.EINVALID, "This form is damaged; please run the command again."), "recommend")
	}
	v := values(cb)
	in := bot.RecommendationInput{
		Outcome:   bot.Outcome(v.choice(bot.FieldOutcome)),
		Fates:     map[bot.ProvisoRef]bot.FateInput{},
		Added:     v.text(bot.FieldAddProvisos),
		Rationale: v.text(bot.FieldRationale),
		Basis:     v.text(bot.FieldBasis),
		Seen:      meta.Seen,
		Questions: v.text(bot.FieldRecQuestions),
	}
	// Each office proviso's fate, wording and reason: a radio choice or a text.
	for field := range v {
		bot.SetFateField(in.Fates, field, cmp.Or(v.choice(field), v.text(field)))
	}
	if _, err := r.svc.Recommend(ctx, cb.User.ID, meta.ReferralID, in); err != nil {
		return r.viewErrors(err, "recommend")
	}
	return nil
}
