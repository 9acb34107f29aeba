package slackfake

import "errors"

// Errors of the user side: what a person cannot do in Slack, and what goes wrong
// delivering to the app.
var (
	// ErrNoSuchUser is returned when the acting person is not in the workspace.
	ErrNoSuchUser = errors.New("slackfake: no such user")
	// ErrNoSuchChannel is returned when the channel does not exist.
	ErrNoSuchChannel = errors.New("slackfake: no such channel")
	// ErrNotInChannel is returned when the person cannot act in the channel: they are
	// not a member (slash commands, posting), or cannot see it (a private channel).
	ErrNotInChannel = errors.New("slackfake: person not in channel")
	// ErrNoSuchMessage is returned when a click names a message that does not exist.
	ErrNoSuchMessage = errors.New("slackfake: no such message")
	// ErrNoSuchAction is returned when the blocks have no button with that action_id:
	// a person cannot click what is not there.
	ErrNoSuchAction = errors.New("slackfake: no such button")
	// ErrAmbiguousAction is returned when several buttons match; name the block too.
	ErrAmbiguousAction = errors.New("slackfake: several buttons match")
	// ErrNoSuchView is returned when the view does not exist.
	ErrNoSuchView = errors.New("slackfake: no such view")
	// ErrNotYourView is returned when the view was opened for someone else.
	ErrNotYourView = errors.New("slackfake: view belongs to another person")
	// ErrViewNotOpen is returned when the view is closed or covered by a pushed modal.
	ErrViewNotOpen = errors.New("slackfake: view not open on top")
	// ErrInvalidInput is returned when a submission could not be made in Slack's UI:
	// an unknown input block, an option not offered, a required field left empty, or
	// text longer than the input allows.
	ErrInvalidInput = errors.New("slackfake: input a person could not enter")
	// ErrBadAck is returned when the app's ack is one Slack would reject, such as
	// response_action errors keyed by something other than an input block_id.
	ErrBadAck = errors.New("slackfake: ack Slack would reject")
	// ErrNoSuchEvent is returned by Redeliver for an event id never sent.
	ErrNoSuchEvent = errors.New("slackfake: no such event")
	// ErrNotConnected is returned by the Socket Mode transport when no app is connected.
	ErrNotConnected = errors.New("slackfake: no Socket Mode connection")
	// ErrAckTimeout is returned when the app does not ack within the transport's
	// timeout (3 seconds by default, as in Slack).
	ErrAckTimeout = errors.New("slackfake: no ack in time")
	// ErrAckTooLarge is returned when a Socket Mode ack is 20 KB or more, which Slack
	// drops.
	ErrAckTooLarge = errors.New("slackfake: Socket Mode ack of 20 KB or more")
)
