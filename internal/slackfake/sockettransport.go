package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// SocketTransport delivers over the app's Socket Mode connection to the fake: it pushes
// an envelope and waits for the ack with the same envelope_id.
type SocketTransport struct {
	s       *Server
	Timeout time.Duration // how long to wait for the ack; 0 means AckTimeout
}

// SocketMode returns a Transport that delivers over Socket Mode. The app must have
// connected (see WaitSocketConnected), else deliveries fail with ErrNotConnected.
func (s *Server) SocketMode() *SocketTransport { return &SocketTransport{s: s} }

// Deliver sends the envelope to one connection (round robin when there are several)
// and returns the ack's payload; ErrAckTimeout when none comes in time, ErrAckTooLarge
// when it is 20 KB or more.
func (t *SocketTransport) Deliver(ctx context.Context, d Delivery) (Ack, error) {
	var payload any = json.RawMessage(d.Payload)
	if d.Kind == KindCommand {
		fields := map[string]string{}
		for k := range d.Form {
			fields[k] = d.Form.Get(k)
		}
		payload = fields
	}
	h := t.s.sock
	h.mu.Lock()
	if len(h.conns) == 0 {
		h.mu.Unlock()
		return Ack{}, ErrNotConnected
	}
	c := h.conns[h.next%len(h.conns)]
	h.next++
	h.seq++
	id := fmt.Sprintf("%08x-fake-4000-8000-%012x", h.seq, h.seq)
	ch := make(chan socketAck, 1)
	h.waiting[id] = waiter{conn: c, ch: ch}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.waiting, id)
		h.mu.Unlock()
	}()
	envelope, err := json.Marshal(map[string]any{
		"envelope_id": id, "type": d.Kind, "payload": payload,
		"accepts_response_payload": d.Kind != KindEvent,
		"retry_attempt":            d.RetryNum, "retry_reason": d.RetryReason,
	})
	if err != nil {
		return Ack{}, fmt.Errorf("encode envelope: %w", err)
	}
	if err := c.write(websocket.TextMessage, envelope); err != nil {
		return Ack{}, fmt.Errorf("send envelope %s: %w", id, err)
	}
	timeout := cmpOr(t.Timeout, AckTimeout)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case a := <-ch:
		if a.err != nil {
			return Ack{}, a.err
		}
		body := a.payload
		if string(body) == "null" {
			body = nil
		}
		return Ack{Status: 200, Body: body}, nil
	case <-timer.C:
		return Ack{}, fmt.Errorf("%w: envelope %s after %s", ErrAckTimeout, id, timeout)
	case <-ctx.Done():
		return Ack{}, ctx.Err()
	}
}
