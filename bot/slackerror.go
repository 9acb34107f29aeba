package bot

import (
	"errors"
	"time"
)

// The kinds of Slack failure: the Kind of a *SlackError, matched with errors.Is.
// Implementations of Slack (internal/slackapi) sort Slack's own errors into these,
// so that the bot never reads Slack's error strings itself.
var (
	// ErrSlackRateLimited is returned when Slack asked the bot to slow down (HTTP 429);
	// the SlackError's RetryAfter says for how long.
	ErrSlackRateLimited = errors.New("slack: rate limited")
	// ErrSlackPermanent is returned when Slack refused the request itself
	// (invalid_blocks, is_archived, msg_too_long, …): sent again, it cannot succeed.
	ErrSlackPermanent = errors.New("slack: request refused")
	// ErrSlackNotFound is returned when the channel, message or user the request
	// names does not exist, or not for the bot (channel_not_found, message_not_found).
	ErrSlackNotFound = errors.New("slack: not found")
	// ErrSlackCredentials is returned when Slack refused the bot's token (invalid_auth,
	// not_authed, token_revoked, account_inactive) or a scope it lacks (missing_scope).
	ErrSlackCredentials = errors.New("slack: credentials refused")
	// ErrSlackTransient is returned for any other failure: a network error, an HTTP
	// 5xx, an error Slack does not explain. A retry after a while may well succeed.
	ErrSlackTransient = errors.New("slack: transient failure")
	// ErrNameTaken is returned by Slack.CreateChannel when the channel name is in use.
	ErrNameTaken = errors.New("channel name taken")
)

// SlackError is a failed Slack call: what kind of failure it is, and what Slack
// said, for the logs and for the analyst.
type SlackError struct {
	Kind       error         // one of the ErrSlack… kinds above, or ErrNameTaken
	Code       string        // Slack's error string (channel_not_found, ratelimited); "" when Slack gave none
	RetryAfter time.Duration // for ErrSlackRateLimited: how long Slack asked the bot to wait
	Err        error         // the Slack client's own error, if any
}

// Error is the Slack client's own message when there is one, so logs read as before.
func (e *SlackError) Error() string {
	switch {
	case e.Err != nil:
		return e.Err.Error()
	case e.Code != "":
		return e.Code
	}
	return e.Kind.Error()
}

// Unwrap lets errors.Is match the Kind, and errors.As reach the client's error.
func (e *SlackError) Unwrap() []error { return []error{e.Kind, e.Err} }

// Refused reports whether Slack answered the call with an error, so that it did
// nothing. Without an answer (a network error, an HTTP failure) the call may have
// done its work all the same.
func (e *SlackError) Refused() bool { return e.Code != "" }

// Permanent reports whether err from Slack will not go away on retry. Refused
// credentials are not permanent (see Paused): the operator fixes the app, and the
// same request then succeeds.
func Permanent(err error) bool {
	return errors.Is(err, ErrSlackPermanent) || errors.Is(err, ErrSlackNotFound)
}

// Paused reports whether err is Slack refusing the app's credentials or scopes
// (invalid_auth, token_revoked, missing_scope, …): nothing is wrong with the work
// itself, which waits, retried, until an operator fixes the app.
func Paused(err error) bool { return errors.Is(err, ErrSlackCredentials) }
