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
	r.commands["list"] = r.list
	r.commands["stats"] = r.statsCommand
	// About one referral: the channel's, or the one a case number first names.
	r.commands["status"] = r.onReferral(about{verb: "look at"}, r.status)
	r.commands["recommend"] = r.onReferral(about{verb: "recommend on"}, r.openRecommendationModal)
	r.commands["extend"] = r.onReferral(about{verb: "extend", words: true}, r.extend)
	r.commands["hold"] = r.onReferral(about{verb: "hold", words: true}, r.hold)
	r.commands["resume"] = r.onReferral(about{verb: "resume"}, r.resume)
	r.commands["agency-clock"] = r.onReferral(about{verb: "record the agency's clock on", words: true}, r.agencyClock)
	r.commands["remind"] = r.onReferral(about{verb: "chase the offices of", words: true}, r.remind)
	r.commands["reassign"] = r.onReferral(about{verb: "reassign", words: true, supervisors: true}, r.reassign)
	r.commands["export"] = r.onReferral(about{verb: "export"}, r.exportCommand)
	r.commands["ask"] = r.onReferral(about{verb: "ask an office on", words: true}, r.askOffice)
	r.commands["withdraw"] = r.onReferral(about{verb: "withdraw an ask on", words: true}, r.withdrawAsk)
	r.commands["amend"] = r.onReferral(about{verb: "amend the recommendation on"}, r.openAmendModal)
	r.commands["precedents"] = r.onReferral(about{verb: "look up the precedents of"}, r.precedents)
	r.commands["answer"] = r.onReferral(about{verb: "record the answer to the offices' questions on"}, r.answerQuestions)

	for _, o := range bot.Outcomes {
		r.actions[bot.ActionAnswerPrefix+string(o)] = r.answerButton
	}
	r.actions[bot.ActionAnswerNow] = r.answerNow
	r.actions[bot.ActionSnooze] = r.snooze
	r.actions[bot.ActionJoinDiscussion] = r.joinDiscussion
	r.actions[bot.ActionAnswerFromHome] = r.answerFromHome
	r.actions[bot.ActionSignOff] = r.signOff
	r.actions[bot.ActionRecordAnswer] = r.recordAnswerButton
	// Enter pressed in an input that dispatches (the New referral form's, for the staffing rules).
	r.actions[bot.InputAction] = r.suggestOffices
	r.actions[bot.ActionReassignFromHome] = r.reassignFromHome

	r.views[bot.CallbackOpenReferral] = r.submitNewReferral
	r.views[bot.CallbackPosition] = r.submitPosition
	r.views[bot.CallbackRecommendation] = r.submitRecommendation
	r.views[bot.CallbackAnswerChoice] = r.submitAnswerChoice
	r.views[bot.CallbackAmend] = r.submitAmendment
	r.views[bot.CallbackAnswerQuestions] = r.submitAnswerQuestions
	r.views[bot.CallbackReassign] = r.submitReassign

	r.events["app_home_opened"] = r.homeOpened
	r.events["app_uninstalled"] = r.lostAccess
	r.events["tokens_revoked"] = r.lostAccess
	r.events["subteam_members_changed"] = r.groupChanged
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
