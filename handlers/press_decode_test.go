package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/handlers"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// capturePress returns the payload Slack sends when user presses actionID on the
// message.
func capturePress(t *testing.T, w *pressWorld, user, channel, ts, actionID string) []byte {
	t.Helper()
	var payload []byte
	capture := slackfake.TransportFunc(func(_ context.Context, d slackfake.Delivery) (slackfake.Ack, error) {
		payload = d.Payload
		return slackfake.Ack{Status: http.StatusOK}, nil
	})
	if _, err := w.sb.Fake.ClickButton(capture, user, channel, ts, actionID); err != nil {
		t.Fatal(err)
	}
	return payload
}

// A press of an answer button decodes, through the short path, to what slack-go's
// full decoding gives in every field the press reads; any other payload decodes
// exactly as slack-go decodes it.
func TestDecodeInteraction(t *testing.T) {
	w := newPressWorld(t, 1)
	a, channel := w.asks[0], w.chans[0]
	reviewer := sandbox.Reviewer(a.OfficeCode, 1)
	for _, outcome := range bot.Outcomes {
		t.Run(string(outcome), func(t *testing.T) {
			payload := capturePress(t, w, reviewer, channel, a.MessageTS, bot.ActionAnswerPrefix+string(outcome))
			var full slack.InteractionCallback
			if err := json.Unmarshal(payload, &full); err != nil {
				t.Fatal(err)
			}
			got, err := handlers.DecodeInteraction(payload)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Message.Blocks.BlockSet) != 0 || len(full.Message.Blocks.BlockSet) == 0 {
				t.Errorf("message blocks decoded: %d (slack-go: %d); want the short path, which skips them",
					len(got.Message.Blocks.BlockSet), len(full.Message.Blocks.BlockSet))
			}
			type read struct {
				Type                                           slack.InteractionType
				User, UserName, Username, Team, TeamDomain     string
				Channel, ContainerChannel, ContainerTS, AppID  string
				ResponseURL, TriggerID, Enterprise, Token      string
				ActionID, BlockID, Value, ActionType, ActionTS string
				Actions, AttachmentActions                     int
			}
			pick := func(cb *slack.InteractionCallback) read {
				r := read{Type: cb.Type, User: cb.User.ID, UserName: cb.User.Name, Username: cb.User.Username,
					Team: cb.Team.ID, TeamDomain: cb.Team.Domain, Channel: cb.Channel.ID,
					ContainerChannel: cb.Container.ChannelID, ContainerTS: cb.Container.MessageTs, AppID: cb.APIAppID,
					ResponseURL: cb.ResponseURL, TriggerID: cb.TriggerID, Enterprise: cb.Enterprise.ID, Token: cb.Token,
					Actions: len(cb.ActionCallback.BlockActions), AttachmentActions: len(cb.ActionCallback.AttachmentActions)}
				if len(cb.ActionCallback.BlockActions) > 0 {
					ba := cb.ActionCallback.BlockActions[0]
					r.ActionID, r.BlockID, r.Value, r.ActionType, r.ActionTS = ba.ActionID, ba.BlockID, ba.Value, string(ba.Type), ba.ActionTs
				}
				return r
			}
			if g, f := pick(got), pick(&full); g != f {
				t.Errorf("short path read\n %+v\nslack-go read\n %+v", g, f)
			}
			if g := pick(got); g.User != reviewer || g.Value != bot.AnswerValue(a) || g.TriggerID == "" || g.ContainerTS != a.MessageTS {
				t.Errorf("press read as %+v; want %s pressing %s on %s with a trigger", g, reviewer, bot.AnswerValue(a), a.MessageTS)
			}
		})
	}

	// Anything else goes through slack-go whole.
	approve := capturePress(t, w, reviewer, channel, a.MessageTS, bot.ActionAnswerPrefix+string(bot.OutcomeApprove))
	other := bytes.ReplaceAll(approve, []byte(`"`+bot.ActionAnswerPrefix+string(bot.OutcomeApprove)+`"`), []byte(`"`+bot.ActionJoinDiscussion+`"`))
	got, err := handlers.DecodeInteraction(other)
	if err != nil || len(got.Message.Blocks.BlockSet) == 0 || got.ActionCallback.BlockActions[0].ActionID != bot.ActionJoinDiscussion {
		t.Errorf("another button's press decoded to %+v, %v; want slack-go's whole decoding", got.ActionCallback, err)
	}
	for name, payload := range map[string]string{
		"not JSON":              `{not json`,
		"user not an object":    `{"type":"block_actions","user":"U1","actions":[{"action_id":"answer_approve","block_id":"b","value":"1:0"}]}`,
		"actions not a list":    `{"type":"block_actions","actions":{"action_id":"answer_approve"}}`,
		"trailing garbage":      `{"type":"block_actions","actions":[{"action_id":"answer_approve","block_id":"b","value":"1:0"}]} x`,
		"block id not a string": `{"type":"block_actions","actions":[{"action_id":"answer_approve","block_id":7,"value":"1:0"}]}`,
	} {
		_, err := handlers.DecodeInteraction([]byte(payload))
		if fullErr := json.Unmarshal([]byte(payload), new(slack.InteractionCallback)); (err == nil) != (fullErr == nil) {
			t.Errorf("%s: DecodeInteraction err = %v; slack-go's = %v; want both to refuse or both to accept", name, err, fullErr)
		}
	}
	// The one difference: a press of an answer button is not refused for a field
	// the press never reads, such as the pressed message, being of the wrong type.
	// Only Slack can sign a payload, and Slack sends a message there.
	odd := `{"type":"block_actions","message":{"blocks":7},"actions":[{"action_id":"answer_approve","block_id":"b","value":"1:0"}]}`
	if got, err := handlers.DecodeInteraction([]byte(odd)); err != nil || got.ActionCallback.BlockActions[0].Value != "1:0" {
		t.Errorf("press with an odd message decoded to %+v, %v; want the press read", got, err)
	}
	// An action that only begins like an answer button is not one.
	lookalike := bytes.ReplaceAll(approve, []byte(`"`+bot.ActionAnswerPrefix+string(bot.OutcomeApprove)+`"`), []byte(`"`+bot.ActionAnswerPrefix+`questions"`))
	if got, err := handlers.DecodeInteraction(lookalike); err != nil || len(got.Message.Blocks.BlockSet) == 0 {
		t.Errorf("answer_questions press decoded to %+v, %v; want slack-go's whole decoding", got, err)
	}
	// An answer action without a block id is an attachment's to slack-go: not routed.
	noBlock := `{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"answer_approve","value":"1:0"}]}`
	if got, err := handlers.DecodeInteraction([]byte(noBlock)); err != nil || len(got.ActionCallback.BlockActions) != 0 || len(got.ActionCallback.AttachmentActions) != 1 {
		t.Errorf("action without block id decoded to %+v, %v; want one attachment action, as slack-go reads it", got.ActionCallback, err)
	}
}
