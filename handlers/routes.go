package handlers

import "github.com/referralbot/referralbot/bot"

// SlashCommand is the bot's one slash command; manifests/slack-app.yaml declares it.
const SlashCommand = "/referral"

// routes lists every subcommand, action_id, callback_id and event the bot handles.
func (r *Router) routes() {
	r.commands["help"] = r.help
	r.commands["new"] = r.openNewReferralModal
	r.commands["status"] = r.status
	r.commands["recommend"] = r.openRecommendationModal

	for _, o := range bot.Outcomes {
		r.actions[bot.ActionAnswerPrefix+string(o)] = r.answerButton
	}

	r.views[bot.CallbackOpenReferral] = r.submitNewReferral
	r.views[bot.CallbackPosition] = r.submitPosition
	r.views[bot.CallbackRecommendation] = r.submitRecommendation
}
