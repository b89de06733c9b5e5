package http

import (
	"slices"

	"github.com/teamsops/teamsops"
)

// view is how one response renders resources: the API version and whether
// the client opted in to evolvable enum members.
type view struct {
	beta           bool
	includeUnknown bool
}

// newView reads the version and the Prefer header
// (https://learn.microsoft.com/graph/best-practices-concept, "Handling
// future members in evolvable enumerations").
func newView(version string, prefs map[string]string) view {
	_, include := prefs["include-unknown-enum-members"]
	return view{beta: version == "beta", includeUnknown: include}
}

var (
	betaProperties = teamsops.OperationProperties
	v1Properties   = v1Only(teamsops.OperationProperties)
)

// v1Only drops what v1.0's schema lacks: beta-only properties, and enum
// members v1.0 does not define (createChat), so that $select and $filter
// refuse them on v1.0.
func v1Only(props []teamsops.Property) []teamsops.Property {
	var out []teamsops.Property
	for _, p := range props {
		if p.BetaOnly {
			continue
		}
		if p.Enum != nil {
			var members []teamsops.EnumMember
			for _, m := range p.Enum {
				if m.InV1 {
					members = append(members, m)
				}
			}
			p.Enum = members
		}
		out = append(out, p)
	}
	return out
}

// properties returns teamsAsyncOperation's properties in this version.
func (v view) properties() []teamsops.Property {
	if v.beta {
		return betaProperties
	}
	return v1Properties
}

// enum renders an evolvable enum member. A member listed after
// unknownFutureValue is sent as unknownFutureValue unless the client sent
// "Prefer: include-unknown-enum-members", on both versions: the beta
// teamsAsyncOperation page asks for the header to get teamifyGroup,
// createChannel, createChat, archiveChannel and unarchiveChannel, and the
// channel pages for shared. createChat is the exception on beta, sent
// without the header as the seed's example shows it (the seed stands
// where it and Graph's pages disagree, PRODUCT.md). On v1.0 a member
// v1.0 does not define is always unknownFutureValue.
func (v view) enum(members []teamsops.EnumMember, value string) string {
	m, ok := teamsops.LookupEnumMember(members, value)
	switch {
	case !ok:
		return "unknownFutureValue"
	case v.beta && slices.Contains(seedShownMembers, value):
		return value
	case !v.beta && !m.InV1, m.Evolvable && !v.includeUnknown:
		return "unknownFutureValue"
	}
	return value
}

// seedShownMembers are the evolvable members beta sends without the
// Prefer header because the seed's example response does.
var seedShownMembers = []string{string(teamsops.OperationTypeCreateChat)}

// operation renders a teamsAsyncOperation with the selected properties (all
// when sel is empty) in the order of the resource page.
func (v view) operation(op *teamsops.Operation, sel []string) object {
	out := make(object, 0, len(teamsops.OperationProperties))
	for _, p := range v.properties() {
		if len(sel) > 0 && !slices.Contains(sel, p.Name) {
			continue
		}
		out = append(out, member{p.Name, v.value(op, p.Name)})
	}
	return out
}

func (v view) value(op *teamsops.Operation, name string) any {
	switch name {
	case "operationType":
		return v.enum(teamsops.OperationTypes, string(op.Type))
	case "status":
		return v.enum(teamsops.OperationStatuses, string(op.Status))
	case "createdDateTime":
		return formatTime(op.CreatedDateTime)
	case "lastActionDateTime":
		return formatTime(op.LastActionDateTime)
	case "attemptsCount":
		return op.AttemptsCount
	case "error":
		if op.Error == nil {
			return nil
		}
		return object{{"code", op.Error.Code}, {"message", op.Error.Message}}
	}
	return op.PropertyValue(name)
}

// OperationJSON returns a function that renders an operation as a GET of
// it on version ("v1.0" or "beta") answers a client without Prefer
// headers, with its @odata.context on publicURL: the same JSON, member for
// member. It is what the dashboard shows, and, on the version
// OperationsVersion names, the content of a rich change notification
// (NotificationJSON).
func OperationJSON(publicURL, version string) func(op *teamsops.Operation) ([]byte, error) {
	s, v := &Server{PublicURL: publicURL}, newView(version, nil)
	return func(op *teamsops.Operation) ([]byte, error) {
		req := &request{version: version, view: v, route: route{resource: op.Resource}}
		return appendJSON(nil, append(object{{"@odata.context", s.contextURL(req, nil) + "/$entity"}}, v.operation(op, nil)...))
	}
}

// OperationsVersion is the version whose GET reads a resource's
// operations and whose view renders them where no request names one:
// beta for a chat's (v1.0 has no chat operations: Graph's v1.0 metadata
// has no operations navigation on chat, and v1.0 answers them 400), v1.0
// for the others.
func OperationsVersion(kind teamsops.ResourceKind) string {
	if kind == teamsops.ResourceChat {
		return "beta"
	}
	return "v1.0"
}

// NotificationJSON returns the renderer of a rich change notification's
// content: an operation as a GET of it on OperationsVersion answers a
// client without Prefer headers, so that its @odata.context resolves to a
// path the receiver can read and its enum members follow that version's
// rules.
func NotificationJSON(publicURL string) func(op *teamsops.Operation) ([]byte, error) {
	v1, beta := OperationJSON(publicURL, "v1.0"), OperationJSON(publicURL, "beta")
	return func(op *teamsops.Operation) ([]byte, error) {
		if OperationsVersion(op.Resource.Kind) == "beta" {
			return beta(op)
		}
		return v1(op)
	}
}
