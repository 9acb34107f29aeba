package handlers

import (
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// pressPayload is the part of a block_actions payload that a press of an answer
// button reads. Decoding the whole payload with slack-go builds the pressed
// message's every block and element, which costs four times what the rest of
// the decoding does; the press reads none of it.
type pressPayload struct {
	Type        slack.InteractionType `json:"type"`
	Token       string                `json:"token"`
	TriggerID   string                `json:"trigger_id"`
	ResponseURL string                `json:"response_url"`
	APIAppID    string                `json:"api_app_id"`
	Team        slack.Team            `json:"team"`
	Enterprise  slack.Enterprise      `json:"enterprise"`
	User        struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Username string `json:"username"`
		TeamID   string `json:"team_id"`
	} `json:"user"`
	Channel struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"channel"`
	Container struct {
		Type        string `json:"type"`
		MessageTs   string `json:"message_ts"`
		ThreadTs    string `json:"thread_ts"`
		ChannelID   string `json:"channel_id"`
		IsEphemeral bool   `json:"is_ephemeral"`
	} `json:"container"`
	Actions []struct {
		ActionID string  `json:"action_id"`
		BlockID  *string `json:"block_id"` // slack-go calls an action without one an attachment's
		Type     string  `json:"type"`
		Value    string  `json:"value"`
		ActionTs string  `json:"action_ts"`
	} `json:"actions"`
}

// decodeInteraction reads an interaction payload. A press of answer buttons only
// is read through pressPayload; everything else, and anything pressPayload cannot
// read, goes through slack-go's full decoding, which refuses what it refused before.
func decodeInteraction(payload []byte) (*slack.InteractionCallback, error) {
	if cb, ok := decodePress(payload); ok {
		return cb, nil
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return nil, err
	}
	return &cb, nil
}

// decodePress reads a press of answer buttons with what the press uses (the
// router's logging and NoteName, answerButton, tellPresser); false when the
// payload is anything else.
func decodePress(payload []byte) (*slack.InteractionCallback, bool) {
	var p pressPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.Type != slack.InteractionTypeBlockActions || len(p.Actions) == 0 {
		return nil, false
	}
	cb := &slack.InteractionCallback{
		Type: p.Type, Token: p.Token, TriggerID: p.TriggerID, ResponseURL: p.ResponseURL, APIAppID: p.APIAppID,
		Team: p.Team, Enterprise: p.Enterprise,
		User: slack.User{ID: p.User.ID, Name: p.User.Name, Username: p.User.Username, TeamID: p.User.TeamID},
		Container: slack.Container{Type: p.Container.Type, MessageTs: p.Container.MessageTs, ThreadTs: p.Container.ThreadTs,
			ChannelID: p.Container.ChannelID, IsEphemeral: p.Container.IsEphemeral},
	}
	cb.Channel.ID, cb.Channel.Name = p.Channel.ID, p.Channel.Name
	for _, a := range p.Actions {
		if a.BlockID == nil || !isAnswerButton(a.ActionID) {
			return nil, false
		}
		cb.ActionCallback.BlockActions = append(cb.ActionCallback.BlockActions, &slack.BlockAction{
			ActionID: a.ActionID, BlockID: *a.BlockID, Type: slack.ActionType(a.Type), Value: a.Value, ActionTs: a.ActionTs})
	}
	return cb, true
}

// isAnswerButton reports whether actionID is one of the answer buttons routes.go
// routes to answerButton.
func isAnswerButton(actionID string) bool {
	outcome, ok := strings.CutPrefix(actionID, bot.ActionAnswerPrefix)
	return ok && bot.Outcome(outcome).Valid()
}
