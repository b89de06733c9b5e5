package teamsops

import "time"

// Origin is the request that started an operation, as the dashboard shows
// it: the HTTP edge describes it, the service puts it on the operation it
// creates, and the store records it beside the operation's first
// transition.
type Origin struct {
	Method string
	// Path is the request's path with its version and query, as sent
	// (/v1.0/teams/…/archive).
	Path string
	// ClientAppID and UserID are the caller's app and, for a delegated
	// token, its user.
	ClientAppID string
	UserID      string
	// Fault is the request's X-Teamsops-Fault header, "" without one.
	Fault string
	// RequestID is the request-id the response carried.
	RequestID string
}

// Transition is one recorded step of an operation's life: its status and
// attempt after a write, and the error of that write — the operation's
// error when it ended failed, the attempt's when an attempt failed and
// another follows.
type Transition struct {
	// At is the operation's lastActionDateTime after the write.
	At      time.Time
	Status  OperationStatus
	Attempt int
	Error   *OperationError
}

// History is what the store recorded of one operation, within the
// retention of history: the request that started it (nil when none was
// recorded, as for an operation declared in a tenant file) and its
// transitions, oldest first.
type History struct {
	Origin      *Origin
	Transitions []Transition
}

// OperationSearch selects operations across tenants for the dashboard.
// Empty fields match everything.
type OperationSearch struct {
	TenantID string
	Status   OperationStatus
	Type     OperationType
	// ResourceID is the id of the chat or team the operation is listed
	// under.
	ResourceID string
	// Before, if set, keeps only operations listed after it: the cursor
	// of the page before.
	Before *OperationCursor
	// Limit is the most operations returned; 0 means 50.
	Limit int
}

// OperationCursor is the position of an operation in the newest-first
// order of SearchOperations: createdDateTime, then tenant, then id, each
// descending.
type OperationCursor struct {
	CreatedDateTime time.Time
	TenantID        string
	ID              string
}

// CursorOf returns op's position, for OperationSearch.Before.
func CursorOf(op *Operation) OperationCursor {
	return OperationCursor{CreatedDateTime: op.CreatedDateTime, TenantID: op.TenantID, ID: op.ID}
}
