package http_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/sqlite"
)

// startEngine runs the real engine on store with the instant profile and
// the service's effects. It stops when the test ends, or earlier when
// stop is called (before the store closes, say).
func startEngine(tb testing.TB, store *sqlite.Store) (runner service.Runner, stop func()) {
	tb.Helper()
	profile, err := engine.ProfileByName("instant")
	if err != nil {
		tb.Fatal(err)
	}
	effects := make(map[teamsops.OperationType]engine.Effect)
	for typ, effect := range service.Effects() {
		effects[typ] = effect
	}
	eng, err := engine.New(riversqlite.New(store.DB()), store, engine.Config{Profile: profile, Effects: effects, Logger: discardLogger()})
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
