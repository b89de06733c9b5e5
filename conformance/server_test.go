package conformance

import (
	"testing"

	"github.com/teamsops/teamsops/teamsopstest"
)

// startServer starts teamsops in-process on a free loopback port (package
// teamsopstest): the demo tenant unless opts give tenants of the test's
// own, operations on the instant profile, stopped when the test ends.
func startServer(t *testing.T, opts ...teamsopstest.Option) *teamsopstest.Server {
	t.Helper()
	return teamsopstest.NewServer(t, opts...)
}
