package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// lockedBuffer is a log destination safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsCarryNoSecretsOrDetails runs a referral through its whole life with every
// log line captured at debug level, including failures, and checks that no token or
// secret, and no referral detail but the case number, reaches the logs.
func TestLogsCarryNoSecretsOrDetails(t *testing.T) {
	var logs lockedBuffer
	ctx := context.Background()
	sb, err := sandbox.New(ctx, "http", t.TempDir(), start, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	h := &harness{Sandbox: sb, t: t, ctx: ctx, tr: &recorder{Transport: sb.Transport}}
	r := h.openReferral("Z123456")
	h.Fake.FailNext("chat.update", "fatal_error", 1) // a logged retry
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_deny")
	v := h.lastView(reviewer("army", 1), bot.CallbackPosition)
	h.submit(reviewer("army", 1), v.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "Secret-ish reasons about the consignee"}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	h.click(reviewer("navy", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve") // refused: logged?
	h.drain()
	h.command(analyst, r.ChannelID, "recommend")
	v = h.lastView(analyst, bot.CallbackRecommendation)
	h.submit(analyst, v.ID, slackfake.Input{BlockID: bot.FieldOutcome, Value: "deny"},
		slackfake.Input{BlockID: bot.FieldRationale, Value: "Rationale text that is controlled"})
	h.drain()

	out := logs.String()
	if !strings.Contains(out, "Z123456") {
		t.Fatalf("the logs do not mention the case at all; is anything logged?\n%s", out)
	}
	for _, secret := range []string{
		h.Fake.BotToken(), sandbox.SigningSecret, // credentials
		"Acme Photonics", "thermal imaging", "6A003", "Bundeswehr", "1,250,000", "1250000", // referral details
		"Secret-ish reasons", "Rationale text that is controlled", // positions and the recommendation
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}
