package postgres

import "github.com/teamsops/teamsops"

// The directory's methods are package sqlstore's; what stays here serves
// this package's methods not yet written there.

// resourceNotFound names a missing chat or team as Graph does.
func resourceNotFound(ref teamsops.ResourceRef) error {
	if ref.Kind == teamsops.ResourceTeam {
		return notFound("Team '%s' was not found.", ref.ID)
	}
	return notFound("Chat '%s' was not found.", ref.ID)
}
