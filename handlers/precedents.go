package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// precedents shows the caller, ephemerally, DoD's earlier recommendations that
// match the referral, as far as they may see them (bot.Service.Precedents).
func (r *Router) precedents(ctx context.Context, cmd slack.SlashCommand, _ []string) any {
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "precedents"))
	}
	p, err := r.svc.Precedents(ctx, cmd.UserID, ref.ID)
	if err != nil {
		return ephemeral(r.failure(err, "precedents"))
	}
	return ephemeral("Precedents for "+ref.CaseNumber, bot.PrecedentBlocks(p)...)
}
