package main

import (
	"net/http"
	"testing"

	"github.com/teamsops/teamsops/internal/server"
)

// The metrics and profiler listeners bound headers and idleness as the
// API's does, and set no read or write timeout that would cut a long
// profile.
func TestSideListenerTimeouts(t *testing.T) {
	side, err := listenSide("metrics", "127.0.0.1:0", http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	defer side.ln.Close()
	hs, want := side.hs, server.DefaultTimeouts
	if hs.ReadHeaderTimeout != want.Header || hs.IdleTimeout != want.Idle || hs.ReadTimeout != 0 || hs.WriteTimeout != 0 {
		t.Errorf("header %v, idle %v, read %v, write %v; want header %v, idle %v, no read or write timeout",
			hs.ReadHeaderTimeout, hs.IdleTimeout, hs.ReadTimeout, hs.WriteTimeout, want.Header, want.Idle)
	}
}
