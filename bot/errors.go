package bot

import (
	"errors"
	"fmt"
)

// Error codes carried by *Error. Each transport maps a code to what its user sees.
const (
	EINVALID   = "invalid"   // the input is malformed; Fields says which fields and why
	ENOTFOUND  = "not_found" // the referral, ask or office does not exist
	ECONFLICT  = "conflict"  // the thing already exists or was changed concurrently
	EFORBIDDEN = "forbidden" // the caller may not do this
	ECLOSED    = "closed"    // the referral already has its final recommendation
	EINTERNAL  = "internal"  // anything else; the message is not shown to users
)

// Error is a domain error: a code, a message fit to show the person who caused it,
// and for EINVALID the offending fields keyed by input name.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// Detail is for the log only (internal ids, table names): never shown to users.
	Detail string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %s", e.Code, e.Message)
	if len(e.Fields) > 0 {
		msg += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error for the given problems map (input name → message).
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: "some fields need attention", Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: an *Error's Message, or a
// generic apology for internal errors so that no internals leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	if IsTooSlow(err) {
		// A write that could not start in time never runs (store's group commit).
		return TryAgain
	}
	return "Something went wrong on our side. Nothing was lost; please try again in a moment."
}

// TryAgain is what a person reads when the bot could not finish in time, the
// database or Slack being too slow: nothing was recorded, and it says so.
const TryAgain = "That took too long, so *nothing was recorded*. Please try again in a moment."
