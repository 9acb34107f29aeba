package handlers

import (
	"context"
	"encoding/json"
	"strings"

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
		Provisos:  map[string]string{},
		Added:     v.text(bot.FieldAddProvisos),
		Rationale: v.text(bot.FieldRationale),
		Basis:     v.text(bot.FieldBasis),
		Questions: v.text(bot.FieldRecQuestions),
	}
	for field := range v {
		if office, ok := strings.CutPrefix(field, bot.FieldProvisosOf("")); ok && office != bot.OfficeDTSA {
			in.Provisos[office] = v.text(field)
		}
	}
	if _, err := r.svc.Recommend(ctx, cb.User.ID, meta.ReferralID, in); err != nil {
		return r.viewErrors(err, "recommend")
	}
	return nil
}
