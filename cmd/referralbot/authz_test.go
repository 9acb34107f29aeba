package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// replayAs delivers the last recorded request again as if another person had sent
// it: Slack signs whatever it delivers, so only the bot's own checks stand between
// that person and the action.
func (h *harness) replayAs(user string) slackfake.Ack {
	h.t.Helper()
	h.tr.mu.Lock()
	d := h.tr.last
	h.tr.mu.Unlock()
	if d.Form != nil {
		f := make(map[string][]string, len(d.Form))
		for k, v := range d.Form {
			f[k] = v
		}
		f["user_id"] = []string{user}
		d.Form = f
	} else {
		var p map[string]any
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			h.t.Fatal(err)
		}
		p["user"] = map[string]any{"id": user, "username": user, "name": user, "team_id": h.Fake.TeamID()}
		d.Payload, _ = json.Marshal(p)
	}
	ack, err := h.tr.Transport.Deliver(context.Background(), d)
	if err != nil {
		h.t.Fatal(err)
	}
	return ack
}

// The roles of the authorisation matrix.
const (
	roleOwner    = "the referral's analyst"
	roleAnalyst  = "another analyst"
	roleRoster   = "Army roster (user group)"
	roleDelegate = "Army delegate (named user)"
	roleOther    = "another office's roster"
	roleOutsider = "outside the referral channel"
)

var roleUser = map[string]string{
	roleOwner: analyst, roleAnalyst: analyst2, roleRoster: reviewer("army", 1),
	roleDelegate: delegate, roleOther: reviewer("navy", 1), roleOutsider: outsider,
}

// TestAuthorizationMatrix walks every command, button and modal against every role,
// checking who may do it and that a refusal changes nothing.
func TestAuthorizationMatrix(t *testing.T) {
	type action struct {
		name    string
		allowed []string
		// do performs the action as user in the referral; it returns true when the
		// action took effect and the text the user was shown otherwise.
		do func(h *harness, r *bot.Referral, user string) (bool, string)
	}
	command := func(text string, took func(h *harness, r *bot.Referral, user string) bool) func(*harness, *bot.Referral, string) (bool, string) {
		return func(h *harness, r *bot.Referral, user string) (bool, string) {
			channel := r.ChannelID
			if user == outsider {
				channel = h.General // the outsider is not in the referral's private channel
			}
			ack := h.command(user, channel, text)
			return took(h, r, user), ack.Text()
		}
	}
	modalOpened := func(callback string) func(*harness, *bot.Referral, string) bool {
		return func(h *harness, _ *bot.Referral, user string) bool {
			v, ok := h.Fake.LastView(user)
			return ok && v.CallbackID == callback && !v.Closed
		}
	}
	eventLogged := func(kind string) func(*harness, *bot.Referral, string) bool {
		return func(h *harness, r *bot.Referral, user string) bool {
			return h.count(`SELECT COUNT(*) FROM events WHERE referral_id = ? AND kind = ? AND actor = ?`, r.ID, kind, user) > 0
		}
	}
	press := func(action string, took func(*harness, *bot.Referral, string) bool) func(*harness, *bot.Referral, string) (bool, string) {
		return func(h *harness, r *bot.Referral, user string) (bool, string) {
			ts := h.askMessage(r, "army").TS
			if user == outsider {
				// A person cannot press what they cannot see: forge the press from a member's.
				h.click(reviewer("army", 2), r.ChannelID, ts, "answer_rwa")
				h.replayAs(user)
			} else {
				h.click(user, r.ChannelID, ts, action)
			}
			told := strings.Join(h.ephemeralsTo(r.ChannelID, user), " ")
			return took(h, r, user), told
		}
	}
	submitAs := func(h *harness, r *bot.Referral, user string) (bool, string) {
		// An Army reviewer fills in the Deny form; the submission is then delivered as user.
		h.click(reviewer("army", 2), r.ChannelID, h.askMessage(r, "army").TS, "answer_deny")
		v := h.lastView(reviewer("army", 2), bot.CallbackPosition)
		h.tr.Transport = &holdBack{Transport: h.tr.Transport}
		h.Fake.SubmitView(h.tr, reviewer("army", 2), v.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "Because."}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
		h.tr.Transport = h.tr.Transport.(*holdBack).Transport
		ack := h.replayAs(user)
		return eventLogged("position.recorded")(h, r, user), string(ack.Body)
	}
	actions := []action{
		{"/referral new", []string{roleOwner, roleAnalyst}, func(h *harness, r *bot.Referral, user string) (bool, string) {
			ack := h.command(user, h.General, "new")
			return modalOpened(bot.CallbackOpenReferral)(h, r, user), ack.Text()
		}},
		{"submit New referral", []string{roleOwner, roleAnalyst}, func(h *harness, r *bot.Referral, user string) (bool, string) {
			h.command(analyst, h.General, "new")
			v := h.lastView(analyst, bot.CallbackOpenReferral)
			h.tr.Transport = &holdBack{Transport: h.tr.Transport}
			h.Fake.SubmitView(h.tr, analyst, v.ID, referralInputs("Z999999")...)
			h.tr.Transport = h.tr.Transport.(*holdBack).Transport
			ack := h.replayAs(user)
			_, err := h.App.DB.ReferralByCase(h.ctx, bot.AgencyCommerce, "Z999999")
			return err == nil, string(ack.Body)
		}},
		{"/referral status", []string{roleOwner, roleAnalyst, roleRoster, roleDelegate, roleOther}, func(h *harness, r *bot.Referral, user string) (bool, string) {
			channel := r.ChannelID
			if user == outsider {
				channel = h.General
			}
			text := h.command(user, channel, "status").Text()
			return strings.HasPrefix(text, "Where the offices stand"), text
		}},
		{"/referral recommend", []string{roleOwner, roleAnalyst}, command("recommend", modalOpened(bot.CallbackRecommendation))},
		{"/referral extend", []string{roleOwner, roleAnalyst}, command("extend army 2026-12-18 waiting on a technical answer", eventLogged("due.changed"))},
		{"/referral hold", []string{roleOwner, roleAnalyst}, command("hold applicant asked", eventLogged("clock.held"))},
		{"press Approve", []string{roleRoster, roleDelegate}, press("answer_approve", eventLogged("position.recorded"))},
		{"press Deny (opens the form)", []string{roleRoster, roleDelegate}, press("answer_deny", modalOpened(bot.CallbackPosition))},
		{"submit a position", []string{roleRoster, roleDelegate}, submitAs},
		{"submit the recommendation", []string{roleOwner, roleAnalyst}, func(h *harness, r *bot.Referral, user string) (bool, string) {
			h.command(analyst, r.ChannelID, "recommend")
			v := h.lastView(analyst, bot.CallbackRecommendation)
			h.tr.Transport = &holdBack{Transport: h.tr.Transport}
			h.Fake.SubmitView(h.tr, analyst, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: "approve"})
			h.tr.Transport = h.tr.Transport.(*holdBack).Transport
			ack := h.replayAs(user)
			return eventLogged("recommendation.recorded")(h, r, user), string(ack.Body)
		}},
	}
	roles := []string{roleOwner, roleAnalyst, roleRoster, roleDelegate, roleOther, roleOutsider}
	for _, a := range actions {
		for _, role := range roles {
			t.Run(a.name+"/"+role, func(t *testing.T) {
				h := newHarness(t, "http")
				r := h.openReferral("Z123456")
				h.Fake.JoinChannel(r.ChannelID, analyst2) // covering for the owner
				mine := `SELECT COUNT(*) FROM events WHERE actor = ?`
				before := h.count(mine, roleUser[role])
				took, told := a.do(h, r, roleUser[role])
				want := containsRole(a.allowed, role)
				if took != want {
					t.Fatalf("took effect = %v; want %v (told %q)", took, want, told)
				}
				if !want {
					// Slack shows nobody a message in a channel they are not in.
					if told == "" && role != roleOutsider {
						t.Errorf("refused silently; want a message")
					}
					if after := h.count(mine, roleUser[role]); after != before {
						t.Errorf("a refused %s left %d events", role, after-before)
					}
				}
			})
		}
	}
}

func containsRole(roles []string, r string) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// holdBack records a delivery without sending it, so a test can send it as someone else.
type holdBack struct{ slackfake.Transport }

func (holdBack) Deliver(context.Context, slackfake.Delivery) (slackfake.Ack, error) {
	return slackfake.Ack{Status: 200}, nil
}

// TestRosterUnreadableFailsClosed: when Slack cannot tell who is in an office's
// user group, nobody may answer for it, and they are told why.
func TestRosterUnreadableFailsClosed(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456")
	h.Clock.Advance(2 * time.Minute) // past the roster cache
	h.Fake.FailNext("usergroups.users.list", "fatal_error", 5)
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	if a := h.ask(r, "army"); a.Current != nil {
		t.Fatalf("recorded %+v with the roster unreadable", a.Current)
	}
	told := h.ephemeralsTo(r.ChannelID, reviewer("army", 1))
	if len(told) != 1 || !strings.Contains(told[0], "could not check the Army roster") {
		t.Errorf("told %q", told)
	}
}
