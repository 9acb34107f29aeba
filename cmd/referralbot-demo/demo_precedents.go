package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// seedStart is Monday 2026-06-01 10:00 in New York: the first earlier referral.
var seedStart = time.Date(2026, 6, 1, 14, 0, 0, 0, time.UTC)

// demoLibrary is the demo's standard conditions: the Commerce entries of
// testdata/provisos.example.yaml, BIS's public examples (DOMAIN.md).
const demoLibrary = `provisos:
  - {code: BIS-1, agency: commerce, text: For stated end-use only.}
  - {code: BIS-2, agency: commerce, text: "No resale, transfer, or reexport without prior authorization by the U.S. Government."}
  - {code: BIS-3, agency: commerce, text: Applicant must inform consignee of all license conditions.}
`

// earlier is one referral DoD decided before the demo's: opened, answered and
// recommended through the bot, as any other.
type earlier struct {
	caseNumber, applicant, commodity, classification, destination, endUser, value string
	received                                                                      time.Time
	offices                                                                       []string // asked: those that answer
	answers                                                                       func(d *demoRun, r *bot.Referral)
	recommend                                                                     []slackfake.Input
}

// earlierReferrals are the applicant's two earlier referrals: one thermal camera
// sale to the same end user, approved with Navy's standard conditions; one of
// camera cores to another country, returned without action. The applicant's
// name is written differently each time, as applicants do: the precedents match
// on the name normalised.
var earlierReferrals = []earlier{
	{
		caseNumber: "Z118204", applicant: "Acme Photonics Inc.", commodity: "Uncooled thermal imaging cameras",
		classification: "6A003.b.4", destination: "DE", endUser: "Bundeswehr procurement office, Koblenz", value: "480,000",
		received: time.Date(2026, 5, 29, 0, 0, 0, 0, time.UTC), offices: []string{"army", "navy", "technology", "policy"},
		answers: func(d *demoRun, r *bot.Referral) {
			d.press(sandbox.Reviewer("navy", 1), r, "navy", "answer_approve_with_provisos")
			d.submitLast(sandbox.Reviewer("navy", 1), "chooses BIS-1 and BIS-2",
				slackfake.Input{BlockID: bot.FieldStandardProvisos, Values: []string{"BIS-1", "BIS-2"}})
			for _, o := range []string{"army", "technology", "policy"} {
				d.press(sandbox.Reviewer(o, 1), r, o, "answer_approve")
			}
		},
		recommend: []slackfake.Input{ // Navy's two conditions are kept: the form starts each at Keep
			{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeApproveWithProvisos)},
			{BlockID: bot.FieldRationale, Value: "Same end user as earlier approvals; Navy's standard conditions suffice."},
		},
	},
	{
		caseNumber: "Z119377", applicant: "ACME PHOTONICS, INC", commodity: "Thermal imaging camera cores",
		classification: "6A003.b.3", destination: "PL", endUser: "Polish Armaments Group, Warsaw", value: "2,100,000",
		received: time.Date(2026, 9, 11, 0, 0, 0, 0, time.UTC), offices: []string{"army", "air_force", "technology"},
		answers: func(d *demoRun, r *bot.Referral) {
			d.press(sandbox.Reviewer("air_force", 1), r, "air_force", "answer_rwa")
			d.submitLast(sandbox.Reviewer("air_force", 1), "asks about the consignee",
				slackfake.Input{BlockID: bot.FieldQuestions, Value: "Name the consignee that integrates the cores, and its end users."})
			for _, o := range []string{"army", "technology"} {
				d.press(sandbox.Reviewer(o, 1), r, o, "answer_approve")
			}
		},
		recommend: []slackfake.Input{
			{BlockID: bot.FieldOutcome, Value: string(bot.OutcomeRWA)},
			{BlockID: bot.FieldRationale, Value: "The application does not name the integrator of the cores."},
			{BlockID: bot.FieldRecQuestions, Value: "Name the consignee that integrates the cores, and its end users."},
		},
	},
}

// seedPrecedents runs the applicant's earlier referrals through the bot before the
// story starts, quietly: opened from the form, answered from the office queues,
// recommended from the recommendation form, their channels archived. The
// precedent index is kept as in production, by the final recommendations
// themselves. Then the emulator's call log is cleared, so that the narration and
// the noise figures are the demo referral's alone, and the clock moves to the
// story's start.
func (d *demoRun) seedPrecedents() error {
	sb, fake := d.sb, d.sb.Fake
	d.quiet = true
	var decided []*bot.Referral
	for _, e := range earlierReferrals {
		opened := time.Date(e.received.Year(), e.received.Month(), e.received.Day()+3, 14, 0, 0, 0, time.UTC) // the Monday after
		sb.Clock.Set(opened)
		d.act(sandbox.Analyst, "types `/referral new`", func() (slackfake.Ack, error) {
			return fake.SlashCommand(sb.Transport, sandbox.Analyst, sb.General, "/referral", "new")
		})
		d.submitLast(sandbox.Analyst, "opens "+e.caseNumber, e.inputs()...)
		if d.err != nil {
			return d.err
		}
		r, err := sb.App.DB.ReferralByCase(d.ctx, bot.AgencyCommerce, e.caseNumber)
		if err != nil {
			return err
		}
		e.answers(d, r)
		sb.Clock.Set(opened.Add(4 * 24 * time.Hour)) // decided that Friday
		d.act(sandbox.Analyst, "types `/referral recommend`", func() (slackfake.Ack, error) {
			return fake.SlashCommand(sb.Transport, sandbox.Analyst, r.ChannelID, "/referral", "recommend")
		})
		d.submitLast(sandbox.Analyst, "records the final recommendation", e.recommend...)
		decided = append(decided, r)
	}
	// Past ARCHIVE_AFTER_DAYS: the bot archives the earlier channels.
	d.tick(seedStart.AddDate(0, 4, 14))
	d.quiet = false
	if d.err != nil {
		return d.err
	}

	d.say("\nThe bot's database already holds two earlier referrals from the same applicant, each opened, staffed")
	d.say("to the offices and decided through the bot before this story starts (their channels since archived):")
	loc := sb.App.Config.Location()
	for _, r := range decided {
		rec, err := sb.App.DB.Recommendation(d.ctx, r.ID)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("  • %s, decided %s: %s", r.CaseNumber, rec.RecordedAt.In(loc).Format(time.DateOnly), rec.Outcome.LabelFor(r.Agency))
		var offices []string
		kept := map[string][]string{} // office → the library codes the final kept
		for _, p := range rec.Provisos {
			if p.Code != "" {
				if kept[p.OfficeCode] == nil {
					offices = append(offices, p.OfficeCode)
				}
				kept[p.OfficeCode] = append(kept[p.OfficeCode], p.Code)
			}
		}
		for _, o := range offices {
			term := r.Agency.Term()
			if len(kept[o]) > 1 {
				term = r.Agency.Terms()
			}
			line += fmt.Sprintf(", keeping %s's standard %s %s", sb.App.Service.Roster().OfficeName(o), term, strings.Join(kept[o], " and "))
		}
		d.say("%s\n      %s · %s · %s · to %s · end user %s", line, r.Applicant, r.Commodity, r.Classification, r.Destination, r.EndUser)
	}
	fake.Reset()
	d.seen = 0
	for _, c := range fake.Channels() {
		d.names[c.ID] = c.Name
	}
	sb.Clock.Set(demoStart)
	return nil
}

// inputs fill the New referral form for an earlier referral, asking only the
// offices that answer it.
func (e earlier) inputs() []slackfake.Input {
	return []slackfake.Input{
		{BlockID: bot.FieldAgency, Value: "commerce"},
		{BlockID: bot.FieldCaseNumber, Value: e.caseNumber},
		{BlockID: bot.FieldLicenseType, Value: "BIS-748P"},
		{BlockID: bot.FieldApplicant, Value: e.applicant},
		{BlockID: bot.FieldCommodity, Value: e.commodity},
		{BlockID: bot.FieldClassification, Value: e.classification},
		{BlockID: bot.FieldDestination, Value: e.destination},
		{BlockID: bot.FieldEndUser, Value: e.endUser},
		{BlockID: bot.FieldValue, Value: e.value},
		{BlockID: bot.FieldReceived, Value: e.received.Format(time.DateOnly)},
		{BlockID: bot.FieldOffices, Values: e.offices},
	}
}

// askOf is the office's ask on the referral.
func (d *demoRun) askOf(r *bot.Referral, office string) *bot.Ask {
	asks, _ := d.sb.App.DB.Asks(d.ctx, r.ID)
	for _, a := range asks {
		if a.OfficeCode == office {
			return a
		}
	}
	return &bot.Ask{}
}

// buttonLabels are the ask's buttons as a reviewer reads them.
var buttonLabels = map[string]string{"answer_approve": "Approve", "answer_approve_with_provisos": "Approve with conditions",
	"answer_rwa": "Return without action", "answer_deny": "Deny", bot.ActionJoinDiscussion: "Join the discussion"}

// press has who press a button on the office's ask on r.
func (d *demoRun) press(who string, r *bot.Referral, office, action string) {
	a := d.askOf(r, office)
	d.act(who, fmt.Sprintf("presses [%s] on the %s ask in %s", buttonLabels[action], d.sb.App.Service.Roster().OfficeName(office), d.where(a.ChannelID)),
		func() (slackfake.Ack, error) {
			return d.sb.Fake.ClickButton(d.sb.Transport, who, a.ChannelID, a.MessageTS, action)
		})
}

// submitLast has who submit the form the bot last opened for them.
func (d *demoRun) submitLast(who, what string, inputs ...slackfake.Input) {
	d.act(who, what, func() (slackfake.Ack, error) {
		v, _ := d.sb.Fake.LastView(who)
		return d.sb.Fake.SubmitView(d.sb.Transport, who, v.ID, inputs...)
	})
}

// panel is the precedent panel's text in a message's or a form's blocks (the
// sections and notes after the ":books:" one), "" when there is none.
func panel(blocks any) string {
	raw, ok := blocks.(string)
	if !ok {
		b, _ := json.Marshal(blocks)
		raw = string(b)
	}
	var bs []struct {
		Type     string `json:"type"`
		Text     struct{ Text string }
		Elements []struct{ Text string }
	}
	if json.Unmarshal([]byte(raw), &bs) != nil {
		return ""
	}
	var out []string
	for _, b := range bs {
		switch {
		case b.Type == "section" && (len(out) > 0 || strings.HasPrefix(b.Text.Text, ":books:")):
			out = append(out, b.Text.Text)
		case b.Type == "context" && len(out) > 0:
			for _, e := range b.Elements {
				out = append(out, e.Text)
			}
		case len(out) > 0:
			return strings.Join(out, "\n")
		}
	}
	return strings.Join(out, "\n")
}
