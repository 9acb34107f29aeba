package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// FuzzSignatureVerification: no request is let through unless its signature is
// Slack's over exactly its body and a fresh timestamp.
func FuzzSignatureVerification(f *testing.F) {
	now := strconv.FormatInt(clock.Wall().Unix(), 10)
	f.Add("command=%2Freferral&text=help", now, "", false)
	f.Add("command=%2Freferral&text=help", now, slackfake.Sign(docSecret, now, []byte("command=%2Freferral&text=help")), false)
	f.Add(docBody, docTimestamp, docSignature, false)
	f.Add("", "", "v0=", true)
	f.Add("x", "99999999999999999999", "v0=00", false)
	mux := http.NewServeMux()
	handlers.NewHTTP(handlers.NewRouter(nil, nil, nil), docSecret).Routes(mux)
	f.Fuzz(func(t *testing.T, body, ts, sig string, signIt bool) {
		if signIt {
			sig = slackfake.Sign(docSecret, ts, []byte(body))
		}
		req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		genuine := sig == slackfake.Sign(docSecret, ts, []byte(body)) && fresh(ts)
		if rec.Code != http.StatusUnauthorized && !genuine {
			t.Fatalf("forged request (ts %q sig %q) got %d; want 401", ts, sig, rec.Code)
		}
		if genuine && rec.Code == http.StatusUnauthorized {
			t.Fatalf("genuine request refused")
		}
	})
}

func fresh(ts string) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := clock.Elapsed(time.Unix(n, 0))
	return d < 5*time.Minute && d > -5*time.Minute
}
