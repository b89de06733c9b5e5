package engine

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/teamsops/teamsops"
)

// atOnce reports whether attempts of this job need no waiting and cannot
// fail on purpose: on a profile without durations or failures (instant),
// past the failures a Fault asks for, and without a fault rule's error.
func (e *Engine[TTx]) atOnce(job *river.Job[operationArgs]) bool {
	p := e.cfg.Profile
	if p.FailureRate > 0 || p.Default.Max > 0 || job.Attempt <= job.Args.FailAttempts || job.Args.FailCode != "" {
		return false
	}
	for _, r := range p.Durations {
		if r.Max > 0 {
			return false
		}
	}
	return true
}

// runAtOnce starts an attempt, applies the operation's effect and ends it
// succeeded in one transaction: what begin and
// end do in two, for attempts that need no waiting (atOnce). Watchers
// still hear of both transitions. When the effect fails, everything rolls
// back, and the attempt is started and failed as the two-step path would.
func (e *Engine[TTx]) runAtOnce(ctx context.Context, job *river.Job[operationArgs], log *slog.Logger) error {
	var effectErr error
	op, already, err := e.updateOperation(ctx, job, func(tx teamsops.Tx, op *teamsops.Operation) error {
		changed := op.Status != teamsops.OperationStatusInProgress
		op.Status, op.AttemptsCount, op.LastActionDateTime = teamsops.OperationStatusInProgress, job.Attempt, now()
		if err := started(ctx, tx, op); err != nil {
			return err
		}
		if changed {
			if err := e.observe(ctx, tx, op, teamsops.ChangeUpdated); err != nil {
				return err
			}
		}
		if effectErr = e.applyEffect(ctx, tx, op); effectErr != nil {
			return effectErr
		}
		op.Status, op.LastActionDateTime = teamsops.OperationStatusSucceeded, now()
		return e.writeEnd(ctx, tx, op)
	})
	switch {
	case effectErr != nil:
		if op, _, err := e.begin(ctx, job, log); err != nil || op == nil {
			return err
		}
		return e.effectFailed(ctx, job, log, effectErr)
	case teamsops.ErrorCode(err) == teamsops.ENOTFOUND:
		log.ErrorContext(ctx, "operation of a job not found", "error", err)
		return river.JobCancel(err)
	case err != nil:
		return err
	}
	if !already && e.cfg.Observer != nil {
		e.cfg.Observer.AttemptStarted(op, job.Attempt)
	}
	return e.reportEnd(ctx, log, op, already)
}

// transitionRecorder is a store's Tx that records a transition in an
// operation's history without writing its row (both stores' Tx do).
type transitionRecorder interface {
	RecordTransition(ctx context.Context, op *teamsops.Operation) error
}

// started records the start of an attempt that ends in the same
// transaction: its row is written once, at the end, but its history and
// watchers still hear of inProgress.
func started(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	if r, ok := tx.(transitionRecorder); ok {
		return r.RecordTransition(ctx, op)
	}
	return tx.UpdateOperation(ctx, op)
}
