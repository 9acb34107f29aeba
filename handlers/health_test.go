package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReadyzAnswersWithinItsLimit: a check that ignores its context (as go-redis
// does with a frozen server unless told otherwise) must not hold the answer. Found
// from outside: /readyz took 5 s with Redis frozen, despite its 2 s limit.
func TestReadyzAnswersWithinItsLimit(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	h := readyz(map[string]Check{
		"frozen":   func(context.Context) error { <-release; return nil }, // never looks at ctx
		"database": func(context.Context) error { return nil },
		"broken":   func(context.Context) error { return errors.New("dial tcp: refused") },
	}, readyTimeout/40)
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil)) // returns only if it gives up on "frozen"
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusServiceUnavailable || got["database"] != "ok" || got["broken"] != "dial tcp: refused" ||
		!strings.HasPrefix(got["frozen"], "no answer within") {
		t.Errorf("/readyz = %d %v; want 503 with database ok, broken's error and frozen not answering", rec.Code, got)
	}
}
