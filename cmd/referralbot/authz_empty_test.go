package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestNotReadyReferralIsNotAnOutsidersBusiness: a referral whose channel is not
// created yet has no channel id, and a command from a context with no channel id
// must not count as "in the referral's channel". Found from outside: an outsider's
// `status Z950001` with an empty channel_id returned the tally.
func TestNotReadyReferralIsNotAnOutsidersBusiness(t *testing.T) {
	for _, transport := range []string{"http", "socket"} {
		t.Run(transport, func(t *testing.T) {
			h := newHarness(t, transport)
			h.command(analyst, h.General, "new")
			v := h.lastView(analyst, bot.CallbackOpenReferral)
			h.submit(analyst, v.ID, referralInputs("Z950001")...) // not drained: no channel yet
			r, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z950001")
			if err != nil || r.ChannelID != "" {
				t.Fatalf("referral %+v, %v; want it stored with no channel yet", r, err)
			}
			for _, cmd := range []string{"status Z950001", "export Z950001"} {
				// Delivered as Slack would, but with no channel_id: the emulator never
				// sends one empty, so the form is built here.
				ack, err := h.tr.Deliver(h.ctx, slackfake.Delivery{Kind: slackfake.KindCommand, Form: url.Values{
					"team_id": {slackfake.DefaultTeamID}, "channel_id": {""}, "user_id": {outsider},
					"command": {handlers.SlashCommand}, "text": {cmd}, "token": {slackfake.DefaultVerificationToken},
				}})
				if err != nil || ack.Status != 200 {
					t.Fatalf("%s: %d %v", cmd, ack.Status, err)
				}
				got := ack.Text()
				if !strings.Contains(got, "Only licensing analysts") || strings.Contains(got, "offices answered") {
					t.Errorf("%s by an outsider with no channel = %q; want a refusal and no tally", cmd, got)
				}
			}
		})
	}
}
