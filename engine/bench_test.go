package engine

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
)

// BenchmarkThroughput measures operations carried from accepted (the
// operation, its chat and its job committed, as before a 202) to
// succeeded (effect applied), with the instant profile on a new database
// of the back end under test (a SQLite file, or PostgreSQL with
// TEAMSOPS_TEST_BACKEND=postgres). Eight goroutines accept operations while
// the engine works them; ops/s is b.N over the time from the first accept
// to the last success.
//
//	go test ./engine -run '^$' -bench 'BenchmarkThroughput$' -benchtime 2000x
func BenchmarkThroughput(b *testing.B) {
	s := tempStore(b)
	e := newEngine(b, s, Config{Profile: profile(b, "instant", nil), Logger: slog.New(slog.DiscardHandler)})
	start(b, e)
	throughput(b, []teamsops.Store{s}, []Runner{e})
}

// BenchmarkThroughputReplicas is BenchmarkThroughput with three replicas
// in one process: three stores (three connection pools) and three engines
// (three River clients, one of them River's leader) on one database, each
// accepting a third of the operations, all working them.
//
//	TEAMSOPS_TEST_BACKEND=postgres go test ./engine -run '^$' -bench ThroughputReplicas -benchtime 2000x
func BenchmarkThroughputReplicas(b *testing.B) {
	dsn := testdb.DSN(b)
	var stores []teamsops.Store
	var engines []Runner
	for range 3 {
		s := openStore(b, dsn)
		e := newEngine(b, s, Config{Profile: profile(b, "instant", nil), Logger: slog.New(slog.DiscardHandler)})
		start(b, e)
		stores, engines = append(stores, s), append(engines, e)
	}
	throughput(b, stores, engines)
}

// throughput accepts b.N operations, the i-th goroutine on stores[i % n]
// and engines[i % n], and reports ops/s once all have succeeded.
func throughput(b *testing.B, stores []teamsops.Store, engines []Runner) {
	ops := make(chan *teamsops.Operation, b.N)
	for i := range b.N {
		ops <- newOperation(i)
	}
	close(ops)

	b.ResetTimer()
	began := time.Now()
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for i := range 8 {
		s, e := stores[i%len(stores)], engines[i%len(engines)]
		wg.Go(func() {
			for op := range ops {
				if err := acceptErr(s, e, op, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	waitSucceeded(b, stores[0], b.N)
	elapsed := time.Since(began)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
}

// waitSucceeded polls, in order, until operations 0 to n-1 have succeeded.
func waitSucceeded(b *testing.B, s teamsops.Store, n int) {
	deadline := time.Now().Add(5 * time.Minute)
	for i := 0; i < n; {
		op, err := s.OperationByID(context.Background(), tenantID, newOperation(i).ID)
		must(b, err)
		switch {
		case op.Status == teamsops.OperationStatusSucceeded:
			i++
		case time.Now().After(deadline):
			b.Fatalf("operation %d is %s; %d of %d succeeded", i, op.Status, i, n)
		default:
			time.Sleep(5 * time.Millisecond)
		}
	}
}
