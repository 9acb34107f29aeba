package handlers

import (
	"slices"

	"github.com/referralbot/referralbot/bot"
)

// SlashCommand is the bot's one slash command; manifests/slack-app.yaml declares it.
const SlashCommand = "/referral"

// routes lists every subcommand, action_id, callback_id and event the bot handles.
func (r *Router) routes() {
	r.commands["help"] = r.help
	r.commands["new"] = r.openNewReferralModal
	r.commands["status"] = r.status
	r.commands["recommend"] = r.openRecommendationModal
	r.commands["extend"] = r.extend
	r.commands["hold"] = r.hold
	r.commands["resume"] = r.resume
	r.commands["export"] = r.exportCommand
	r.commands["stats"] = r.statsCommand

	for _, o := range bot.Outcomes {
		r.actions[bot.ActionAnswerPrefix+string(o)] = r.answerButton
	}
	r.actions[bot.ActionAnswerNow] = r.answerNow
	r.actions[bot.ActionSnooze] = r.snooze

	r.views[bot.CallbackOpenReferral] = r.submitNewReferral
	r.views[bot.CallbackPosition] = r.submitPosition
	r.views[bot.CallbackRecommendation] = r.submitRecommendation

	r.events["app_uninstalled"] = r.lostAccess
	r.events["tokens_revoked"] = r.lostAccess
}

// EventTypes lists the Events API event types the router handles; the app manifest
// subscribes to exactly these.
func (r *Router) EventTypes() []string {
	out := make([]string, 0, len(r.events))
	for t := range r.events {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
