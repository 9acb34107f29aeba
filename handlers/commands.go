package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

func (r *Router) help(_ context.Context, _ slack.SlashCommand, _ []string) any {
	return ephemeral(helpText(r.command))
}

// openNewReferralModal opens the "New referral" form for an analyst.
func (r *Router) openNewReferralModal(ctx context.Context, cmd slack.SlashCommand, _ []string) any {
	if !r.svc.IsAnalyst(cmd.UserID) {
		return ephemeral("Only licensing analysts can open referrals. Ask an operator to add you to the roster's analysts.")
	}
	stateDue, _ := r.svc.DefaultDueDates(bot.AgencyState)
	commerceDue, _ := r.svc.DefaultDueDates(bot.AgencyCommerce)
	view := bot.NewReferralModal(r.svc.Roster(), bot.FormatDate(r.svc.Today()), bot.FormatDate(stateDue), bot.FormatDate(commerceDue),
		bot.StaffingForm{Rules: r.svc.HasStaffingRules()})
	ctx, cancel := triggerContext(ctx)
	defer cancel()
	if err := r.slack.OpenView(ctx, cmd.TriggerID, view); err != nil {
		r.log.Error("open new referral modal", "err", err)
		return ephemeral("I couldn't open the form just now; please try the command again.")
	}
	return nil
}

// status shows the caller where every office stands on this channel's referral.
func (r *Router) status(ctx context.Context, cmd slack.SlashCommand, _ []string) any {
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "status"))
	}
	t, err := r.svc.Tally(ctx, ref.ID)
	if err != nil {
		return ephemeral(r.failure(err, "status"))
	}
	blocks := bot.TallyBlocks(t, r.svc.Roster())
	// Work that waits on an operator says so, or a missing channel looks like slowness.
	stuck, err := r.svc.StuckWork(ctx, ref.ID)
	if err != nil {
		r.log.Error("status: stuck work", "referral", ref.ID, "err", err)
	}
	return ephemeral("Where the offices stand on "+ref.CaseNumber, append(blocks, bot.StuckBlocks(stuck)...)...)
}

// openRecommendationModal opens the final recommendation form for an analyst.
func (r *Router) openRecommendationModal(ctx context.Context, cmd slack.SlashCommand, _ []string) any {
	ref, err := r.referralHere(ctx, cmd)
	if err != nil {
		return ephemeral(r.failure(err, "recommend"))
	}
	t, err := r.svc.CheckRecommend(ctx, cmd.UserID, ref.ID)
	if err != nil {
		return ephemeral(r.failure(err, "recommend"))
	}
	ctx, cancel := triggerContext(ctx)
	defer cancel()
	view := bot.RecommendationModal(t, r.svc.Roster())
	// The precedents help decide; a failure to read them must not stop the form.
	if p, err := r.svc.Precedents(ctx, cmd.UserID, ref.ID); err == nil {
		bot.AddPrecedents(&view, p)
	} else {
		r.log.Error("recommend: precedents", "referral", ref.ID, "err", err)
	}
	if err := r.slack.OpenView(ctx, cmd.TriggerID, view); err != nil {
		r.log.Error("open recommendation modal", "err", err)
		return ephemeral("I couldn't open the form just now; please try the command again.")
	}
	return nil
}

// referralHere finds the referral the command is about: the one its case number
// named (see onReferral), or else the one whose channel it was typed in.
func (r *Router) referralHere(ctx context.Context, cmd slack.SlashCommand) (*bot.Referral, error) {
	if ref, ok := ctx.Value(referralKey{}).(*bot.Referral); ok {
		return ref, nil
	}
	ref, err := r.svc.ReferralByChannel(ctx, cmd.ChannelID)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil, bot.Errorf(bot.ENOTFOUND, "This isn't a referral channel. Use this command in the referral's own channel, or put the case number first, e.g. `%s status Z123456`.", r.command)
	}
	return ref, err
}
