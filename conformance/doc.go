// Package conformance proves that Microsoft Graph's official Go SDK
// (msgraph-sdk-go) works against teamsops through its public API only:
// tokens from teamsops' own token endpoint, the fluent request builders,
// query-parameter configuration, the page iterator, the request adapter
// for paths the v1.0 SDK has no builder for, ODataError for failures, and
// waiting for an operation with lro from the 202's Location, captured with
// Kiota's headers inspection option.
//
// It is a module of its own so that the SDK, whose models package is slow
// and memory-hungry to compile, stays out of the main module's build.
package conformance
