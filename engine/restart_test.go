package engine

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
)

// A process stopped while an attempt waits (the job is snoozed) hands
// nothing back: the next process on the same database finishes the
// attempt, which keeps its number.
func TestRestartDuringWait(t *testing.T) {
	dsn := testdb.DSN(t)
	slow := profile(t, "fast", func(p *Profile) { p.Default, p.FailureRate = Range{time.Second, time.Second}, 0 })
	s1 := openStore(t, dsn)
	e1 := newEngine(t, s1, Config{Profile: slow})
	op := newOperation(1)
	accept(t, s1, e1, op, nil)
	must(t, e1.Start(t.Context()))
	waitFor(t, s1, op.ID, 10*time.Second, func(op *teamsops.Operation) bool { return op.Status == teamsops.OperationStatusInProgress })
	stopNow(t, e1)
	s1.Close()

	s2 := openStore(t, dsn)
	start(t, newEngine(t, s2, Config{Profile: slow}))
	done := waitEnded(t, s2, op.ID)
	if done.Status != teamsops.OperationStatusSucceeded || done.AttemptsCount != 1 || effects(t, s2, op.ID) != 1 {
		t.Errorf("after a restart: %s after %d attempts, %d effects; want succeeded after 1, one effect",
			done.Status, done.AttemptsCount, effects(t, s2, op.ID))
	}
}

// stopNow stops e, cancelling what runs at once.
func stopNow(t *testing.T, e Runner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	must(t, e.Stop(ctx))
}

// Stop cancels an attempt that outlives its context: its transaction rolls
// back, and River hands the job back without counting the attempt.
func TestStopCancelsRunningAttempt(t *testing.T) {
	dsn := testdb.DSN(t)
	s1 := openStore(t, dsn)
	inEffect := make(chan struct{})
	stuck := func(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
		close(inEffect)
		if err := installApp(ctx, tx, op); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}
	e1 := newEngine(t, s1, Config{Profile: profile(t, "instant", nil),
		Effects: map[teamsops.OperationType]Effect{teamsops.OperationTypeCreateChat: stuck}})
	op := newOperation(1)
	accept(t, s1, e1, op, nil)
	must(t, e1.Start(t.Context()))
	<-inEffect
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	must(t, e1.Stop(ctx))
	if got := effects(t, s1, op.ID); got != 0 {
		t.Fatalf("%d effects committed by a cancelled attempt", got)
	}
	s1.Close()

	s2 := openStore(t, dsn)
	start(t, newEngine(t, s2, Config{Profile: profile(t, "instant", nil)}))
	done := waitEnded(t, s2, op.ID)
	if done.Status != teamsops.OperationStatusSucceeded || done.AttemptsCount != 1 || effects(t, s2, op.ID) != 1 {
		t.Errorf("after a restart: %s after %d attempts, %d effects; want succeeded after 1, one effect",
			done.Status, done.AttemptsCount, effects(t, s2, op.ID))
	}
}

// childDB, when set, makes TestKilledDuringEffect the process it kills,
// on that database; it creates the file childMarker names once inside the
// effect.
const (
	childDB     = "TEAMSOPS_ENGINE_TEST_CHILD_DB"
	childMarker = "TEAMSOPS_ENGINE_TEST_CHILD_MARKER"
)

// A process killed (SIGKILL) inside the transaction that applies an
// effect commits nothing; River rescues the job it left running, and the
// next process applies the effect once, in a second attempt.
func TestKilledDuringEffect(t *testing.T) {
	if dsn := os.Getenv(childDB); dsn != "" {
		runChild(t, dsn, os.Getenv(childMarker))
		return
	}
	if testing.Short() {
		t.Skip("waits for River's leader lease and rescuer (about 20s)")
	}
	dsn := testdb.DSN(t)
	s := openStore(t, dsn)
	rescuing := profile(t, "instant", func(p *Profile) { p.JobTimeout = time.Second })
	e := newEngine(t, s, Config{Profile: rescuing, RescueStuckJobsAfter: 2 * time.Second})
	op := newOperation(1)
	accept(t, s, e, op, nil)

	child := exec.Command(os.Args[0], "-test.run=^TestKilledDuringEffect$")
	marker := filepath.Join(t.TempDir(), "in-effect")
	child.Env = append(os.Environ(), childDB+"="+dsn, childMarker+"="+marker)
	child.Stdout, child.Stderr = t.Output(), t.Output()
	must(t, child.Start())
	waitFile(t, marker, child)
	must(t, child.Process.Kill())
	child.Wait()
	if got := effects(t, s, op.ID); got != 0 {
		t.Fatalf("%d effects committed by a killed process", got)
	}

	start(t, e)
	done := waitFor(t, s, op.ID, time.Minute, ended)
	if done.Status != teamsops.OperationStatusSucceeded || done.AttemptsCount != 2 || effects(t, s, op.ID) != 1 {
		t.Errorf("after the crash: %s after %d attempts, %d effects; want succeeded after 2, one effect",
			done.Status, done.AttemptsCount, effects(t, s, op.ID))
	}
}

// runChild works the queue of dsn with an effect that, holding the write
// transaction, tells the parent (creating marker) and hangs until killed.
func runChild(t *testing.T, dsn, marker string) {
	s := openStore(t, dsn)
	hang := func(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
		if err := installApp(ctx, tx, op); err != nil {
			return err
		}
		if err := os.WriteFile(marker, nil, 0o600); err != nil {
			return err
		}
		select {}
	}
	e := newEngine(t, s, Config{Profile: profile(t, "instant", nil),
		Effects: map[teamsops.OperationType]Effect{teamsops.OperationTypeCreateChat: hang}})
	must(t, e.Start(context.Background()))
	time.Sleep(time.Minute) // killed long before, unless the parent died
	os.Exit(2)
}

// waitFile waits for name to exist, or for child to die.
func waitFile(t *testing.T, name string, child *exec.Cmd) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(name); err == nil {
			return
		}
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatalf("the child process never reached the effect")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Start's context bounds the start only: a server hands Start the context
// that SIGTERM ends, and operations must run until Stop.
func TestStartContextEnds(t *testing.T) {
	s := tempStore(t)
	e := newEngine(t, s, Config{Profile: profile(t, "instant", nil)})
	ctx, cancel := context.WithCancel(context.Background())
	must(t, e.Start(ctx))
	t.Cleanup(func() { stopNow(t, e) })
	cancel()
	op := newOperation(1)
	accept(t, s, e, op, nil)
	if got := waitEnded(t, s, op.ID); got.Status != teamsops.OperationStatusSucceeded {
		t.Errorf("operation %s after Start's context ended, want succeeded", got.Status)
	}
}
