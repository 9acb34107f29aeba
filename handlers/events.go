package handlers

import (
	"context"

	"github.com/slack-go/slack/slackevents"
)

// lostAccess records that Slack took the bot's access away: every Slack call will
// fail from now on, and the outbox keeps the work until the app is reinstalled.
func (r *Router) lostAccess(_ context.Context, ev slackevents.EventsAPIEvent) {
	r.log.Error("Slack revoked the bot's access; Slack work will queue until the app is reinstalled", "event", ev.InnerEvent.Type, "team", ev.TeamID)
}
