package slackapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// QueueAccess reports whether the bot is in the channel and whether the channel is
// private. A private channel the bot is not in does not exist for it
// (channel_not_found): that is not being a member.
func (c *Client) QueueAccess(ctx context.Context, channelID string) (member, private bool, err error) {
	ch, err := c.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channelID})
	if err := slackError(err); errors.Is(err, bot.ErrSlackNotFound) {
		return false, true, nil
	} else if err != nil {
		return false, false, fmt.Errorf("conversations.info %s: %w", channelID, err)
	}
	return ch.IsMember && !ch.IsArchived, ch.IsPrivate, nil
}

// Kick removes a user from a channel. One who is not there is already where the
// bot wants them.
func (c *Client) Kick(ctx context.Context, channelID, userID string) error {
	err := c.api.KickUserFromConversationContext(ctx, channelID, userID)
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "not_in_channel" {
		return nil
	}
	return slackError(err)
}

// Archive archives a channel; one already archived is done.
func (c *Client) Archive(ctx context.Context, channelID string) error {
	err := c.api.ArchiveConversationContext(ctx, channelID)
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "already_archived" {
		return nil
	}
	return slackError(err)
}

// Permalink is the link to a message, built from the workspace's URL (auth.test,
// asked once) as Slack's own permalinks are: …/archives/CHANNEL/pTSWITHOUTDOT.
func (c *Client) Permalink(ctx context.Context, channelID, ts string) (string, error) {
	c.teamOnce.Do(func() {
		auth, err := c.api.AuthTestContext(ctx)
		if err != nil {
			c.teamErr = slackError(err)
			return
		}
		c.teamURL = strings.TrimSuffix(auth.URL, "/")
	})
	if c.teamErr != nil {
		return "", c.teamErr
	}
	return c.teamURL + "/archives/" + channelID + "/p" + strings.ReplaceAll(ts, ".", ""), nil
}
