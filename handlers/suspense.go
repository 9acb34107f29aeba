package handlers

// The suspense commands (extend, hold, resume) and the reminder buttons (Snooze,
// Answer now): what moves or chases an office's due date.

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// extend changes a due date: /referral extend <office|all|dod> <YYYY-MM-DD> <reason…>
func (r *Router) extend(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	const usage = "Use `/referral extend <office|all|dod> <YYYY-MM-DD> <reason>`, e.g. `/referral extend army 2026-12-18 waiting on a technical answer`."
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "extend"))
	}
	if len(args) < 3 {
		return ephemeral("A due date change needs what to move, the new date and a reason. " + usage)
	}
	due, err := bot.ParseDate(args[1])
	if err != nil {
		return ephemeral(fmt.Sprintf("%q is not a date like 2026-12-18. %s", args[1], usage))
	}
	target := strings.ToLower(args[0])
	if err := r.svc.Extend(ctx, cmd.UserID, ref.ID, target, due, strings.Join(args[2:], " ")); err != nil {
		return ephemeral(r.failure(err, "extend"))
	}
	what := "every awaiting office's due date"
	switch target {
	case bot.ExtendDoD:
		what = "the DoD due date"
	case bot.ExtendAll:
	default:
		what = r.svc.Roster().OfficeName(target) + "'s due date"
	}
	return ephemeral(fmt.Sprintf("Moved %s on %s to *%s*; reminders are rescheduled.", what, ref.CaseNumber, bot.FormatDate(due)))
}

// hold pauses the referral's clock: /referral hold <reason…>
func (r *Router) hold(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "hold"))
	}
	if err := r.svc.Hold(ctx, cmd.UserID, ref.ID, strings.Join(args, " ")); err != nil {
		return ephemeral(r.failure(err, "hold"))
	}
	return ephemeral(fmt.Sprintf("%s is on hold: no reminders until `/referral resume`, and due dates will move by the business days it was held.", ref.CaseNumber))
}

// resume restarts the referral's clock: /referral resume
func (r *Router) resume(ctx context.Context, cmd slack.SlashCommand, _ []string) any {
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "resume"))
	}
	days, err := r.svc.Resume(ctx, cmd.UserID, ref.ID)
	if err != nil {
		return ephemeral(r.failure(err, "resume"))
	}
	return ephemeral(fmt.Sprintf("%s resumed after %d business day(s) on hold; due dates moved by as much.", ref.CaseNumber, days))
}

// snooze silences an ask's reminders until the next business morning.
func (r *Router) snooze(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	askID, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		r.tellPresser(ctx, cb, "That button is not one of mine.")
		return
	}
	until, err := r.svc.Snooze(ctx, cb.User.ID, askID)
	if err != nil {
		r.tellPresser(ctx, cb, r.failure(err, "snooze"))
		return
	}
	r.tellPresser(ctx, cb, fmt.Sprintf("Snoozed: no reminders for this office before %s.", bot.SlackTime(until)))
}

// answerNow shows the office's answer buttons to the person who pressed it.
func (r *Router) answerNow(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	askID, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		r.tellPresser(ctx, cb, "That button is not one of mine.")
		return
	}
	ref, ask, _, err := r.svc.CheckAnswer(ctx, cb.User.ID, askID)
	if err != nil {
		r.tellPresser(ctx, cb, r.failure(err, "answer now"))
		return
	}
	r.showPresser(ctx, cb, bot.AskMessage(ref, ask, r.svc.Roster()))
}

// interactionChannel is the channel a button was pressed in.
func interactionChannel(cb *slack.InteractionCallback) string {
	if cb.Channel.ID != "" {
		return cb.Channel.ID
	}
	return cb.Container.ChannelID
}
