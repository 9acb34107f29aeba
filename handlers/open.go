package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// submitNewReferral opens the referral described in the "New referral" modal. The
// view id is the idempotency key: a replayed submission opens nothing twice.
func (r *Router) submitNewReferral(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	v := values(cb)
	in := bot.ReferralInput{
		Agency:         v.choice(bot.FieldAgency),
		CaseNumber:     v.text(bot.FieldCaseNumber),
		LicenseType:    v.choice(bot.FieldLicenseType),
		Applicant:      v.text(bot.FieldApplicant),
		Commodity:      v.text(bot.FieldCommodity),
		Classification: v.text(bot.FieldClassification),
		Destination:    v.text(bot.FieldDestination),
		EndUser:        v.text(bot.FieldEndUser),
		Value:          v.text(bot.FieldValue),
		USXPORTSRef:    v.text(bot.FieldUSXPORTS),
		Received:       v.date(bot.FieldReceived),
		DoDDue:         v.date(bot.FieldDoDDue),
		OfficeDue:      v.date(bot.FieldOfficeDue),
		Offices:        officesChosen(v),
		AlsoInvite:     v.users(bot.FieldAlsoInvite),
		ReReferral:     v.choice(bot.FieldReReferral),
		StaffedBy:      bot.StaffedByOf(cb.View.PrivateMetadata),
	}
	if _, err := r.svc.OpenReferral(ctx, cb.User.ID, in, "view:"+cb.View.ID); err != nil {
		return r.viewErrors(err, "open referral")
	}
	return nil
}
