// Package metadata holds Graph's CSDL for /v1.0 and /beta, trimmed to the
// types, navigation properties and entity sets teamsops serves. The files
// are Graph's own (github.com/microsoftgraph/msgraph-metadata), each headed
// by the path and commit it was trimmed from; internal/csdltrim refreshes
// them (docs/compatibility.md, "How the metadata is refreshed").
package metadata

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/teamsops/teamsops/odata/csdl"
)

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

var models = map[string]func() (*csdl.Model, error){
	"v1.0": sync.OnceValues(func() (*csdl.Model, error) { return csdl.Parse(v10) }),
	"beta": sync.OnceValues(func() (*csdl.Model, error) { return csdl.Parse(beta) }),
}

// Model returns the parsed CSDL of a version.
func Model(version string) (*csdl.Model, error) {
	f, ok := models[version]
	if !ok {
		return nil, fmt.Errorf("metadata: no version %q", version)
	}
	return f()
}

// CheckEntity compares a JSON object with the type typeName of a version
// (csdl.Model.Check) and returns the differences. includeUnknown says
// whether the request asked for Prefer: include-unknown-enum-members.
func CheckEntity(version, typeName string, json []byte, includeUnknown bool) []string {
	m, err := Model(version)
	if err != nil {
		return []string{err.Error()}
	}
	return m.Check(typeName, json, includeUnknown)
}
