package teamsops

// ChangeKind says what a Change is about.
type ChangeKind string

// Kinds of change.
const (
	// ChangeOperation: an operation was created, updated or deleted.
	ChangeOperation ChangeKind = "operation"
	// ChangeAccess: what authorization knows of a chat, team or group
	// changed — it was created or deleted, or its members or RSC grants
	// changed. A Change with an empty Resource.ID concerns every resource
	// of the tenant.
	ChangeAccess ChangeKind = "access"
	// ChangeTenant: anything of the tenant may have changed (a tenant file
	// was applied, the tenant was deleted).
	ChangeTenant ChangeKind = "tenant"
	// ChangeSubscription: a subscription of the tenant was created,
	// updated or deleted.
	ChangeSubscription ChangeKind = "subscription"
	// ChangeReset: changes may have been missed, so anything of any tenant
	// may have changed. Live says whether changes are delivered again from
	// now on (true), or may be missed until the next ChangeReset (false).
	ChangeReset ChangeKind = "reset"
)

// Change is one committed change to a store, as Store.Watch reports it:
// the one source of events that caches, held requests and change
// notifications listen to, instead of each re-reading the database.
type Change struct {
	Kind     ChangeKind
	TenantID string
	// Resource is the chat, team or group concerned (ChangeAccess), or the
	// chat or team an operation belongs to (ChangeOperation).
	Resource ResourceRef
	// OperationID and Status name the operation and its status after the
	// change (ChangeOperation); Status is "" when it was deleted.
	OperationID string
	Status      OperationStatus
	// Live is set on a ChangeReset after which no change is missed.
	Live bool
}
