// Package metadata holds Graph's CSDL for /v1.0 and /beta, trimmed to the
// types, navigation properties and entity sets teamsops serves. The files
// are Graph's own (github.com/microsoftgraph/msgraph-metadata), each headed
// by the path and commit it was trimmed from; internal/csdltrim refreshes
// them (docs/compatibility.md, "How the metadata is refreshed").
package metadata

import _ "embed"

var (
	//go:embed v1.0.xml
	v10 []byte
	//go:embed beta.xml
	beta []byte
)

// CSDL returns the trimmed CSDL document of a version ("v1.0" or "beta"),
// as GET /{version}/$metadata serves it, and false for any other version.
func CSDL(version string) ([]byte, bool) {
	switch version {
	case "v1.0":
		return v10, true
	case "beta":
		return beta, true
	}
	return nil, false
}
