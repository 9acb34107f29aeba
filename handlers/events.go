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
