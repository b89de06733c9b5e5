package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/teamsops/teamsops"
)

// worker runs the jobs of operations. One run of a job is one step of an
// attempt: start it, wait for it (a snooze), or end it.
type worker[TTx any] struct {
	river.WorkerDefaults[operationArgs]
	e *Engine[TTx]
}

// Work takes the operation one step further. River counts an attempt per
// run that returns an error; snoozes and runs cut short by Stop are not
// counted, so job.Attempt numbers the operation's attempts.
func (w *worker[TTx]) Work(ctx context.Context, job *river.Job[operationArgs]) error {
	e := w.e
	log := e.log.With("operation_id", job.Args.OperationID, "tenant_id", job.Args.TenantID, "attempt", job.Attempt)
	if e.atOnce(job) {
		return e.runAtOnce(ctx, job, log)
	}
	op, due, err := e.begin(ctx, job, log)
	if err != nil || op == nil {
		return err
	}
	if wait := time.Until(due); wait > 0 {
		log.DebugContext(ctx, "operation in progress", "status", op.Status, "wait", wait)
		return river.JobSnooze(wait)
	}
	if job.Args.FailCode != "" {
		return e.end(ctx, job, log, &teamsops.OperationError{Code: job.Args.FailCode, Message: job.Args.FailMessage})
	}
	if job.Attempt <= job.Args.FailAttempts || (job.Attempt == 1 && e.cfg.Profile.FirstAttemptFails(op)) {
		return e.fail(ctx, job, log, errTransient)
	}
	return e.end(ctx, job, log, nil)
}

// errTransient is the failure a Fault or the profile's failure rate
// provokes: a service that is briefly unavailable, as Graph's 503.
var errTransient = teamsops.Errorf(teamsops.EUNAVAILABLE, "The service is temporarily unavailable.")

// begin starts attempt job.Attempt of the operation — inProgress, counted,
// lastActionDateTime now — unless an earlier run of this attempt did. It
// returns the operation and when the attempt is due to end, or a nil
// operation if the operation has ended already.
func (e *Engine[TTx]) begin(ctx context.Context, job *river.Job[operationArgs], log *slog.Logger) (*teamsops.Operation, time.Time, error) {
	var op *teamsops.Operation
	started := false
	err := e.store.Update(ctx, func(tx teamsops.Tx) error {
		var err error
		op, err = tx.OperationByID(ctx, job.Args.TenantID, job.Args.OperationID)
		if err != nil || ended(op) || (op.Status == teamsops.OperationStatusInProgress && op.AttemptsCount == job.Attempt) {
			return err
		}
		changed := op.Status != teamsops.OperationStatusInProgress
		op.Status, op.AttemptsCount, op.LastActionDateTime = teamsops.OperationStatusInProgress, job.Attempt, now()
		started = true
		if err := tx.UpdateOperation(ctx, op); err != nil || !changed {
			return err
		}
		return e.observe(ctx, tx, op, teamsops.ChangeUpdated)
	})
	switch {
	case teamsops.ErrorCode(err) == teamsops.ENOTFOUND:
		// Jobs are inserted with their operation; retrying cannot help.
		log.ErrorContext(ctx, "operation of a job not found", "error", err)
		return nil, time.Time{}, river.JobCancel(err)
	case err != nil:
		return nil, time.Time{}, err
	case ended(op):
		log.InfoContext(ctx, "operation ended already", "status", op.Status)
		return nil, time.Time{}, nil
	}
	duration := e.cfg.Profile.Duration(op)
	if started {
		log.InfoContext(ctx, "operation attempt started", "status", op.Status,
			"operation_type", op.Type, "duration", duration)
		if e.cfg.Observer != nil {
			e.cfg.Observer.AttemptStarted(op, job.Attempt)
		}
	}
	return op, op.LastActionDateTime.Add(duration), nil
}

// fail handles an attempt that failed with cause: on the last attempt the
// operation ends failed; before it, lastActionDateTime moves and the
// returned error makes River retry after the profile's backoff.
func (e *Engine[TTx]) fail(ctx context.Context, job *river.Job[operationArgs], log *slog.Logger, cause error) error {
	if job.Attempt >= e.cfg.Profile.MaxAttempts {
		return e.end(ctx, job, log, failureFor(cause, job.Attempt))
	}
	op, already, err := e.updateOperation(ctx, job, func(tx teamsops.Tx, op *teamsops.Operation) error {
		op.LastActionDateTime, op.AttemptError = now(), attemptFailure(cause, job.Attempt)
		return tx.UpdateOperation(ctx, op)
	})
	if err != nil || already {
		return err
	}
	log.InfoContext(ctx, "operation attempt failed; retrying", "status", op.Status, "error", cause)
	return fmt.Errorf("engine: attempt %d of operation %s: %w", job.Attempt, op.ID, cause)
}

// end ends the operation in one transaction, with its effect, so that
// both commit once or not at all: succeeded, after applying its effect,
// when failure is nil; failed with failure otherwise.
func (e *Engine[TTx]) end(ctx context.Context, job *river.Job[operationArgs], log *slog.Logger, failure *teamsops.OperationError) error {
	var effectErr error
	op, already, err := e.updateOperation(ctx, job, func(tx teamsops.Tx, op *teamsops.Operation) error {
		op.Status, op.Error = teamsops.OperationStatusFailed, failure
		if failure == nil {
			if effectErr = e.applyEffect(ctx, tx, op); effectErr != nil {
				return effectErr
			}
			op.Status = teamsops.OperationStatusSucceeded
		}
		op.LastActionDateTime = now()
		return e.writeEnd(ctx, tx, op)
	})
	switch {
	case effectErr != nil:
		return e.effectFailed(ctx, job, log, effectErr)
	case err != nil:
		return err
	}
	return e.reportEnd(ctx, log, op, already)
}

// reportEnd tells the observer and the log how the transaction that
// ended an attempt left op: ended already (by another attempt, which
// reported it), or ended now.
func (e *Engine[TTx]) reportEnd(ctx context.Context, log *slog.Logger, op *teamsops.Operation, already bool) error {
	if already {
		log.InfoContext(ctx, "operation ended already", "status", op.Status)
		return nil
	}
	if e.cfg.Observer != nil {
		e.cfg.Observer.Ended(op)
	}
	if op.Error != nil {
		log.InfoContext(ctx, "operation failed", "status", op.Status, "operation_type", op.Type,
			"error_code", op.Error.Code, "error", op.Error.Message)
		return nil
	}
	log.InfoContext(ctx, "operation succeeded", "status", op.Status, "operation_type", op.Type)
	return nil
}

// updateOperation runs change on the job's operation in one transaction,
// unless the operation has ended already: then already is true and
// change does not run.
func (e *Engine[TTx]) updateOperation(ctx context.Context, job *river.Job[operationArgs],
	change func(tx teamsops.Tx, op *teamsops.Operation) error) (op *teamsops.Operation, already bool, err error) {
	err = e.store.Update(ctx, func(tx teamsops.Tx) error {
		var err error
		if op, err = tx.OperationByID(ctx, job.Args.TenantID, job.Args.OperationID); err != nil {
			return err
		}
		if already = ended(op); already {
			return nil
		}
		return change(tx, op)
	})
	return op, already, err
}

// applyEffect applies in tx what an operation of op's type does, if its
// type has an effect.
func (e *Engine[TTx]) applyEffect(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	if effect := e.cfg.Effects[op.Type]; effect != nil {
		return effect(ctx, tx, op)
	}
	return nil
}

// effectFailed handles an effect's error: one that may pass (EUNAVAILABLE,
// or not a teamsops error) is a transient failure; any other teamsops code
// means the operation cannot succeed, and it ends failed at once.
func (e *Engine[TTx]) effectFailed(ctx context.Context, job *river.Job[operationArgs], log *slog.Logger, err error) error {
	switch teamsops.ErrorCode(err) {
	case teamsops.EUNAVAILABLE, teamsops.EINTERNAL:
		return e.fail(ctx, job, log, err)
	}
	log.InfoContext(ctx, "operation effect refused", "error", err)
	return e.end(ctx, job, log, failureFor(err, job.Attempt))
}

// writeEnd writes op's final state in tx and tells the observers, so that
// both commit together.
//
// The job is not completed in tx: River's completer completes it, in
// batches, once Work returns. Exactly once rests on the operation's row,
// not on the job: every run reads the row first in its own transaction
// (updateOperation, begin) and does nothing to an operation that has
// ended, so a job run again — its process died after tx committed but
// before the completer ran, and River rescued it — only finds the end
// already written. Completing the job in tx as well cost a statement per
// attempt, and River's completer then still wrote the job's row a second
// time (on SQLite, a metadata update per job it found completed already).
func (e *Engine[TTx]) writeEnd(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	if err := tx.UpdateOperation(ctx, op); err != nil {
		return err
	}
	return e.observe(ctx, tx, op, teamsops.ChangeUpdated)
}

// ended reports whether op is in a terminal status.
func ended(op *teamsops.Operation) bool {
	return op.Status == teamsops.OperationStatusSucceeded || op.Status == teamsops.OperationStatusFailed
}

// now is the time of a transition, to Graph's precision of 100ns.
func now() time.Time { return time.Now().UTC().Truncate(100 * time.Nanosecond) }
