package main

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// frozenRedis is a TCP server that accepts connections and never answers: a Redis
// stopped with SIGSTOP looks like this to its clients.
func frozenRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // read nothing, answer nothing
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	return ln.Addr().String()
}

// TestReadyzWithRedisFrozen: /readyz answers within its 2-second limit, not ready,
// naming the queue, while Redis accepts connections and never answers. Found from
// outside: it took 5 s.
func TestReadyzWithRedisFrozen(t *testing.T) {
	fake := slackfake.New(slackfake.WithClock(clock.From(start)))
	t.Cleanup(fake.Close)
	addr := startServe(t, fake, map[string]string{"REDIS_URL": "redis://" + frozenRedis(t) + "/0", "SLACK_SIGNING_SECRET": "s3cr3t-s3cr3t-s3cr3t"})
	began := clock.Wall()
	code, body := get(t, "http://"+addr+"/readyz")
	took := clock.Elapsed(began)
	t.Logf("/readyz with Redis frozen answered in %v", took.Round(time.Millisecond))
	var checks map[string]string
	if err := json.Unmarshal([]byte(body), &checks); err != nil {
		t.Fatalf("/readyz body %q: %v", body, err)
	}
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(checks["reminder_queue"], "no answer within") || checks["database"] != "ok" {
		t.Errorf("/readyz = %d %v; want not ready, the queue not answering, the database ok", code, checks)
	}
	if took > 2500*time.Millisecond { // its 2 s, and room for a loaded machine
		t.Errorf("/readyz took %v; want within its 2 s limit", took)
	}
}
