package sqlite

import (
	"encoding/json"

	"github.com/teamsops/teamsops"
)

// The directory's methods are package sqlstore's; what stays here serves
// this package's methods not yet written there.

// resourceNotFound names a missing chat or team as Graph does.
func resourceNotFound(ref teamsops.ResourceRef) error {
	if ref.Kind == teamsops.ResourceTeam {
		return notFound("Team '%s' was not found.", ref.ID)
	}
	return notFound("Chat '%s' was not found.", ref.ID)
}

// encodeRoles keeps a list of roles (or scopes, or hashes) as a JSON
// array, [] when empty.
func encodeRoles(roles []string) string {
	if len(roles) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(roles) // a []string always marshals
	return string(b)
}
