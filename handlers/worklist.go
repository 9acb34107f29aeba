package handlers

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// list shows the caller's worklist: /referral list [mine|all|overdue]
func (r *Router) list(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	if len(args) > 1 {
		return ephemeral("Use `/referral list`, `/referral list all` or `/referral list overdue`.")
	}
	kind, err := bot.ParseListKind(strings.Join(args, ""))
	if err != nil {
		return ephemeral(r.failure(err, "list"))
	}
	w, err := r.svc.List(ctx, cmd.UserID, kind)
	if err != nil {
		return ephemeral(r.failure(err, "list"))
	}
	text, blocks := bot.ListMessage(w, r.svc.Roster())
	return ephemeral(text, blocks...)
}

// remind posts a reminder for the awaiting offices now: /referral remind [office]
func (r *Router) remind(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	const usage = "Use `/referral remind` to remind every office still awaited, or `/referral remind army` for one."
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "remind"))
	}
	if len(args) > 1 {
		return ephemeral(usage)
	}
	office := strings.ToLower(strings.Join(args, ""))
	n, err := r.svc.Remind(ctx, cmd.UserID, ref.ID, office)
	if err != nil {
		return ephemeral(r.failure(err, "remind"))
	}
	names := func(codes []string) string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = r.svc.Roster().OfficeName(c)
		}
		return strings.Join(out, ", ")
	}
	if len(n.Offices) == 0 {
		return ephemeral(fmt.Sprintf("%s was reminded a moment ago on %s; I won't repeat it within the minute.", names(n.Repeated), ref.CaseNumber))
	}
	return ephemeral(fmt.Sprintf("Reminding %s in <#%s> now.", names(n.Offices), ref.ChannelID))
}

// mention is a user as Slack escapes it in a slash command: <@U123> or <@U123|name>.
var mention = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(\|[^>]*)?>$`)

// reassign hands the referral to another analyst: /referral reassign @user
func (r *Router) reassign(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	const usage = "Use `/referral reassign @analyst`, choosing the person from the list Slack offers as you type."
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "reassign"))
	}
	if len(args) != 1 {
		return ephemeral(usage)
	}
	m := mention.FindStringSubmatch(args[0])
	if m == nil {
		return ephemeral(fmt.Sprintf("I can't tell who %q is. %s", args[0], usage))
	}
	ref, err = r.svc.Reassign(ctx, cmd.UserID, ref.ID, m[1])
	if err != nil {
		return ephemeral(r.failure(err, "reassign"))
	}
	return ephemeral(fmt.Sprintf("%s is now <@%s>'s. They are being added to <#%s>; the summary and Home tabs follow.", ref.CaseNumber, ref.AnalystID, ref.ChannelID))
}
