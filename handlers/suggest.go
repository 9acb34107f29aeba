package handlers

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// suggestOffices answers Enter pressed in the New referral form's classification,
// destination or value (their input blocks dispatch, when there are staffing rules):
// it runs the rules on what the form holds and updates the form with the offices
// they choose. It runs before the acknowledgement, like opening a modal, so the
// analyst sees the offices change at once; views.update is Tier 4.
func (r *Router) suggestOffices(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) {
	if cb.View.CallbackID != bot.CallbackOpenReferral || !r.svc.IsAnalyst(cb.User.ID) {
		return
	}
	v := values(cb)
	suggested := r.svc.SuggestOffices(v.choice(bot.FieldAgency), v.text(bot.FieldClassification), v.text(bot.FieldDestination), v.text(bot.FieldValue))
	stateDue, _ := r.svc.DefaultDueDates(bot.AgencyState)
	commerceDue, _ := r.svc.DefaultDueDates(bot.AgencyCommerce)
	view := bot.NewReferralModal(r.svc.Roster(), bot.FormatDate(r.svc.Today()), bot.FormatDate(stateDue), bot.FormatDate(commerceDue),
		bot.StaffingForm{Rules: true, Applied: true, Suggested: suggested})
	ctx, cancel := triggerContext(ctx)
	defer cancel()
	// The hash makes a stale update fail rather than overwrite a newer one (two quick Enters).
	if err := r.slack.UpdateView(ctx, cb.View.ID, cb.View.Hash, view); err != nil {
		r.log.Warn("suggest offices: update the new referral form", "user", cb.User.ID, "err", err)
	}
}

// officesChosen reads the offices select of the New referral form, whose action_id
// changes when the staffing rules choose offices (bot.ActionStaffedPrefix).
func officesChosen(v formValues) []string {
	for id, a := range v[bot.FieldOffices] {
		if id == bot.InputAction || strings.HasPrefix(id, bot.ActionStaffedPrefix) {
			var out []string
			for _, o := range a.SelectedOptions {
				out = append(out, o.Value)
			}
			return out
		}
	}
	return nil
}
