package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Socket serves Slack's Socket Mode delivery: no public URL and no signature (the
// app-level token authenticates the websocket), the same router as HTTP.
type Socket struct {
	router *Router
	client *socketmode.Client
}

// NewSocket returns the Socket Mode transport; api must carry the app-level token
// (slack.OptionAppLevelToken).
func NewSocket(router *Router, api *slack.Client) *Socket {
	return &Socket{router: router, client: socketmode.New(api)}
}

// Run connects and serves until ctx ends.
func (s *Socket) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-s.client.Events:
			s.handle(ctx, evt)
		}
	}
}

// handle acknowledges each envelope with what the router answers; events are
// acknowledged first and handled after, as Slack wants within 3 seconds.
func (s *Socket) handle(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			return
		}
		s.ack(evt, s.router.Command(ctx, cmd))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			return
		}
		s.ack(evt, s.router.Interaction(ctx, &cb))
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		s.event(ctx, evt, ev)
	case socketmode.EventTypeErrorBadMessage:
		// slack-go could not parse the envelope; an event it mistypes is parsed again.
		bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
		if !ok {
			return
		}
		var req socketmode.Request
		if err := json.Unmarshal(bad.Message, &req); err != nil || req.Type != socketmode.RequestTypeEventsAPI {
			s.router.log.Warn("socket mode: unreadable message", "err", bad.Cause)
			return
		}
		ev, err := parseEvent(req.Payload)
		if err != nil {
			s.router.log.Warn("socket mode: unreadable event", "err", err)
			return
		}
		evt.Request = &req
		s.event(ctx, evt, ev)
	}
}

// event acknowledges an Events API event and schedules its handling after, as the
// HTTP transport does (before the ack, so that whoever runs the router's
// after-work, a test say, sees it once acknowledged).
func (s *Socket) event(ctx context.Context, evt socketmode.Event, ev slackevents.EventsAPIEvent) {
	ctx = context.WithoutCancel(ctx)
	s.router.after(func() { s.router.Event(ctx, ev) })
	s.ack(evt, nil)
}

func (s *Socket) ack(evt socketmode.Event, payload any) {
	if evt.Request == nil {
		return
	}
	var err error
	if payload == nil {
		err = s.client.Ack(*evt.Request)
	} else {
		err = s.client.Ack(*evt.Request, payload)
	}
	if err != nil {
		s.router.log.Error("socket mode ack", "err", err)
	}
}
