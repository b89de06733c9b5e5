package teamsops

import "unicode/utf8"

// Actions of a FaultRule.
const (
	// FaultActionFail ends the operation failed at its first attempt,
	// with the rule's error code and message.
	FaultActionFail = "fail"
	// FaultActionTransient makes the operation's first Attempts attempts
	// fail transiently; later ones run.
	FaultActionTransient = "transient"
)

// FaultRule makes the operations one app starts in one tenant fail on
// purpose — "every createTeam of app X fails with code Y" — so that a
// client under test can be failed without changing its requests. Rules
// belong to a tenant; the service reads them when it starts an operation.
// A request's own X-Teamsops-Fault header wins over every rule.
type FaultRule struct {
	ID       string
	TenantID string
	// ClientAppID is the client id of the app whose operations fail.
	ClientAppID string
	// OperationType limits the rule to one type of operation; "" matches
	// every type.
	OperationType OperationType
	// Action is FaultActionFail or FaultActionTransient.
	Action string
	// ErrorCode and ErrorMessage are the failed operation's error.code
	// and error.message (FaultActionFail only).
	ErrorCode    string
	ErrorMessage string
	// Attempts is how many attempts fail (FaultActionTransient only).
	Attempts int
}

// MaxFaultAttempts bounds a transient rule's Attempts.
const MaxFaultAttempts = 1000

// MaxFaultText bounds, in bytes, each text of a rule: its id, app,
// operation type, error code and error message.
const MaxFaultText = 1024

// Validate checks a rule; it returns nil or an EINVALID *Error.
func (r *FaultRule) Validate() error {
	for _, s := range []string{r.ID, r.TenantID, r.ClientAppID, string(r.OperationType), r.ErrorCode, r.ErrorMessage} {
		if !utf8.ValidString(s) || len(s) > MaxFaultText {
			return Errorf(EINVALID, "A fault rule's text must be valid UTF-8 of at most %d bytes.", MaxFaultText)
		}
	}
	switch {
	case r.ID == "" || r.TenantID == "" || r.ClientAppID == "":
		return Errorf(EINVALID, "A fault rule needs an id, a tenant and an app's client id.")
	case r.OperationType != "" && !operationType(r.OperationType):
		return Errorf(EINVALID, "The fault rule %s names the operation type '%s', which does not exist.", r.ID, Clip(string(r.OperationType)))
	}
	switch r.Action {
	case FaultActionFail:
		if r.ErrorCode == "" || r.ErrorMessage == "" || r.Attempts != 0 {
			return Errorf(EINVALID, "The fault rule %s fails operations: it needs an error code and message, and no attempts.", r.ID)
		}
	case FaultActionTransient:
		if r.Attempts < 1 || r.Attempts > MaxFaultAttempts || r.ErrorCode != "" || r.ErrorMessage != "" {
			return Errorf(EINVALID, "The fault rule %s fails attempts: it needs from 1 to %d attempts, and no error.", r.ID, MaxFaultAttempts)
		}
	default:
		return Errorf(EINVALID, "The fault rule %s has the action '%s'; use '%s' or '%s'.", r.ID, Clip(r.Action), FaultActionFail, FaultActionTransient)
	}
	return nil
}

// Overlaps reports whether r and o are two rules — of different ids —
// of one tenant, app and operation type. Of two such rules only the first
// by id could ever apply (Matches), so a tenant holds at most one: tenant
// files, the admin API and apply all refuse the second.
func (r *FaultRule) Overlaps(o *FaultRule) bool {
	return r.ID != o.ID && r.TenantID == o.TenantID && r.ClientAppID == o.ClientAppID && r.OperationType == o.OperationType
}

// Target names what the rule fails, for messages: "app X, createTeam
// operations" or "app X, every operation".
func (r *FaultRule) Target() string {
	if r.OperationType == "" {
		return "app " + r.ClientAppID + ", every operation"
	}
	return "app " + r.ClientAppID + ", " + string(r.OperationType) + " operations"
}

// Matches reports whether the rule applies to an operation of type typ.
func (r *FaultRule) Matches(typ OperationType) bool {
	return r.OperationType == "" || r.OperationType == typ
}

// Fault returns the fault the rule puts on an operation it matches.
func (r *FaultRule) Fault() *Fault {
	if r.Action == FaultActionFail {
		return &Fault{ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	}
	return &Fault{FailAttempts: r.Attempts}
}

func operationType(t OperationType) bool {
	_, ok := LookupEnumMember(HeldMembers(OperationTypes), string(t))
	return ok
}
