//go:build unix

package server_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/internal/server"
)

// A database file an earlier version left readable by everyone is
// narrowed to 0600 at start, with one warning.
func TestLooseDatabaseWarnedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "teamsops.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	profile, _ := engine.ProfileByName("instant")
	srv, err := server.Open(t.Context(), server.Config{DB: "sqlite:" + path, PublicURL: "http://127.0.0.1:1",
		Profile: profile, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("database file: %v, %v", fi.Mode(), err)
	}
	if n := strings.Count(logs.String(), "narrowed to 0600"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, logs.String())
	}
}
