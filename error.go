package teamsops

import (
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"
)

// Application error codes. Only the HTTP edge turns a code into a status
// code and Graph's error envelope; everything below it speaks in codes.
const (
	EINVALID      = "invalid"      // the request is malformed (400)
	EUNAUTHORIZED = "unauthorized" // no valid token (401)
	EFORBIDDEN    = "forbidden"    // a valid token that may not do this (403)
	ENOTFOUND     = "not_found"    // no such resource, or not visible to the caller (404)
	ENOTALLOWED   = "not_allowed"  // the method is not supported on the resource (405)
	ECONFLICT     = "conflict"     // the resource's state forbids the change (409)
	EUNAVAILABLE  = "unavailable"  // a dependency is down; retry later (503)
	EINTERNAL     = "internal"     // a bug or an unexpected failure (500)
)

// Error is the application's error: a code from the list above and a
// message fit to show the caller.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("teamsops: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err if it is (or wraps) an *Error,
// and a generic message otherwise, so internal details never reach a caller.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "An internal server error occurred."
}

// Clip shortens text a caller sent to at most 256 bytes, on a rune
// boundary, before an error message repeats it.
func Clip(s string) string {
	const max = 256
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// GraphStatus is how Graph answers an error: the HTTP status and Graph's
// own error code (https://learn.microsoft.com/graph/errors).
type GraphStatus struct {
	Status int
	Code   string
}

// GraphStatuses returns, in a map of its own, how Graph answers each of
// the codes above. The HTTP edges (packages http and admin) add the codes
// only they write; this is the one place the codes above become statuses.
func GraphStatuses() map[string]GraphStatus {
	return map[string]GraphStatus{
		EINVALID:      {http.StatusBadRequest, "BadRequest"},
		EUNAUTHORIZED: {http.StatusUnauthorized, "InvalidAuthenticationToken"},
		EFORBIDDEN:    {http.StatusForbidden, "Forbidden"},
		ENOTFOUND:     {http.StatusNotFound, "NotFound"},
		ENOTALLOWED:   {http.StatusMethodNotAllowed, "MethodNotAllowed"},
		ECONFLICT:     {http.StatusConflict, "Conflict"},
		EUNAVAILABLE:  {http.StatusServiceUnavailable, "ServiceUnavailable"},
		EINTERNAL:     {http.StatusInternalServerError, "InternalServerError"},
	}
}
