// Package slackapi is referralbot's one Slack Web API client: it implements
// bot.Slack on top of slack-go. Every method reports its failures as *bot.SlackError
// (see slackError), so that nothing outside this package reads slack-go's errors.
package slackapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// alreadyInChannel is conversations.invite's error for a user who is a member already.
const alreadyInChannel = "already_in_channel"

// metadataEventType tags the bot's channel messages; the payload carries the key.
const metadataEventType = "referralbot_message"

// responseTimeout bounds one post to a response_url.
const responseTimeout = 10 * time.Second

// historyPages bounds how far back FindMessage looks: a referral channel's own
// messages are among its first few hundred.
const historyPages = 5

// Client implements bot.Slack.
type Client struct {
	api       *slack.Client
	http      *http.Client // for response_urls, which slack-go's client does not call
	botUserID string

	teamOnce sync.Once // the workspace's URL, for permalinks, read once
	teamURL  string
	teamErr  error
}

var _ bot.Slack = (*Client)(nil)

// New wraps api; botUserID is the bot's own user id (from auth.test), used to
// recognise channels and messages the bot made.
func New(api *slack.Client, botUserID string) *Client {
	return &Client{api: api, botUserID: botUserID, http: &http.Client{Timeout: responseTimeout}}
}

// CreateChannel creates a private channel.
func (c *Client) CreateChannel(ctx context.Context, name string) (string, error) {
	ch, err := c.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: true})
	if err != nil {
		return "", slackError(err)
	}
	return ch.ID, nil
}

// FindOwnChannel looks through the private channels the bot is in for one of that
// name that the bot created.
func (c *Client) FindOwnChannel(ctx context.Context, name string) (string, bool, error) {
	params := &slack.GetConversationsParameters{Types: []string{"private_channel"}, Limit: 200, ExcludeArchived: true}
	for {
		chans, cursor, err := c.api.GetConversationsContext(ctx, params)
		if err != nil {
			return "", false, slackError(err)
		}
		for _, ch := range chans {
			if ch.Name == name && ch.Creator == c.botUserID {
				return ch.ID, true, nil
			}
		}
		if cursor == "" {
			return "", false, nil
		}
		params.Cursor = cursor
	}
}

// SetTopic sets a channel's topic.
func (c *Client) SetTopic(ctx context.Context, channelID, topic string) error {
	_, err := c.api.SetTopicOfConversationContext(ctx, channelID, topic)
	return slackError(err)
}

// Invite adds users to a channel, so that each of them ends up in it. Slack fails a
// call with several users as a whole when one of them is already in the channel;
// with force=true it invites the others and lists, user by user, who was not
// invited. Those already in count as success; any other refusal is returned (the
// others are in the channel by then).
func (c *Client) Invite(ctx context.Context, channelID string, userIDs []string) error {
	var users []string
	for _, u := range userIDs {
		if u != c.botUserID && u != "" && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return nil
	}
	_, err := c.api.ForceInviteUsersToConversationContext(ctx, channelID, users...)
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return slackError(err)
	}
	if len(se.Errors) == 0 { // no answer user by user
		switch {
		case se.Err != alreadyInChannel:
			return slackError(err)
		case len(users) == 1:
			return nil
		}
		for _, u := range users { // which one is in is not said: one at a time
			if err := c.Invite(ctx, channelID, []string{u}); err != nil {
				return err
			}
		}
		return nil
	}
	var refused []string
	code := ""
	for _, e := range se.Errors {
		if ie := e.ConversationsInviteResponseError; ie != nil && !ie.Ok && ie.Error != alreadyInChannel {
			refused = append(refused, ie.User+" ("+ie.Error+")")
			if code == "" {
				code = ie.Error
			}
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return &bot.SlackError{Kind: errorKind(code), Code: code,
		Err: fmt.Errorf("invite to %s: not invited: %s: %w", channelID, strings.Join(refused, ", "), err)}
}

// msgOptions sends m's text, its blocks when it has any (an update always sends
// them, so that "[]" clears the old ones), its thread, and its key as metadata when
// it has one: fields left empty are not sent.
func msgOptions(m bot.Message, update bool) []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 || update {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	if m.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(m.ThreadTS))
	}
	if m.Key != "" {
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{
			EventType: metadataEventType, EventPayload: map[string]any{"key": m.Key},
		}))
	}
	return opts
}

// PostMessage posts m to a channel and returns its ts.
func (c *Client) PostMessage(ctx context.Context, channelID string, m bot.Message) (string, error) {
	_, ts, err := c.api.PostMessageContext(ctx, channelID, msgOptions(m, false)...)
	return ts, slackError(err)
}

// UpdateMessage replaces the message at ts with m.
func (c *Client) UpdateMessage(ctx context.Context, channelID, ts string, m bot.Message) error {
	_, _, _, err := c.api.UpdateMessageContext(ctx, channelID, ts, msgOptions(m, true)...)
	return slackError(err)
}

// PostEphemeral shows m to one user in a channel.
func (c *Client) PostEphemeral(ctx context.Context, channelID, userID string, m bot.Message) error {
	m.Key = "" // ephemeral messages carry no metadata
	_, err := c.api.PostEphemeralContext(ctx, channelID, userID, msgOptions(m, false)...)
	return slackError(err)
}

// Respond answers a button press through its response_url, seen only by the
// person who pressed: unlike chat.postEphemeral, which fails with
// user_not_in_channel, it reaches someone who is not a member of the channel
// (anyone may press a button in a public office queue).
func (c *Client) Respond(ctx context.Context, responseURL string, m bot.Message) error {
	msg := &slack.WebhookMessage{Text: m.Text, ResponseType: slack.ResponseTypeEphemeral}
	if len(m.Blocks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: m.Blocks}
	}
	return slackError(slack.PostWebhookCustomHTTPContext(ctx, responseURL, c.http, msg))
}

// FindMessage finds the bot's message tagged with key in a channel's history.
func (c *Client) FindMessage(ctx context.Context, channelID, key string) (string, bool, error) {
	params := &slack.GetConversationHistoryParameters{ChannelID: channelID, Limit: 200, IncludeAllMetadata: true}
	for range historyPages {
		h, err := c.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", false, slackError(err)
		}
		for _, m := range h.Messages {
			if m.Metadata.EventType == metadataEventType && m.Metadata.EventPayload["key"] == key {
				return m.Timestamp, true, nil
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

// OpenView opens a modal for the user who triggered triggerID.
func (c *Client) OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	_, err := c.api.OpenViewContext(ctx, triggerID, view)
	return slackError(err)
}

// UpdateView replaces an open modal (views.update).
func (c *Client) UpdateView(ctx context.Context, viewID, hash string, view slack.ModalViewRequest) error {
	_, err := c.api.UpdateViewContext(ctx, view, "", hash, viewID)
	return slackError(err)
}

// OpenDM opens (or finds) the bot's direct-message channel with a user.
func (c *Client) OpenDM(ctx context.Context, userID string) (string, error) {
	ch, _, _, err := c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}})
	if err != nil {
		return "", slackError(err)
	}
	return ch.ID, nil
}

// UserGroupMembers lists the users in a user group.
func (c *Client) UserGroupMembers(ctx context.Context, groupID string) ([]string, error) {
	members, err := c.api.GetUserGroupMembersContext(ctx, groupID)
	return members, slackError(err)
}

// PublishHome publishes a user's Home tab.
func (c *Client) PublishHome(ctx context.Context, userID string, view slack.HomeTabViewRequest) error {
	_, err := c.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
	return slackError(err)
}

// UploadFile uploads content as a file and shares it in the channel: the three
// steps of files.getUploadURLExternal, the upload, files.completeUploadExternal.
func (c *Client) UploadFile(ctx context.Context, channelID, filename, title string, content []byte) error {
	_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Channel: channelID, Filename: filename, Title: title,
		Reader: bytes.NewReader(content), FileSize: len(content),
	})
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", filename, channelID, slackError(err))
	}
	return nil
}
