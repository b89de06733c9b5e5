package feed

import (
	"encoding/json"
	"errors"

	"github.com/teamsops/teamsops"
)

// wire is a change as one process tells others of it (PostgreSQL's
// NOTIFY payload): short keys, since a payload is at most 8000 bytes.
type wire struct {
	Origin      string `json:"o,omitempty"`
	Kind        string `json:"k"`
	TenantID    string `json:"t,omitempty"`
	RKind       string `json:"rk,omitempty"`
	RID         string `json:"r,omitempty"`
	OperationID string `json:"op,omitempty"`
	Status      string `json:"s,omitempty"`
}

// Encode writes c for another process, marked with the sender's origin.
func Encode(origin string, c teamsops.Change) string {
	b, _ := json.Marshal(wire{Origin: origin, Kind: string(c.Kind), TenantID: c.TenantID,
		RKind: string(c.Resource.Kind), RID: c.Resource.ID, OperationID: c.OperationID, Status: string(c.Status)})
	return string(b)
}

// Decode reads what Encode wrote and the origin it names.
func Decode(payload string) (origin string, c teamsops.Change, err error) {
	var w wire
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		return "", c, err
	}
	if w.Kind == "" {
		return "", c, errors.New("feed: a change without a kind")
	}
	c = teamsops.Change{Kind: teamsops.ChangeKind(w.Kind), TenantID: w.TenantID,
		Resource:    teamsops.ResourceRef{Kind: teamsops.ResourceKind(w.RKind), ID: w.RID},
		OperationID: w.OperationID, Status: teamsops.OperationStatus(w.Status)}
	c.Live = c.Kind == teamsops.ChangeReset
	return w.Origin, c, nil
}
