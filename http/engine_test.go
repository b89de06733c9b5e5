package http_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/postgres"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/sqlite"
)

// startEngine runs the real engine on store (SQLite or PostgreSQL) with
// the instant profile and the service's effects. It stops when the test
// ends, or earlier when stop is called (before the store closes, say).
func startEngine(tb testing.TB, store teamsops.Store) (runner service.Runner, stop func()) {
	tb.Helper()
	profile, err := engine.ProfileByName("instant")
	if err != nil {
		tb.Fatal(err)
	}
	effects := make(map[teamsops.OperationType]engine.Effect)
	for typ, effect := range service.Effects() {
		effects[typ] = effect
	}
	cfg := engine.Config{Profile: profile, Effects: effects, Logger: discardLogger()}
	var eng engine.Runner
	switch s := store.(type) {
	case *sqlite.Store:
		eng, err = engine.New(riversqlite.New(s.DB()), s, cfg)
	case *postgres.Store:
		eng, err = engine.New(riverpgxv5.New(s.Pool()), s, cfg)
	default:
		tb.Fatalf("no River driver for a %T", store)
	}
	if err != nil {
		tb.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			eng.Stop(ctx)
		})
	}
	tb.Cleanup(stop)
	return eng, stop
}
