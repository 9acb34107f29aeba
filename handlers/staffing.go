package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Staffing after opening (/referral ask, /referral withdraw), joining a referral's
// discussion from an office queue, and need to know (leaving a user group).

// askOffice asks another office: /referral ask OFFICE
func (r *Router) askOffice(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	const usage = "Use `/referral ask OFFICE`, e.g. `/referral ask navy`."
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "ask"))
	}
	if len(args) != 1 {
		return ephemeral("Name one office to ask. " + usage)
	}
	a, err := r.svc.AskOffice(ctx, cmd.UserID, ref.ID, args[0])
	if err != nil {
		return ephemeral(r.failure(err, "ask"))
	}
	return ephemeral(fmt.Sprintf("Asking %s on %s, due %s.", r.svc.Roster().OfficeName(a.OfficeCode), ref.CaseNumber, a.DueDate.Format("2006-01-02")))
}

// withdrawAsk withdraws an office's ask: /referral withdraw OFFICE <reason…>
func (r *Router) withdrawAsk(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	const usage = "Use `/referral withdraw OFFICE <reason>`, e.g. `/referral withdraw navy no naval equities`."
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "withdraw"))
	}
	if len(args) < 2 {
		return ephemeral("A withdrawal needs the office and a reason. " + usage)
	}
	a, err := r.svc.WithdrawAsk(ctx, cmd.UserID, ref.ID, args[0], strings.Join(args[1:], " "))
	if err != nil {
		return ephemeral(r.failure(err, "withdraw"))
	}
	return ephemeral(fmt.Sprintf("Withdrew the ask to %s on %s; the reason is recorded and shown on the ask.", r.svc.Roster().OfficeName(a.OfficeCode), ref.CaseNumber))
}

// joinDiscussion invites the presser into the referral's channel from its ask in
// their office's queue.
func (r *Router) joinDiscussion(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	askID, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		r.tellPresser(ctx, cb, "That button is not one of mine.")
		return
	}
	ref, err := r.svc.JoinDiscussion(ctx, cb.User.ID, askID)
	if err != nil {
		r.tellPresser(ctx, cb, r.failure(err, "join"))
		return
	}
	r.tellPresser(ctx, cb, fmt.Sprintf("Adding you to the discussion of %s: <#%s>.", ref.CaseNumber, ref.ChannelID))
}

// groupChanged handles subteam_members_changed: people who left an office's user
// group lose the right to answer at once, and leave the referral channels they
// joined through it.
func (r *Router) groupChanged(ctx context.Context, ev slackevents.EventsAPIEvent) {
	e, ok := ev.InnerEvent.Data.(*slackevents.SubteamMembersChangedEvent)
	if !ok {
		if v, ok2 := ev.InnerEvent.Data.(slackevents.SubteamMembersChangedEvent); ok2 {
			e, ok = &v, true
		}
	}
	if !ok || e.SubteamID == "" || len(e.RemovedUsers) == 0 {
		return
	}
	if err := r.svc.GroupMembersLeft(ctx, e.SubteamID, e.RemovedUsers); err != nil {
		r.log.Error("need to know: removing people who left a user group", "group", e.SubteamID, "err", err)
	}
}
