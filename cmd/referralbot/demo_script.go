package main

import (
	"fmt"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// run is the demo's script: open, answer, be reminded, recommend, export.
func (d *demoRun) run() error {
	sb, fake := d.sb, d.sb.fake
	d.say("referralbot demo: one export-license referral, start to finish, in an emulated Slack workspace.")
	d.say("Every request below reaches the bot's real HTTP handlers signed as Slack signs them; the bot's")
	d.say("Slack Web API calls go to the emulator, which checks them as Slack would. Times are New York's.")
	d.say("\n⏱  %s", demoStart.In(sb.app.cfg.Location).Format("Mon 2006-01-02 15:04 MST"))

	d.act(analyst, "types `/referral new` in #general", func() (slackfake.Ack, error) {
		return fake.SlashCommand(sb.tr, analyst, sb.general, "/referral", "new")
	})
	d.act(analyst, "fills in Commerce Z123456 (BIS-748P, Acme Photonics Inc., 6A003.b.4 thermal cameras to DE, $1,250,000, received 2026-11-20) and submits", func() (slackfake.Ack, error) {
		v, _ := fake.LastView(analyst)
		return fake.SubmitView(sb.tr, analyst, v.ID, referralInputs("Z123456")...)
	})
	if d.err != nil {
		return d.err
	}
	ref, err := sb.app.db.ReferralByCase(d.ctx, bot.AgencyCommerce, "Z123456")
	if err != nil {
		return err
	}
	askTS := func(office string) string {
		asks, _ := sb.app.db.Asks(d.ctx, ref.ID)
		for _, a := range asks {
			if a.OfficeCode == office {
				return a.MessageTS
			}
		}
		return ""
	}
	labels := map[string]string{"answer_approve": "Approve", "answer_approve_with_provisos": "Approve with provisos",
		"answer_rwa": "Return for more information", "answer_deny": "Deny"}
	click := func(who, office, action string) {
		d.act(who, fmt.Sprintf("presses [%s] on the %s ask", labels[action], sb.app.svc.Roster().OfficeName(office)), func() (slackfake.Ack, error) {
			return fake.ClickButton(sb.tr, who, ref.ChannelID, askTS(office), action)
		})
	}
	submit := func(who, what string, inputs ...slackfake.Input) {
		d.act(who, what, func() (slackfake.Ack, error) {
			v, _ := fake.LastView(who)
			return fake.SubmitView(sb.tr, who, v.ID, inputs...)
		})
	}

	click(reviewer("army", 1), "army", "answer_approve")
	click(reviewer("navy", 2), "navy", "answer_approve_with_provisos")
	submit(reviewer("navy", 2), "submits two provisos", slackfake.Input{BlockID: bot.FieldProvisos,
		Value: "For stated end-use only\nNo resale, transfer, or reexport without prior authorization by the U.S. Government"})
	click(reviewer("air_force", 1), "air_force", "answer_rwa")
	submit(reviewer("air_force", 1), "asks the applicant a question", slackfake.Input{BlockID: bot.FieldQuestions,
		Value: "Identify the end user of the 40 spare detector cores."})
	click(reviewer("policy", 1), "policy", "answer_deny")
	submit(reviewer("policy", 1), "gives the reasons for denial", slackfake.Input{BlockID: bot.FieldReasons,
		Value: "Risk of diversion to a restricted end user."})
	for _, o := range []string{"as_re", "technology", "foreign_affairs", "infosec"} {
		click(reviewer(o, 1), o, "answer_approve")
	}
	click(reviewer("navy", 1), "army", "answer_deny") // not on the Army roster

	// Joint Staff stays silent: the bot chases it.
	loc := sb.app.cfg.Location
	morning := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 9, 0, 30, 0, loc) }
	d.tick(morning(2026, 12, 9))  // 2 business days before the office due date (Fri 12-11)
	d.tick(morning(2026, 12, 10)) // 1 business day before
	d.tick(morning(2026, 12, 11)) // due today
	d.tick(morning(2026, 12, 14)) // Monday: overdue, escalated to the analyst
	click(reviewer("joint_staff", 2), "joint_staff", "answer_approve")

	click(reviewer("army", 2), "army", "answer_deny")
	submit(reviewer("army", 2), "changes Army's position to Deny, with reasons", slackfake.Input{BlockID: bot.FieldReasons,
		Value: "New information on the consignee."})

	d.act(analyst, "types `/referral status` in the referral channel", func() (slackfake.Ack, error) {
		return fake.SlashCommand(sb.tr, analyst, ref.ChannelID, "/referral", "status")
	})
	d.act(analyst, "types `/referral recommend`", func() (slackfake.Ack, error) {
		return fake.SlashCommand(sb.tr, analyst, ref.ChannelID, "/referral", "recommend")
	})
	submit(analyst, "chooses Approve with provisos, keeps Navy's provisos, adds one, and writes the rationale",
		slackfake.Input{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApproveWithProvisos)},
		slackfake.Input{BlockID: bot.FieldAddProvisos, Value: "Applicant must inform consignee of all license conditions"},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Navy's provisos answer Policy's and Army's diversion concerns."})
	if d.err != nil {
		return d.err
	}
	record, err := sb.app.svc.Record(d.ctx, ref.ID)
	if err != nil {
		return err
	}
	d.say("\n──────── The exported record ────────\n")
	d.say("%s", record.Markdown())
	return d.err
}
