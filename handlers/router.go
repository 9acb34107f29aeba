// Package handlers is where Slack comes in: slash commands, button presses, modal
// submissions and events, delivered over signed HTTP or Socket Mode, routed through
// one table (routes.go) to the lifecycle service in package bot.
package handlers

import (
	"cmp"
	"context"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/referralbot/referralbot/bot"
)

// CommandFunc handles one /referral subcommand; args are the words after it. The
// returned value is the acknowledgement body (nil for an empty 200).
type CommandFunc func(ctx context.Context, cmd slack.SlashCommand, args []string) any

// ActionFunc handles one button press (a block action).
type ActionFunc func(ctx context.Context, cb *slack.InteractionCallback, action *slack.BlockAction)

// ViewFunc handles one modal submission; it returns the view_submission response
// (nil closes the modal).
type ViewFunc func(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse

// EventFunc handles one Events API event, after it was acknowledged.
type EventFunc func(ctx context.Context, ev slackevents.EventsAPIEvent)

// Router maps what Slack sends to the function that handles it.
type Router struct {
	svc   *bot.Service
	slack bot.Slack
	log   *slog.Logger

	command  string       // the slash command, e.g. "/referral"
	after    func(func()) // runs slow work after the acknowledgement
	commands map[string]CommandFunc
	actions  map[string]ActionFunc
	views    map[string]ViewFunc
	events   map[string]EventFunc
}

// NewRouter builds the router with every route of routes.go.
func NewRouter(svc *bot.Service, slackAPI bot.Slack, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Router{
		svc: svc, slack: slackAPI, log: log, command: SlashCommand, after: func(f func()) { go f() },
		commands: map[string]CommandFunc{}, actions: map[string]ActionFunc{},
		views: map[string]ViewFunc{}, events: map[string]EventFunc{},
	}
	r.routes()
	return r
}

// SetAfter replaces how work that follows an acknowledgement is run (by default in
// a goroutine). Tests run it at a moment of their choosing instead of waiting on it.
func (r *Router) SetAfter(run func(func())) { r.after = run }

// Command handles a slash command and returns its acknowledgement body.
func (r *Router) Command(ctx context.Context, cmd slack.SlashCommand) any {
	if cmd.Command != r.command {
		return ephemeral("I only know " + r.command + ".")
	}
	args := strings.Fields(cmd.Text)
	name := "help"
	if len(args) > 0 {
		name, args = strings.ToLower(args[0]), args[1:]
	}
	h, ok := r.commands[name]
	if !ok {
		return ephemeral("I don't know `" + r.command + " " + name + "`.\n" + helpText(r.command))
	}
	r.log.Info("command", "sub", name, "user", cmd.UserID, "channel", cmd.ChannelID)
	ctx, cancel := budget(ctx)
	defer cancel()
	r.svc.NoteName(cmd.UserID, cmd.UserName) // the record names people as of each action, at no extra Slack call
	return h(ctx, cmd, args)
}

// Interaction handles a button press or a modal submission and returns the
// acknowledgement body (nil for an empty 200).
func (r *Router) Interaction(ctx context.Context, cb *slack.InteractionCallback) any {
	r.svc.NoteName(cb.User.ID, cmp.Or(cb.User.Name, cb.User.Username))
	ctx, cancel := budget(ctx)
	defer cancel()
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			if h, ok := r.actions[a.ActionID]; ok {
				r.log.Info("action", "action", a.ActionID, "user", cb.User.ID)
				h(ctx, cb, a)
			} else {
				r.log.Warn("unrouted action", "action", a.ActionID)
			}
		}
		return nil
	case slack.InteractionTypeViewSubmission:
		h, ok := r.views[cb.View.CallbackID]
		if !ok {
			r.log.Warn("unrouted view", "callback", cb.View.CallbackID)
			return nil
		}
		r.log.Info("view submission", "callback", cb.View.CallbackID, "user", cb.User.ID)
		if resp := h(ctx, cb); resp != nil {
			return resp
		}
		return nil
	}
	return nil
}

// Event handles an Events API event once, however often Slack delivers it.
// Transports acknowledge before calling it.
func (r *Router) Event(ctx context.Context, ev slackevents.EventsAPIEvent) {
	h, ok := r.events[ev.InnerEvent.Type]
	if !ok {
		return
	}
	if cb, isCallback := ev.Data.(*slackevents.EventsAPICallbackEvent); isCallback && cb.EventID != "" {
		first, err := r.svc.FirstDelivery(ctx, cb.EventID)
		if err != nil {
			r.log.Error("record event delivery", "event", cb.EventID, "err", err)
			return // not handled: Slack retries, and the retry finds no record
		}
		if !first {
			r.log.Info("event already handled", "event", cb.EventID)
			return
		}
	}
	h(ctx, ev)
}
