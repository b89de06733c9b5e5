package main

import (
	"bytes"
	"os"
	"testing"
)

// TestStoreCallsCurrent fails when storecalls.go is not what teamsops.Store
// makes of it now: a method added, removed or changed in the interface
// since the file was last generated (go generate ./internal/tracing).
func TestStoreCallsCurrent(t *testing.T) {
	want, err := generate("../../..")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../storecalls.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("internal/tracing/storecalls.go is stale: run go generate ./internal/tracing")
	}
}
