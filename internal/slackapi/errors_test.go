package slackapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

func TestSlackError(t *testing.T) {
	dial := &url.Error{Op: "Post", URL: "https://slack.com/api/chat.postMessage",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	tests := []struct {
		name       string
		in         error
		kind       error
		code       string
		retryAfter time.Duration
	}{
		{"429", &slack.RateLimitedError{RetryAfter: 30 * time.Second}, bot.ErrSlackRateLimited, "ratelimited", 30 * time.Second},
		{"429 now", &slack.RateLimitedError{}, bot.ErrSlackRateLimited, "ratelimited", 0},
		{"name taken", slack.SlackErrorResponse{Err: "name_taken"}, bot.ErrNameTaken, "name_taken", 0},
		{"no channel", slack.SlackErrorResponse{Err: "channel_not_found"}, bot.ErrSlackNotFound, "channel_not_found", 0},
		{"no message", slack.SlackErrorResponse{Err: "message_not_found"}, bot.ErrSlackNotFound, "message_not_found", 0},
		{"bad token", slack.SlackErrorResponse{Err: "invalid_auth"}, bot.ErrSlackCredentials, "invalid_auth", 0},
		{"revoked", slack.SlackErrorResponse{Err: "token_revoked"}, bot.ErrSlackCredentials, "token_revoked", 0},
		{"no scope", slack.SlackErrorResponse{Err: "missing_scope", Needed: "groups:write"}, bot.ErrSlackCredentials, "missing_scope", 0},
		{"bad blocks", slack.SlackErrorResponse{Err: "invalid_blocks"}, bot.ErrSlackPermanent, "invalid_blocks", 0},
		{"archived", slack.SlackErrorResponse{Err: "is_archived"}, bot.ErrSlackPermanent, "is_archived", 0},
		{"too long", slack.SlackErrorResponse{Err: "msg_too_long"}, bot.ErrSlackPermanent, "msg_too_long", 0},
		{"restricted", slack.SlackErrorResponse{Err: "restricted_action"}, bot.ErrSlackPermanent, "restricted_action", 0},
		{"slack's fault", slack.SlackErrorResponse{Err: "internal_error"}, bot.ErrSlackTransient, "internal_error", 0},
		{"unknown string", slack.SlackErrorResponse{Err: "something_new"}, bot.ErrSlackTransient, "something_new", 0},
		{"wrapped", fmt.Errorf("page 2: %w", slack.SlackErrorResponse{Err: "channel_not_found"}), bot.ErrSlackNotFound, "channel_not_found", 0},
		{"503", slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, bot.ErrSlackTransient, "", 0},
		{"429 without Retry-After", slack.StatusCodeError{Code: 429, Status: "429 Too Many Requests"}, bot.ErrSlackTransient, "", 0},
		{"network", dial, bot.ErrSlackTransient, "", 0},
		{"timeout", context.DeadlineExceeded, bot.ErrSlackTransient, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := slackError(tt.in)
			var se *bot.SlackError
			if !errors.As(err, &se) {
				t.Fatalf("got %v (%T); want a *bot.SlackError", err, err)
			}
			if se.Kind != tt.kind || se.Code != tt.code || se.RetryAfter != tt.retryAfter {
				t.Errorf("got kind %v, code %q, retry after %v; want %v, %q, %v", se.Kind, se.Code, se.RetryAfter, tt.kind, tt.code, tt.retryAfter)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("errors.Is(err, %v) = false; want true", tt.kind)
			}
			if !reflect.DeepEqual(se.Err, tt.in) || err.Error() != tt.in.Error() {
				t.Errorf("got %q wrapping %#v; want slack-go's error %q kept as Err", err, se.Err, tt.in)
			}
			if got, want := se.Refused(), tt.code != ""; got != want {
				t.Errorf("Refused() = %v; want %v", got, want)
			}
		})
	}
	// Callers that still look for slack-go's own types find them.
	var rl *slack.RateLimitedError
	if err := slackError(&slack.RateLimitedError{RetryAfter: time.Second}); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Errorf("errors.As(%v, *slack.RateLimitedError) = false; want true", err)
	}
	if err := slackError(nil); err != nil {
		t.Errorf("slackError(nil) = %v; want nil", err)
	}
}
