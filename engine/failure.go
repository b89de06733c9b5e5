package engine

import (
	"fmt"

	"github.com/teamsops/teamsops"
)

// graphCodes names an application error code in the words of Graph's
// error responses page (graph/errors, "Code property"), for the
// error.code of a failed operation.
var graphCodes = map[string]string{
	teamsops.EINVALID:      "invalidRequest",
	teamsops.EUNAUTHORIZED: "unauthenticated",
	teamsops.EFORBIDDEN:    "accessDenied",
	teamsops.ENOTFOUND:     "itemNotFound",
	teamsops.ENOTALLOWED:   "notSupported",
	teamsops.ECONFLICT:     "notAllowed",
	teamsops.EUNAVAILABLE:  "serviceNotAvailable",
	teamsops.EINTERNAL:     "generalException",
}

// failureFor is the error a failed operation carries when cause ended it
// after attempts attempts:
//
//   - transient failures, every attempt: serviceNotAvailable, "The
//     operation failed after 4 attempts: the service is temporarily
//     unavailable.";
//   - an unexpected error on the last attempt: generalException, with a
//     message that reveals nothing internal;
//   - an effect's refusal, such as an app that left the catalog:
//     its code in Graph's words (itemNotFound, notAllowed, …) and message.
func failureFor(cause error, attempts int) *teamsops.OperationError {
	code := teamsops.ErrorCode(cause)
	message := teamsops.ErrorMessage(cause)
	switch code {
	case teamsops.EUNAVAILABLE:
		message = fmt.Sprintf("The operation failed after %d attempts: %s", attempts, lowerFirst(message))
	case teamsops.EINTERNAL:
		message = fmt.Sprintf("The operation failed after %d attempts: an internal error occurred.", attempts)
	}
	return &teamsops.OperationError{Code: graphCodes[code], Message: message}
}

// lowerFirst lowers an ASCII first letter, to join a sentence onto another.
func lowerFirst(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

// attemptFailure is what the operation's history records of an attempt
// that failed with cause when another follows: cause in Graph's words, as
// failureFor would end the operation, and nothing internal revealed.
func attemptFailure(cause error, attempt int) *teamsops.OperationError {
	e := &teamsops.OperationError{Code: graphCodes[teamsops.ErrorCode(cause)], Message: teamsops.ErrorMessage(cause)}
	if teamsops.ErrorCode(cause) == teamsops.EINTERNAL {
		e.Message = "An internal error occurred."
	}
	e.Message = fmt.Sprintf("Attempt %d failed: %s", attempt, lowerFirst(e.Message))
	return e
}
