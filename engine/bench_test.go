package engine

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// BenchmarkThroughput measures operations carried from accepted (the
// operation, its chat and its job committed, as before a 202) to
// succeeded (effect applied), with the instant profile on a SQLite file.
// Eight goroutines accept operations while the engine works them; ops/s is
// b.N over the time from the first accept to the last success.
//
//	go test ./engine -run '^$' -bench BenchmarkThroughput -benchtime 2000x
func BenchmarkThroughput(b *testing.B) {
	s := tempStore(b)
	e := newEngine(b, s, Config{Profile: profile(b, "instant", nil), Logger: slog.New(slog.DiscardHandler)})
	start(b, e)
	ops := make(chan *teamsops.Operation, b.N)
	for i := range b.N {
		ops <- newOperation(i)
	}
	close(ops)

	b.ResetTimer()
	began := time.Now()
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
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
	waitSucceeded(b, s, b.N)
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
