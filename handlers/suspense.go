package handlers

// The suspense commands (extend, hold, resume) and the reminder buttons (Snooze,
// Answer now): what moves or chases an office's due date. agency-clock records what
// moves the DoD due date: a BIS or DDTC clock stop or extension.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// extend changes offices' suspense dates: /referral extend <office|all> <YYYY-MM-DD> <reason…>
func (r *Router) extend(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	const usage = "Use `/referral extend <office|all> <YYYY-MM-DD> <reason>`, e.g. `/referral extend army 2026-12-18 waiting on a technical answer`."
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
	what := "every awaiting office's suspense date"
	if target != bot.ExtendAll {
		what = r.svc.Roster().OfficeName(target) + "'s suspense date"
	}
	return ephemeral(fmt.Sprintf("Moved %s on %s to *%s*; reminders are rescheduled. The DoD due date stays %s.",
		what, ref.CaseNumber, bot.FormatDate(due), bot.FormatDate(ref.DoDDueDate)))
}

// agencyClock records a licensing agency's action on the DoD due date:
// /referral agency-clock stop <stopped> <restarted> <reference> <reason…>
// /referral agency-clock extend <new DoD due> <reference> <reason…>
func (r *Router) agencyClock(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	usage := "Use " + bot.AgencyClockUsage
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "record the agency's clock"))
	}
	in := bot.AgencyClockInput{}
	if len(args) > 0 {
		in.Action = bot.AgencyClockAction(strings.ToLower(args[0]))
	}
	dates := 1
	if in.Action == bot.AgencyClockStop {
		dates = 2
	}
	if len(args) < 3+dates {
		return ephemeral("The DoD due date moves only when the agency stops its clock or grants more time; record the action, its date(s), the agency's reference and a reason. " + usage)
	}
	var parsed []time.Time
	for _, a := range args[1 : 1+dates] {
		d, err := bot.ParseDate(a)
		if err != nil {
			return ephemeral(fmt.Sprintf("%q is not a date like 2026-12-18. %s", a, usage))
		}
		parsed = append(parsed, d)
	}
	if in.Action == bot.AgencyClockStop {
		in.Stopped, in.Restarted = parsed[0], parsed[1]
	} else {
		in.NewDue = parsed[0]
	}
	in.Reference, in.Reason = args[1+dates], strings.Join(args[2+dates:], " ")
	moved, err := r.svc.RecordAgencyClock(ctx, cmd.UserID, ref.ID, in)
	if err != nil {
		return ephemeral(r.failure(err, "record the agency's clock"))
	}
	return ephemeral(fmt.Sprintf("Recorded the %s action (%s): the DoD due date on %s moved from %s to *%s* (%d calendar days). "+
		"The offices' suspense dates are unchanged; `/referral extend all <YYYY-MM-DD> <reason>` moves them.",
		ref.Agency.ShortName(), in.Reference, ref.CaseNumber, bot.FormatDate(moved.From), bot.FormatDate(moved.To), moved.CalendarDays))
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
	return ephemeral(fmt.Sprintf("%s is on hold: no reminders until `/referral resume`, and the offices' suspense dates will move by the business days it was held. "+
		"The DoD due date (%s) does not stop.", ref.CaseNumber, bot.FormatDate(ref.DoDDueDate)))
}

// resume restarts the referral's clock: /referral resume
func (r *Router) resume(ctx context.Context, cmd slack.SlashCommand, _ []string) any {
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "resume"))
	}
	res, err := r.svc.Resume(ctx, cmd.UserID, ref.ID)
	if err != nil {
		return ephemeral(r.failure(err, "resume"))
	}
	capped := ""
	if res.Capped {
		capped = " (but no later than the last business day before the DoD due date)"
	}
	return ephemeral(fmt.Sprintf("%s resumed after %d business day(s) on hold; the offices' suspense dates moved by as much%s. The DoD due date stays %s.",
		ref.CaseNumber, res.BusinessDaysHeld, capped, bot.FormatDate(res.DoDDueDate)))
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
