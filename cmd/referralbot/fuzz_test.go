package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// FuzzInteractionPayload sends signed interaction payloads of any shape to the bot's
// real handlers with a live referral behind them: every one is answered 200 or 400,
// never a crash or a 500.
func FuzzInteractionPayload(f *testing.F) {
	for _, seed := range []string{
		`{"type":"block_actions","user":{"id":"UARMY1"},"channel":{"id":"C1"},"actions":[{"action_id":"answer_approve","value":"1:0"}]}`,
		`{"type":"block_actions","user":{"id":"UARMY1"},"actions":[{"action_id":"answer_deny","value":"999999:7"}]}`,
		`{"type":"block_actions","user":{"id":"UNAVY1"},"actions":[{"action_id":"reminder_snooze","value":"-1"}]}`,
		`{"type":"view_submission","user":{"id":"UANALYST"},"view":{"id":"V1","callback_id":"recommendation","private_metadata":"{\"referral\":1}","state":{"values":{"outcome":{"value":{"type":"radio_buttons","selected_option":{"value":"deny"}}}}}}}`,
		`{"type":"view_submission","user":{"id":"UARMY1"},"view":{"callback_id":"position","private_metadata":"{\"ask\":1,\"seen\":0,\"outcome\":\"approve_with_provisos\"}","state":{"values":{"provisos":{"value":{"type":"plain_text_input","value":"x"}}}}}}`,
		`{"type":"view_submission","user":{"id":"UANALYST"},"view":{"callback_id":"referral_new","state":{"values":{}}}}`,
		`{"type":"view_submission","view":{"callback_id":"position","private_metadata":"not json"}}`,
		`{}`, `[]`, `null`, `{"type":"block_actions","actions":null}`,
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	sb, err := sandbox.New(ctx, "http", f.TempDir(), start, slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(sb.Close)
	sb.App.Router.SetAfter(func(func()) {}) // nothing slow after the ack in a fuzz run
	// One live referral, so that ids in the payloads can hit real rows.
	sb.Fake.SlashCommand(sb.Transport, analyst, sb.General, "/referral", "new")
	v, _ := sb.Fake.LastView(analyst)
	sb.Fake.SubmitView(sb.Transport, analyst, v.ID, referralInputs("Z123456")...)
	if err := sb.App.Service.DrainJobs(ctx); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		ack, err := sb.Transport.Deliver(ctx, slackfake.Delivery{Kind: slackfake.KindInteraction, Payload: []byte(payload)})
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		if ack.Status != 200 && ack.Status != 400 {
			t.Fatalf("payload %q: status %d %s", payload, ack.Status, ack.Body)
		}
	})
}
