package handlers

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/slack-go/slack/slackevents"
)

// parseEvent parses an Events API envelope. slack-go v0.35.0 types
// subteam_members_changed's added_users_count and removed_users_count as numbers,
// while Slack documents them as strings ("3"), and one field it cannot read fails
// the whole event: such an event is parsed again with the counts as numbers.
func parseEvent(body []byte) (slackevents.EventsAPIEvent, error) {
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err == nil {
		return ev, nil
	}
	fixed, ok := numericCounts(body)
	if !ok {
		return ev, err
	}
	return slackevents.ParseEvent(fixed, slackevents.OptionNoVerifyToken())
}

// numericCounts rewrites the inner event's string counts as numbers; false when
// there is none to rewrite.
func numericCounts(body []byte) ([]byte, bool) {
	var outer map[string]json.RawMessage
	var inner map[string]json.RawMessage
	if json.Unmarshal(body, &outer) != nil || json.Unmarshal(outer["event"], &inner) != nil {
		return nil, false
	}
	changed := false
	for _, k := range []string{"added_users_count", "removed_users_count"} {
		var s string
		if json.Unmarshal(inner[k], &s) != nil {
			continue // absent, or a number already
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, false
		}
		inner[k], changed = json.RawMessage(strconv.Itoa(n)), true
	}
	if !changed {
		return nil, false
	}
	raw, err := json.Marshal(inner)
	if err != nil {
		return nil, false
	}
	outer["event"] = raw
	out, err := json.Marshal(outer)
	return out, err == nil
}

// lostAccess records that Slack took the bot's access away: every Slack call will
// fail from now on, and the outbox keeps the work until the app is reinstalled.
func (r *Router) lostAccess(_ context.Context, ev slackevents.EventsAPIEvent) {
	r.log.Error("Slack revoked the bot's access; Slack work will queue until the app is reinstalled", "event", ev.InnerEvent.Type, "team", ev.TeamID)
}

// homeOpened publishes the person's Home tab each time they open it: their open
// referrals and the asks waiting on their offices, as they stand now. From then on
// changes refresh it too (bot.Service.OpenHome).
func (r *Router) homeOpened(ctx context.Context, ev slackevents.EventsAPIEvent) {
	var e *slackevents.AppHomeOpenedEvent
	switch d := ev.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		e = d
	case slackevents.AppHomeOpenedEvent:
		e = &d
	}
	if e == nil || e.Tab != "home" || e.User == "" {
		return // the Messages or About tab: nothing to publish
	}
	if err := r.svc.OpenHome(ctx, e.User); err != nil {
		r.log.Error("publish home tab", "user", e.User, "err", err)
	}
}
