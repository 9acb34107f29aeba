package slackapi

import (
	"errors"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// errorKinds sorts Slack's error strings by what they mean for the bot. Any other
// string is bot.ErrSlackTransient: Slack's internal_error, fatal_error and the like.
var errorKinds = map[string]error{
	"name_taken": bot.ErrNameTaken,

	"channel_not_found": bot.ErrSlackNotFound, "message_not_found": bot.ErrSlackNotFound,
	"user_not_found": bot.ErrSlackNotFound,

	"invalid_auth": bot.ErrSlackCredentials, "not_authed": bot.ErrSlackCredentials,
	"account_inactive": bot.ErrSlackCredentials, "token_revoked": bot.ErrSlackCredentials,
	"missing_scope": bot.ErrSlackCredentials,

	"is_archived": bot.ErrSlackPermanent, "not_in_channel": bot.ErrSlackPermanent,
	"invalid_blocks": bot.ErrSlackPermanent, "restricted_action": bot.ErrSlackPermanent,
	"cant_update_message": bot.ErrSlackPermanent, "msg_too_long": bot.ErrSlackPermanent,
	"no_text": bot.ErrSlackPermanent, "invalid_arguments": bot.ErrSlackPermanent,
	"invalid_name_specials": bot.ErrSlackPermanent, "invalid_name_maxlength": bot.ErrSlackPermanent,
	"invalid_name_required": bot.ErrSlackPermanent, "too_long": bot.ErrSlackPermanent,
	"too_many_users": bot.ErrSlackPermanent,
}

// rateLimitedCode is Slack's error string in the body of a 429.
const rateLimitedCode = "ratelimited"

// slackError turns an error from slack-go into a *bot.SlackError, keeping it as Err
// so that errors.As still reaches slack-go's type. A 429 is rate limited; an error
// answer from Slack is sorted by errorKinds; anything else (an HTTP status such as
// 503, a network error, a cancelled context) is transient, with no Code. nil stays nil.
func slackError(err error) error {
	if err == nil {
		return nil
	}
	e := &bot.SlackError{Kind: bot.ErrSlackTransient, Err: err}
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &rl):
		e.Kind, e.Code, e.RetryAfter = bot.ErrSlackRateLimited, rateLimitedCode, rl.RetryAfter
	case errors.As(err, &se):
		e.Kind, e.Code = errorKind(se.Err), se.Err
	}
	return e
}

// errorKind is what Slack's error string means for the bot.
func errorKind(code string) error {
	if kind, ok := errorKinds[code]; ok {
		return kind
	}
	return bot.ErrSlackTransient
}
