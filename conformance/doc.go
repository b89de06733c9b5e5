// Package conformance proves that Microsoft Graph's official Go SDK
// (msgraph-sdk-go) works against teamsops through its public API only:
// tokens from teamsops' own token endpoint, the fluent request builders,
// query-parameter configuration, the page iterator, the request adapter
// for paths the v1.0 SDK has no builder for, and ODataError for failures.
//
// It is a module of its own so that the SDK, whose models package is slow
// and memory-hungry to compile, stays out of the main module's build.
package conformance
