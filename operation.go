package teamsops

import "time"

// OperationType is Graph's teamsAsyncOperationType, an evolvable enum.
//
// Members and their order come from the teamsAsyncOperation resource pages
// (api-reference/v1.0/resources/teamsasyncoperation.md and
// api-reference/beta/resources/teamsasyncoperation.md).
type OperationType string

// Members of teamsAsyncOperationType.
const (
	OperationTypeInvalid            OperationType = "invalid"
	OperationTypeCloneTeam          OperationType = "cloneTeam"
	OperationTypeArchiveTeam        OperationType = "archiveTeam"
	OperationTypeUnarchiveTeam      OperationType = "unarchiveTeam"
	OperationTypeCreateTeam         OperationType = "createTeam"
	OperationTypeUnknownFutureValue OperationType = "unknownFutureValue"
	OperationTypeTeamifyGroup       OperationType = "teamifyGroup"
	OperationTypeCreateChannel      OperationType = "createChannel"
	OperationTypeCreateChat         OperationType = "createChat"
	OperationTypeArchiveChannel     OperationType = "archiveChannel"
	OperationTypeUnarchiveChannel   OperationType = "unarchiveChannel"
)

// EnumMember describes one member of an evolvable enum: whether v1.0
// defines it, and whether it comes after unknownFutureValue (and so is
// only sent to clients that ask for it with
// "Prefer: include-unknown-enum-members").
type EnumMember struct {
	Name      string
	InV1      bool
	Evolvable bool
}

// OperationTypes lists teamsAsyncOperationType in Graph's order. createChat
// appears only in beta's member list.
var OperationTypes = []EnumMember{
	{"invalid", true, false},
	{"cloneTeam", true, false},
	{"archiveTeam", true, false},
	{"unarchiveTeam", true, false},
	{"createTeam", true, false},
	{"unknownFutureValue", true, false},
	{"teamifyGroup", true, true},
	{"createChannel", true, true},
	{"createChat", false, true},
	{"archiveChannel", true, true},
	{"unarchiveChannel", true, true},
}

// OperationStatus is Graph's teamsAsyncOperationStatus
// (api-reference/v1.0/resources/teamsasyncoperationstatus.md).
type OperationStatus string

// Members of teamsAsyncOperationStatus.
const (
	OperationStatusInvalid            OperationStatus = "invalid"
	OperationStatusNotStarted         OperationStatus = "notStarted"
	OperationStatusInProgress         OperationStatus = "inProgress"
	OperationStatusSucceeded          OperationStatus = "succeeded"
	OperationStatusFailed             OperationStatus = "failed"
	OperationStatusUnknownFutureValue OperationStatus = "unknownFutureValue"
)

// OperationStatuses lists teamsAsyncOperationStatus in Graph's order; no
// member follows unknownFutureValue.
var OperationStatuses = []EnumMember{
	{"invalid", true, false},
	{"notStarted", true, false},
	{"inProgress", true, false},
	{"succeeded", true, false},
	{"failed", true, false},
	{"unknownFutureValue", true, false},
}

// LookupEnumMember returns the member called name in members.
func LookupEnumMember(members []EnumMember, name string) (EnumMember, bool) {
	for _, m := range members {
		if m.Name == name {
			return m, true
		}
	}
	return EnumMember{}, false
}

// HeldMembers returns the members of an enum a resource can hold: all but
// invalid, which Graph's enum pages describe as "Invalid value" and never
// set (api-reference/v1.0/resources/teamsasyncoperationstatus.md), and
// unknownFutureValue, which marks where an evolvable enum's later members
// begin. For teamsAsyncOperationStatus these are notStarted, inProgress,
// succeeded and failed: what a client sees, what a tenant file may
// declare, what the dashboard filters by.
func HeldMembers(members []EnumMember) []EnumMember {
	var held []EnumMember
	for _, m := range members {
		if m.Name != "invalid" && m.Name != "unknownFutureValue" {
			held = append(held, m)
		}
	}
	return held
}

// OperationError is Graph's operationError: why an operation failed.
type OperationError struct {
	Code    string
	Message string
}

// ResourceKind names the kind of resource an operation belongs to.
type ResourceKind string

// Resource kinds that carry operations.
const (
	ResourceChat ResourceKind = "chats"
	ResourceTeam ResourceKind = "teams"
	// ResourceGroup names a group: it carries no operations, but
	// authorization reads access facts on it ("Create team from group").
	ResourceGroup ResourceKind = "groups"
	// ResourceUser names a user of the directory ("Get user"): it carries
	// no operations either.
	ResourceUser ResourceKind = "users"
)

// ResourceRef names one chat, team, group or user of a tenant.
type ResourceRef struct {
	Kind ResourceKind
	ID   string
}

// Operation is Graph's teamsAsyncOperation, with the tenant and resource it
// belongs to. Values is beta's "values" property, a JSON string.
type Operation struct {
	ID                     string
	TenantID               string
	Resource               ResourceRef
	Type                   OperationType
	Status                 OperationStatus
	CreatedDateTime        time.Time
	LastActionDateTime     time.Time
	AttemptsCount          int
	TargetResourceID       string
	TargetResourceLocation string
	Values                 string
	Error                  *OperationError

	// Origin is the request that started the operation. The service sets
	// it on an operation it creates and the store records it with the
	// operation's history; of the store's reads only SearchOperations
	// fills it. Graph's resource has no such property. (Neither field takes part in
	// the digest of a declared operation: json "-".)
	Origin *Origin `json:"-"`
	// AttemptError, set on the update that records a failed attempt after
	// which another follows, is why the attempt failed: it goes into the
	// operation's history, not into Graph's error, which stays null until
	// the operation ends failed.
	AttemptError *OperationError `json:"-"`
}

// OperationQuery narrows and pages a list of operations. Operations are
// listed in a stable order: createdDateTime, then id.
type OperationQuery struct {
	Filter *Filter // nil: all
	Top    int     // at most this many; 0: no limit
	Skip   int     // skip this many first
	Count  bool    // also count all that match the filter
}

// Fault makes an operation fail on purpose, so that clients can test how
// they handle retries and failures — which Graph itself never lets them
// provoke. The first FailAttempts attempts fail transiently; when that is
// every attempt the engine makes, the operation ends failed. With an
// ErrorCode, the first attempt ends the operation failed with that code
// and ErrorMessage (a FaultRule's "fail").
type Fault struct {
	FailAttempts int
	ErrorCode    string
	ErrorMessage string
}
