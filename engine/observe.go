package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/teamsops/teamsops"
)

// Observer hears of the engine's work, for metrics (package metrics
// implements it). It is called after the change it reports has committed.
type Observer interface {
	// AttemptStarted: attempt number attempt of op began (inProgress).
	AttemptStarted(op *teamsops.Operation, attempt int)
	// Ended: op ended, succeeded or failed.
	Ended(op *teamsops.Operation)
}

// backlogQueries count the operations whose jobs wait or run, and the age
// of the oldest, in each database's SQL. A job still running whose
// operation has ended is not counted: the attempt's transaction ends the
// operation, and River's completer completes the job a moment later (or,
// after a crash in between, once River rescues it).
var backlogQueries = map[string]string{
	riverdriver.DatabaseNamePostgres: `SELECT count(*),
		coalesce(extract(epoch FROM now() - min(j.created_at)), 0)::float8
		FROM river_job j WHERE j.kind = 'teamsops.operation'
			AND j.state IN ('available', 'pending', 'running', 'retryable', 'scheduled')
			AND NOT EXISTS (SELECT 1 FROM operations o
				WHERE o.tenant_id = j.args->>'tenant_id' AND o.id = j.args->>'operation_id'
					AND o.status IN ('succeeded', 'failed'))`,
	riverdriver.DatabaseNameSQLite: `SELECT count(*),
		coalesce((julianday('now') - julianday(min(j.created_at))) * 86400.0, 0.0)
		FROM river_job j WHERE j.kind = 'teamsops.operation'
			AND j.state IN ('available', 'pending', 'running', 'retryable', 'scheduled')
			AND NOT EXISTS (SELECT 1 FROM operations o
				WHERE o.tenant_id = json_extract(j.args, '$.tenant_id')
					AND o.id = json_extract(j.args, '$.operation_id')
					AND o.status IN ('succeeded', 'failed'))`,
}

// Backlog returns how many operations wait or run (in the whole database,
// every replica's) and how long the oldest of them has been accepted.
func (e *Engine[TTx]) Backlog(ctx context.Context) (int, time.Duration, error) {
	query, ok := backlogQueries[e.driver.DatabaseName()]
	if !ok {
		return 0, 0, fmt.Errorf("engine: no backlog query for %s", e.driver.DatabaseName())
	}
	var n int
	var age float64
	if err := e.driver.GetExecutor().QueryRow(ctx, query).Scan(&n, &age); err != nil {
		return 0, 0, fmt.Errorf("engine: backlog: %w", err)
	}
	return n, time.Duration(age * float64(time.Second)), nil
}
