package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/referralbot/referralbot/internal/clock"
)

// maxAckBytes is the size from which Slack drops a Socket Mode response.
const maxAckBytes = 20 * 1024

// socketHub holds the Socket Mode connections and the envelopes awaiting an ack.
type socketHub struct {
	pingInterval time.Duration

	mu      sync.Mutex
	seq     int
	tickets map[string]bool
	conns   []*socketConn
	next    int
	waiting map[string]waiter
	changed chan struct{} // closed and replaced whenever a connection comes or goes
	closed  bool
}

type socketConn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex // gorilla/websocket allows one writer at a time
	done chan struct{}
}

type socketAck struct {
	payload []byte
	err     error
}

// waiter is an envelope sent on conn, waiting for its ack on ch.
type waiter struct {
	conn *socketConn
	ch   chan socketAck
}

func newSocketHub(ping time.Duration) *socketHub {
	return &socketHub{
		pingInterval: ping, tickets: map[string]bool{},
		waiting: map[string]waiter{}, changed: make(chan struct{}),
	}
}

// appsConnectionsOpen answers apps.connections.open with a single-use websocket URL.
func (s *Server) appsConnectionsOpen(*request) (map[string]any, error) {
	h := s.sock
	h.mu.Lock()
	h.seq++
	ticket := fmt.Sprintf("fake-ticket-%d", h.seq)
	h.tickets[ticket] = true
	h.mu.Unlock()
	u := "ws" + strings.TrimPrefix(s.URL(), "http") + "/link/?ticket=" + ticket + "&app_id=" + s.cfg.appID
	return map[string]any{"url": u}, nil
}

// serveSocket is the Socket Mode endpoint: it greets with hello, pings, and routes
// acks to the envelopes waiting for them.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	h := s.sock
	h.mu.Lock()
	ok := h.tickets[r.URL.Query().Get("ticket")] && !h.closed
	delete(h.tickets, r.URL.Query().Get("ticket"))
	n := len(h.conns) + 1
	h.mu.Unlock()
	if !ok {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &socketConn{ws: ws, done: make(chan struct{})}
	defer func() {
		h.remove(c)
		close(c.done)
		ws.Close()
	}()
	hello, _ := json.Marshal(map[string]any{
		"type": "hello", "num_connections": n,
		"debug_info":      map[string]any{"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": s.cfg.appID},
	})
	// The connection joins the hub before its hello goes out, as Slack's is ready for
	// envelopes once it has said hello: an app that has read the hello may be sent one
	// at once. Its write lock, held meanwhile, keeps the hello the first message on it.
	c.wmu.Lock()
	if !h.add(c) {
		c.wmu.Unlock()
		return
	}
	err = c.writeLocked(websocket.TextMessage, hello)
	c.wmu.Unlock()
	if err != nil {
		return
	}
	go c.ping(h.pingInterval)
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(msg, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		res := socketAck{payload: ack.Payload}
		if len(msg) >= maxAckBytes {
			res = socketAck{err: fmt.Errorf("%w: %d bytes", ErrAckTooLarge, len(msg))}
		}
		h.resolve(ack.EnvelopeID, res)
	}
}

func (c *socketConn) write(kind int, data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(kind, data)
}

// writeLocked is write for a caller that holds c.wmu.
func (c *socketConn) writeLocked(kind int, data []byte) error {
	_ = c.ws.SetWriteDeadline(clock.Wall().Add(10 * time.Second))
	return c.ws.WriteMessage(kind, data)
}

// ping sends websocket pings: slack-go's client reconnects without them.
func (c *socketConn) ping(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if c.write(websocket.PingMessage, []byte("ping")) != nil {
				return
			}
		}
	}
}

func (h *socketHub) add(c *socketConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns = append(h.conns, c)
	h.broadcast()
	return true
}

func (h *socketHub) remove(c *socketConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.conns {
		if x == c {
			h.conns = append(h.conns[:i], h.conns[i+1:]...)
			h.broadcast()
			break
		}
	}
	for id, w := range h.waiting {
		if w.conn == c { // no ack can come any more
			w.ch <- socketAck{err: fmt.Errorf("%w: connection closed before envelope %s was acked", ErrNotConnected, id)}
			delete(h.waiting, id)
		}
	}
}

// broadcast wakes everyone waiting for a change. Call with h.mu held.
func (h *socketHub) broadcast() {
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *socketHub) resolve(envelopeID string, a socketAck) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if w, ok := h.waiting[envelopeID]; ok {
		w.ch <- a // buffered, and removed from waiting: a second ack is ignored, as by Slack
		delete(h.waiting, envelopeID)
	}
}

func (h *socketHub) closeAll() {
	h.mu.Lock()
	h.closed = true
	conns := append([]*socketConn(nil), h.conns...)
	h.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
}

// WaitSocketConnected returns once a Socket Mode client is connected and has been sent
// hello, or when ctx ends.
func (s *Server) WaitSocketConnected(ctx context.Context) error {
	h := s.sock
	for {
		h.mu.Lock()
		n, changed := len(h.conns), h.changed
		h.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for Socket Mode connection: %w", ctx.Err())
		}
	}
}

// RefreshSockets sends every connected client the disconnect message Slack sends
// before it recycles a connection; slack-go's client then reconnects.
func (s *Server) RefreshSockets() {
	h := s.sock
	h.mu.Lock()
	conns := append([]*socketConn(nil), h.conns...)
	h.mu.Unlock()
	msg := []byte(`{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-fake"}}`)
	for _, c := range conns {
		_ = c.write(websocket.TextMessage, msg)
	}
}
