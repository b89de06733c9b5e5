package lro

import (
	"fmt"
	"net/http"
	"time"
)

// Operation is Graph's teamsAsyncOperation, every property of it: those of
// the v1.0 resource page (api-reference/v1.0/resources/teamsasyncoperation.md)
// and beta's values. Its JSON is Graph's.
type Operation struct {
	ID                 string        `json:"id"`
	OperationType      OperationType `json:"operationType"`
	CreatedDateTime    time.Time     `json:"createdDateTime"`
	Status             Status        `json:"status"`
	LastActionDateTime time.Time     `json:"lastActionDateTime"`
	// AttemptsCount is how many times the operation was attempted,
	// retries after transient failures included.
	AttemptsCount    int    `json:"attemptsCount"`
	TargetResourceID string `json:"targetResourceId"`
	// TargetResourceLocation names what the operation made or changed,
	// e.g. /teams('{id}'). Graph asks clients to treat it as opaque.
	TargetResourceLocation string `json:"targetResourceLocation"`
	// Values is beta's values property: a JSON document as a string, such
	// as {"appIds":[…]} for createChat. Empty on v1.0.
	Values string `json:"values,omitempty"`
	// Error is why the operation failed, or nil.
	Error *OperationError `json:"error"`
}

// Status is Graph's teamsAsyncOperationStatus
// (api-reference/v1.0/resources/teamsasyncoperationstatus.md). Only
// StatusSucceeded and StatusFailed end an operation.
type Status string

// Members of teamsAsyncOperationStatus, in Graph's order.
const (
	StatusInvalid            Status = "invalid"
	StatusNotStarted         Status = "notStarted"
	StatusInProgress         Status = "inProgress"
	StatusSucceeded          Status = "succeeded"
	StatusFailed             Status = "failed"
	StatusUnknownFutureValue Status = "unknownFutureValue"
)

// OperationType is Graph's teamsAsyncOperationType, an evolvable enum: a
// server sends the members after TypeUnknownFutureValue only to clients
// that ask for them, which a Poller does (Prefer:
// include-unknown-enum-members). v1.0 does not define TypeCreateChat, so
// on v1.0 a createChat operation is TypeUnknownFutureValue; on beta it is
// TypeCreateChat.
type OperationType string

// Members of teamsAsyncOperationType, in the order of the beta resource
// page (api-reference/beta/resources/teamsasyncoperation.md).
const (
	TypeInvalid            OperationType = "invalid"
	TypeCloneTeam          OperationType = "cloneTeam"
	TypeArchiveTeam        OperationType = "archiveTeam"
	TypeUnarchiveTeam      OperationType = "unarchiveTeam"
	TypeCreateTeam         OperationType = "createTeam"
	TypeUnknownFutureValue OperationType = "unknownFutureValue"
	TypeTeamifyGroup       OperationType = "teamifyGroup"
	TypeCreateChannel      OperationType = "createChannel"
	TypeCreateChat         OperationType = "createChat"
	TypeArchiveChannel     OperationType = "archiveChannel"
	TypeUnarchiveChannel   OperationType = "unarchiveChannel"
)

// OperationError is Graph's operationError — why an operation failed — and
// the error Poll and PollUntilDone return when the operation ended failed.
type OperationError struct {
	// Code is Graph's error.code, e.g. serviceNotAvailable.
	Code string `json:"code"`
	// Message is Graph's error.message.
	Message string `json:"message"`
	// Operation is the failed operation. It is set on the error that Poll
	// and PollUntilDone return, and nil in Operation.Error.
	Operation *Operation `json:"-"`
}

// Error says which operation failed and Graph's code and message.
func (e *OperationError) Error() string {
	what := "operation"
	if e.Operation != nil {
		what = fmt.Sprintf("operation %s (%s)", e.Operation.ID, e.Operation.OperationType)
	}
	if e.Code == "" && e.Message == "" {
		return "lro: " + what + " failed"
	}
	return fmt.Sprintf("lro: %s failed: %s: %s", what, e.Code, e.Message)
}

// ResponseError is an answer other than 200 OK to a GET of the operation,
// with what Graph's error envelope says about it (empty when the body is
// not one).
type ResponseError struct {
	// StatusCode is the HTTP status, e.g. 404.
	StatusCode int
	// Code and Message are Graph's error.code and error.message.
	Code    string
	Message string
	// RequestID is error.innerError.request-id, or the request-id header.
	RequestID string

	url string
}

// Error says which request failed and how.
func (e *ResponseError) Error() string {
	s := fmt.Sprintf("lro: GET %s: %d %s", e.url, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" || e.Message != "" {
		s += ": " + e.Code + ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (request-id " + e.RequestID + ")"
	}
	return s
}
