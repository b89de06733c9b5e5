package dashboard

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/teamsops/teamsops"
)

// filter is what the operations table shows: the GET form's fields, and
// for an operation's page, that operation.
type filter struct {
	Tenant   string
	Status   teamsops.OperationStatus
	Type     teamsops.OperationType
	Resource string
	// Operation is set on an operation's page, whose stream hears only
	// of it.
	Operation *opKey
}

// filterStatuses and filterTypes are what the table filters by: the
// statuses and types an operation can have, without invalid and
// unknownFutureValue, which no client ever sees (teamsops.HeldMembers).
var (
	filterStatuses = teamsops.HeldMembers(teamsops.OperationStatuses)
	filterTypes    = teamsops.HeldMembers(teamsops.OperationTypes)
)

// names lists members' names for a message: "a, b, c".
func names(members []teamsops.EnumMember) string {
	var s []string
	for _, m := range members {
		s = append(s, m.Name)
	}
	return strings.Join(s, ", ")
}

// maxField bounds a filter's text; ids are far shorter.
const maxField = 256

// parseFilter reads the filters of a query: tenant, status, type,
// resource, and operation (with tenant) for an operation's page. Unknown
// statuses and types are refused, as is text no id could be.
func parseFilter(q url.Values) (filter, error) {
	f := filter{Tenant: q.Get("tenant"), Resource: q.Get("resource"),
		Status: teamsops.OperationStatus(q.Get("status")), Type: teamsops.OperationType(q.Get("type"))}
	for name, v := range map[string]string{"tenant": f.Tenant, "resource": f.Resource, "operation": q.Get("operation")} {
		if len(v) > maxField || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return filter{}, fmt.Errorf("The %s filter is not valid: at most %d bytes of text.", name, maxField)
		}
	}
	if _, ok := teamsops.LookupEnumMember(filterStatuses, string(f.Status)); f.Status != "" && !ok {
		return filter{}, fmt.Errorf("The status %q is not a status an operation can have: %s.", teamsops.Clip(string(f.Status)), names(filterStatuses))
	}
	if _, ok := teamsops.LookupEnumMember(filterTypes, string(f.Type)); f.Type != "" && !ok {
		return filter{}, fmt.Errorf("The type %q is not a type an operation can have: %s.", teamsops.Clip(string(f.Type)), names(filterTypes))
	}
	if id := q.Get("operation"); id != "" {
		if f.Tenant == "" {
			return filter{}, errors.New("The operation filter needs a tenant.")
		}
		f.Operation = &opKey{f.Tenant, id}
	}
	return f, nil
}

// matches reports whether op is in the table f shows.
func (f filter) matches(op *teamsops.Operation) bool {
	return (f.Tenant == "" || f.Tenant == op.TenantID) && (f.Resource == "" || f.Resource == op.Resource.ID) &&
		(f.Status == "" || f.Status == op.Status) && (f.Type == "" || f.Type == op.Type)
}

// search is the store's search for f, after cursor.
func (f filter) search(before *teamsops.OperationCursor, limit int) teamsops.OperationSearch {
	return teamsops.OperationSearch{TenantID: f.Tenant, Status: f.Status, Type: f.Type, ResourceID: f.Resource,
		Before: before, Limit: limit}
}

// query is f as the table's URL query, with extra name/value pairs.
func (f filter) query(extra ...string) string {
	q := url.Values{}
	for name, v := range map[string]string{"tenant": f.Tenant, "status": string(f.Status), "type": string(f.Type), "resource": f.Resource} {
		if v != "" {
			q.Set(name, v)
		}
	}
	if f.Operation != nil {
		q.Set("operation", f.Operation.id)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q.Encode()
}

// encodeCursor writes a page's cursor for the "before" parameter.
func encodeCursor(c teamsops.OperationCursor) string {
	raw := strconv.FormatInt(c.CreatedDateTime.UnixNano(), 10) + "\x00" + c.TenantID + "\x00" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeCursor reads a "before" parameter; "" is no cursor.
func decodeCursor(s string) (*teamsops.OperationCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := errors.New("The page cursor (before) is not valid: follow the table's links.")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 3*maxField {
		return nil, bad
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || !utf8.ValidString(parts[1]) || !utf8.ValidString(parts[2]) {
		return nil, bad
	}
	nanos, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return nil, bad
	}
	return &teamsops.OperationCursor{CreatedDateTime: time.Unix(0, nanos).UTC(), TenantID: parts[1], ID: parts[2]}, nil
}
