package engine

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/teamsops/teamsops"
)

// TestLifecycle follows one operation: notStarted, inProgress with one
// attempt, succeeded with its app installed; lastActionDateTime moves at
// every step.
func TestLifecycle(t *testing.T) {
	s := tempStore(t)
	e := newEngine(t, s, Config{Profile: profile(t, "fast", func(p *Profile) {
		p.Default, p.FailureRate = Range{300 * time.Millisecond, 300 * time.Millisecond}, 0
	})})
	op := newOperation(1)
	accept(t, s, e, op, nil)
	got, err := s.OperationByID(t.Context(), tenantID, op.ID)
	must(t, err)
	if got.Status != teamsops.OperationStatusNotStarted || got.AttemptsCount != 0 {
		t.Fatalf("accepted operation is %s after %d attempts, want notStarted, 0", got.Status, got.AttemptsCount)
	}
	start(t, e)

	running := waitFor(t, s, op.ID, 10*time.Second, func(op *teamsops.Operation) bool { return op.Status != teamsops.OperationStatusNotStarted })
	if running.Status != teamsops.OperationStatusInProgress || running.AttemptsCount != 1 {
		t.Fatalf("started operation is %s after %d attempts, want inProgress, 1", running.Status, running.AttemptsCount)
	}
	if !running.LastActionDateTime.After(op.LastActionDateTime) {
		t.Errorf("lastActionDateTime %v did not move on start (created %v)", running.LastActionDateTime, op.LastActionDateTime)
	}
	done := waitEnded(t, s, op.ID)
	want := *running
	want.Status, want.LastActionDateTime = teamsops.OperationStatusSucceeded, done.LastActionDateTime
	if *done != want {
		t.Errorf("ended operation:\n got  %+v\n want %+v", done, &want)
	}
	if elapsed := done.LastActionDateTime.Sub(running.LastActionDateTime); elapsed < 300*time.Millisecond {
		t.Errorf("the attempt took %s, want the profile's 300ms", elapsed)
	}
	if apps := installed(t, s, op); !slices.Equal(apps, []string{appID}) || effects(t, s, op.ID) != 1 {
		t.Errorf("installed %v with %d effects, want the app once", apps, effects(t, s, op.ID))
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name         string
		fault        *teamsops.Fault
		failureRate  float64
		wantStatus   teamsops.OperationStatus
		wantAttempts int
		wantError    *teamsops.OperationError
	}{
		{"none", nil, 0, teamsops.OperationStatusSucceeded, 1, nil},
		{"first attempt", &teamsops.Fault{FailAttempts: 1}, 0, teamsops.OperationStatusSucceeded, 2, nil},
		{"all but the last", &teamsops.Fault{FailAttempts: 2}, 0, teamsops.OperationStatusSucceeded, 3, nil},
		{"failure rate", nil, 1, teamsops.OperationStatusSucceeded, 2, nil},
		{"every attempt", &teamsops.Fault{FailAttempts: 99}, 0, teamsops.OperationStatusFailed, 3, &teamsops.OperationError{
			Code: "serviceNotAvailable", Message: "The operation failed after 3 attempts: the service is temporarily unavailable.",
		}},
		// A fault rule's "fail": the first attempt ends it with the rule's error.
		{"rule's error", &teamsops.Fault{ErrorCode: "Forbidden", ErrorMessage: "No teams today."}, 0, teamsops.OperationStatusFailed, 1,
			&teamsops.OperationError{Code: "Forbidden", Message: "No teams today."}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tempStore(t)
			e := newEngine(t, s, Config{Profile: profile(t, "instant", func(p *Profile) { p.FailureRate = tt.failureRate })})
			start(t, e)
			op := newOperation(i)
			accept(t, s, e, op, tt.fault)
			got := waitEnded(t, s, op.ID)
			if got.Status != tt.wantStatus || got.AttemptsCount != tt.wantAttempts {
				t.Errorf("%s after %d attempts, want %s after %d", got.Status, got.AttemptsCount, tt.wantStatus, tt.wantAttempts)
			}
			if (got.Error == nil) != (tt.wantError == nil) || got.Error != nil && *got.Error != *tt.wantError {
				t.Errorf("error %+v, want %+v", got.Error, tt.wantError)
			}
			wantEffects := 0
			if tt.wantStatus == teamsops.OperationStatusSucceeded {
				wantEffects = 1
			}
			if n, apps := effects(t, s, op.ID), installed(t, s, op); n != wantEffects || len(apps) != wantEffects {
				t.Errorf("%d effects and apps %v; want %d", n, apps, wantEffects)
			}
		})
	}
}

// An effect that refuses ends the operation failed at once; one that
// breaks is retried like a transient failure.
func TestEffectErrors(t *testing.T) {
	var calls atomic.Int64
	byType := map[teamsops.OperationType]Effect{
		teamsops.OperationTypeCreateChat: func(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
			return teamsops.Errorf(teamsops.ECONFLICT, "The app is installed already.")
		},
		teamsops.OperationTypeCreateTeam: func(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
			if calls.Add(1) == 1 {
				return errors.New("disk on fire")
			}
			return installApp(ctx, tx, op)
		},
	}
	s := tempStore(t)
	e := newEngine(t, s, Config{Profile: profile(t, "instant", nil), Effects: byType})
	start(t, e)

	refused := newOperation(1)
	accept(t, s, e, refused, nil)
	got := waitEnded(t, s, refused.ID)
	want := &teamsops.OperationError{Code: "notAllowed", Message: "The app is installed already."}
	if got.Status != teamsops.OperationStatusFailed || got.AttemptsCount != 1 || got.Error == nil || *got.Error != *want {
		t.Errorf("refused: %s after %d attempts with %+v; want failed after 1 with %+v", got.Status, got.AttemptsCount, got.Error, want)
	}

	broken := newOperation(2)
	broken.Type = teamsops.OperationTypeCreateTeam
	accept(t, s, e, broken, nil)
	got = waitEnded(t, s, broken.ID)
	if got.Status != teamsops.OperationStatusSucceeded || got.AttemptsCount != 2 || effects(t, s, broken.ID) != 1 {
		t.Errorf("broken once: %s after %d attempts; want succeeded after 2, effect once", got.Status, got.AttemptsCount)
	}
}

// A job run again after its operation succeeded (a retry, a duplicate
// delivery) changes nothing.
func TestWorkedTwice(t *testing.T) {
	s := tempStore(t)
	e := newEngine(t, s, Config{Profile: profile(t, "instant", nil)})
	start(t, e)
	op := newOperation(1)
	accept(t, s, e, op, nil)
	first := waitEnded(t, s, op.ID)

	// River's completer completes the job once its run has returned.
	var job *rivertype.JobRow
	for wait := time.Now().Add(10 * time.Second); job == nil; {
		jobs, err := e.client.JobList(t.Context(), river.NewJobListParams().States(rivertype.JobStateCompleted))
		must(t, err)
		switch {
		case len(jobs.Jobs) == 1:
			job = jobs.Jobs[0]
		case len(jobs.Jobs) > 1 || time.Now().After(wait):
			t.Fatalf("%d completed jobs, want 1", len(jobs.Jobs))
		default:
			time.Sleep(10 * time.Millisecond)
		}
	}
	_, err := e.client.JobRetry(t.Context(), job.ID)
	must(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for {
		again, err := e.client.JobGet(t.Context(), job.ID)
		must(t, err)
		if again.State == rivertype.JobStateCompleted && again.Attempt > job.Attempt {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job retried is %s at attempt %d", again.State, again.Attempt)
		}
		time.Sleep(5 * time.Millisecond)
	}
	second, err := s.OperationByID(t.Context(), tenantID, op.ID)
	must(t, err)
	if *second != *first || effects(t, s, op.ID) != 1 {
		t.Errorf("after a second run: %+v with %d effects; want %+v with 1", second, effects(t, s, op.ID), first)
	}
}

// An operation whose transaction rolls back leaves no job behind: a 202 is
// never answered for work that was not recorded, and no job runs for an
// operation that was not.
func TestEnqueueRollsBack(t *testing.T) {
	s := tempStore(t)
	e := newEngine(t, s, Config{Profile: profile(t, "instant", nil)})
	op := newOperation(1)
	stop := errors.New("stop")
	err := s.Update(t.Context(), func(tx teamsops.Tx) error {
		must(t, tx.CreateOperation(t.Context(), op))
		must(t, e.Enqueue(t.Context(), tx, op, &teamsops.Fault{FailAttempts: 1}))
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Update: %v", err)
	}
	_, err = s.OperationByID(t.Context(), tenantID, op.ID)
	if teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Errorf("operation of a rolled back transaction: %v", err)
	}
	jobs, err := e.client.JobList(t.Context(), river.NewJobListParams())
	must(t, err)
	if len(jobs.Jobs) != 0 {
		t.Errorf("%d jobs after a rollback, want none", len(jobs.Jobs))
	}
}

func TestMigrateTwice(t *testing.T) {
	s := tempStore(t)
	e := newEngine(t, s, Config{Profile: profile(t, "instant", nil)}) // migrates once
	must(t, e.Migrate(t.Context()))
	must(t, e.Migrate(t.Context()))
}
