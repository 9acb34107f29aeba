package bot

import (
	"context"

	"github.com/slack-go/slack"
)

// Message is what the bot posts or updates in a channel.
type Message struct {
	Text   string        // fallback text for notifications; never referral details in DMs
	Blocks []slack.Block // Block Kit layout
	// Key tags a channel message (as Slack message metadata) so that an interrupted
	// opening can find a message it already posted instead of posting it twice.
	Key string
	// ThreadTS, when set, posts the message as a reply in that thread: reminders go
	// under their ask, so the channel sees one top-level post per ask.
	ThreadTS string
}

// Slack is everything the bot asks of the Slack Web API. Implementations report
// failures as *SlackError; any other error counts as transient, with no answer
// from Slack. Code that needs only part takes the part's interface.
type Slack interface {
	SlackChannels
	SlackMessages
	SlackViews
	SlackUserGroups
	SlackQueues
}

// SlackChannels creates a referral's private channel and brings people into it.
type SlackChannels interface {
	// CreateChannel creates a private channel and returns its id.
	CreateChannel(ctx context.Context, name string) (string, error)
	// FindOwnChannel finds a private channel of that exact name that this bot created,
	// for adopting a channel whose creation was interrupted before its id was stored.
	FindOwnChannel(ctx context.Context, name string) (id string, ok bool, err error)
	SetTopic(ctx context.Context, channelID, topic string) error
	// Invite adds users to a channel; users already in it are not an error.
	Invite(ctx context.Context, channelID string, userIDs []string) error
}

// SlackMessages posts and updates the bot's messages, in channels and direct messages.
type SlackMessages interface {
	PostMessage(ctx context.Context, channelID string, m Message) (ts string, err error)
	UpdateMessage(ctx context.Context, channelID, ts string, m Message) error
	PostEphemeral(ctx context.Context, channelID, userID string, m Message) error
	// Respond answers a button press through its response_url, seen only by the
	// person who pressed, even outside a channel they are a member of.
	Respond(ctx context.Context, responseURL string, m Message) error
	// FindMessage returns the ts of a message the bot posted in the channel with Key key.
	FindMessage(ctx context.Context, channelID, key string) (ts string, ok bool, err error)
	// OpenDM returns the id of the bot's direct-message channel with a user.
	OpenDM(ctx context.Context, userID string) (string, error)
}

// SlackViews shows modals and the Home tab.
type SlackViews interface {
	OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error
	// UpdateView replaces an open modal (views.update); hash, when given, makes it fail
	// if the view changed meanwhile.
	UpdateView(ctx context.Context, viewID, hash string, view slack.ModalViewRequest) error
	// PublishHome sets the Home tab a user sees in the bot's app home (views.publish).
	PublishHome(ctx context.Context, userID string, view slack.HomeTabViewRequest) error
}

// SlackQueues is what office queues, quiet channels and archiving need of Slack.
type SlackQueues interface {
	// Queue channels are checked at start-up: a bot cannot join a private channel
	// by itself, and referral details must not go to a public one.
	// QueueAccess reports whether the bot is in the channel and whether it is private.
	QueueAccess(ctx context.Context, channelID string) (member, private bool, err error)
	// Kick removes a user from a channel; one not in it is not an error.
	Kick(ctx context.Context, channelID, userID string) error
	// Archive archives a channel; one already archived is not an error.
	Archive(ctx context.Context, channelID string) error
	// UploadFile uploads content as a file shared in the channel.
	UploadFile(ctx context.Context, channelID, filename, title string, content []byte) error
	// Permalink is the link to a message.
	Permalink(ctx context.Context, channelID, ts string) (string, error)
}

// SlackUserGroups reads the user groups that office rosters may name.
type SlackUserGroups interface {
	UserGroupMembers(ctx context.Context, groupID string) ([]string, error)
}
