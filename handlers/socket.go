package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// socketConcurrency bounds the envelopes handled at once. Each may wait on Slack
// (views.open up to its 2.5 s budget), so one at a time let a slow call hold up
// every envelope behind it past Slack's 3 seconds; beyond the bound, envelopes wait
// in the receive loop rather than pile up goroutines.
const socketConcurrency = 32

// Socket serves Slack's Socket Mode delivery: no public URL and no signature (the
// app-level token authenticates the websocket), the same router as HTTP.
type Socket struct {
	router *Router
	client *socketmode.Client

	connected   atomic.Bool
	onConnected func() // told once, when Slack first accepts the connection
	once        sync.Once
	slots       chan struct{} // a token per envelope being handled
	mu          sync.Mutex
	inFlight    map[string]bool // envelope ids being handled: a resent one is not handled twice
}

// NewSocket returns the Socket Mode transport; api must carry the app-level token
// (slack.OptionAppLevelToken). onConnected, when not nil, is called once, when
// Slack has accepted the connection: only then is the bot reachable.
func NewSocket(router *Router, api *slack.Client, onConnected func()) *Socket {
	return &Socket{router: router, client: socketmode.New(api), onConnected: onConnected,
		slots: make(chan struct{}, socketConcurrency), inFlight: map[string]bool{}}
}

// Connected reports whether the websocket to Slack is up now (for /readyz).
func (s *Socket) Connected() bool { return s.connected.Load() }

// Run connects and serves until ctx ends, handling envelopes concurrently (at most
// socketConcurrency at once). It returns once the envelopes in hand are acknowledged.
func (s *Socket) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.client.RunContext(ctx) }()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			s.connected.Store(false)
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-s.client.Events:
			if !s.track(evt) {
				continue
			}
			select {
			case s.slots <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			wg.Go(func() {
				defer func() { <-s.slots; s.untrack(evt) }()
				s.handle(ctx, evt)
			})
		}
	}
}

// track notes the connection's state and claims an envelope for handling; false
// means there is nothing to handle, or the same envelope is being handled already
// (Slack resent it): its first handling acknowledges it.
func (s *Socket) track(evt socketmode.Event) bool {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		s.connected.Store(true)
		if s.onConnected != nil {
			s.once.Do(s.onConnected)
		}
		return false
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect, socketmode.EventTypeConnectionError,
		socketmode.EventTypeInvalidAuth:
		s.connected.Store(false)
		return false
	}
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inFlight[evt.Request.EnvelopeID] {
		s.router.log.Info("socket mode: envelope already being handled", "envelope", evt.Request.EnvelopeID)
		return false
	}
	s.inFlight[evt.Request.EnvelopeID] = true
	return true
}

// untrack releases an envelope once handled.
func (s *Socket) untrack(evt socketmode.Event) {
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return
	}
	s.mu.Lock()
	delete(s.inFlight, evt.Request.EnvelopeID)
	s.mu.Unlock()
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
