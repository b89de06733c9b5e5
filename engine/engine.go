// Package engine carries every operation from notStarted to succeeded or
// failed, durably, on River (github.com/riverqueue/river): one job per
// operation, inserted in the transaction that records the operation; a run
// of a job whose operation has ended does nothing, so the operation's row,
// not the job, makes each effect happen once. Engine is generic over
// River's driver, so the same code runs on SQLite (riversqlite) and
// PostgreSQL (riverpgxv5).
//
// An attempt starts (inProgress), waits the profile's duration for its
// operation type, then fails transiently or applies the operation's Effect
// and succeeds. The wait is a River snooze, not a sleep: the job goes back
// to the database until it is due, so a process killed during the wait
// loses nothing and a restarted one carries on where it stopped.
package engine

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/teamsops/teamsops"
)

// Effect applies an operation's effect inside tx, when the attempt
// succeeds. It must be idempotent with respect to a previous committed
// success (the engine guarantees it commits at most once, together with the
// operation's final status). It may set op's target; the engine writes it
// with the status. An *teamsops.Error it returns fails the operation for
// good (see failureFor); any other error is retried as a transient failure.
type Effect func(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error

// Config configures an Engine.
type Config struct {
	// Profile sets durations, failures and retries; see Profiles.
	Profile Profile
	// Effects holds the effect of each operation type; an operation whose
	// type has none just succeeds.
	Effects map[teamsops.OperationType]Effect
	// Logger receives the engine's logs, and River's warnings and errors.
	// Nil discards them.
	Logger *slog.Logger
	// Workers is how many operations run at once in this process
	// (default 10). 64 lifted operations end to end on SQLite by 70% in
	// the harness (more attempts share a commit), but the soak's peak RSS
	// rose from 145 to 241 MB, past issue 24's bound of 150: kept at 10
	// until that memory is understood (docs/performance.md).
	Workers int
	// Observer, if set, hears of attempts and ends.
	Observer Observer
	// RescueStuckJobsAfter is how long a run may last before River hands
	// its job to another worker, assuming the process died (default: the
	// profile's JobTimeout plus 5s). Tests shorten it.
	RescueStuckJobsAfter time.Duration
	// Changes, if set, hears every status an operation takes — its
	// creation (Enqueue) and each change of status the engine writes —
	// inside the transaction that writes it, so that what follows from the
	// change (change notifications) commits with it.
	Changes ChangeObserver
	// Register, if set, adds the job kinds of other durable work (the
	// deliveries of change notifications) to the engine's River client,
	// which runs them on Queues besides the operations' queue.
	Register func(workers *river.Workers) error
	Queues   map[string]river.QueueConfig
	// JobRetention is how long River keeps a job once it has completed or
	// was cancelled: the operation's own row holds its outcome, so the job
	// is of use only to someone reading River's tables. 0 is River's
	// default (24 hours); a negative value keeps jobs forever.
	JobRetention time.Duration
	// Middleware wraps the insertion and the work of every job (tracing
	// carries a trace from the insert to each run with it); none when nil.
	Middleware []rivertype.Middleware
	// JobMetadata, when set, gives the metadata of the job of an operation
	// whose insert is deferred to the shared commit (teamsops.Deferrer), in
	// the context of the request that accepted it. The deferred insert runs
	// in another context, once for many requests: tracing carries each
	// request's trace to its own job this way.
	JobMetadata func(ctx context.Context, op *teamsops.Operation) []byte
}

// ChangeObserver hears the changes of operations inside their
// transactions (package notification implements it).
type ChangeObserver interface {
	// OperationChanged is called with tx, the transaction that writes op,
	// and changeType "created" (Enqueue) or "updated" (a new status). An
	// error rolls the transaction back.
	OperationChanged(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation, changeType string) error
}

// Jobs lets other durable work use the engine's River client without its
// driver's type parameter.
type Jobs interface {
	// InsertTx inserts a job inside tx, a transaction of the store.
	InsertTx(ctx context.Context, tx teamsops.Tx, args river.JobArgs, opts *river.InsertOpts) error
	// InsertManyTx inserts several jobs inside tx in one statement.
	InsertManyTx(ctx context.Context, tx teamsops.Tx, jobs []river.InsertManyParams) error
	// Insert inserts a job in a transaction of its own.
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	// CompleteTx marks a running job completed inside tx, so that it is
	// never run again once tx commits.
	CompleteTx(ctx context.Context, tx teamsops.Tx, job *rivertype.JobRow) error
}

// Runner is an Engine without its driver's type parameter, for code that
// wires or calls it whatever the database.
type Runner interface {
	Jobs
	Migrate(ctx context.Context) error
	Enqueue(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation, fault *teamsops.Fault) error
	DeleteTenantJobs(ctx context.Context, tx teamsops.Tx, tenantID string) error
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Backlog(ctx context.Context) (int, time.Duration, error)
}

// Engine runs operations on River with the driver's transactions TTx.
type Engine[TTx any] struct {
	driver riverdriver.Driver[TTx]
	client *river.Client[TTx]
	store  teamsops.Store
	cfg    Config
	log    *slog.Logger
}

var _ Runner = (*Engine[any])(nil)

// rescueAllowance is how many attempts more than the profile's River
// allows a job, for runs lost to crashes: the engine itself ends an operation failed once
// the profile's attempts are spent, and River would otherwise discard a job
// whose process died on its last attempt, leaving the operation inProgress.
const rescueAllowance = 20

// New returns an engine on driver, which must reach the database store
// uses: an operation and its job are written in one transaction.
func New[TTx any](driver riverdriver.Driver[TTx], store teamsops.Store, cfg Config) (*Engine[TTx], error) {
	p := cfg.Profile
	if p.Name == "" || p.MaxAttempts < 1 || p.JobTimeout <= 0 {
		return nil, fmt.Errorf("engine: incomplete profile %+v", p)
	}
	cfg.Logger = cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	cfg.Workers = cmp.Or(cfg.Workers, 10)
	e := &Engine[TTx]{driver: driver, store: store, cfg: cfg, log: cfg.Logger}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker[TTx]{e: e}); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if cfg.Register != nil {
		if err := cfg.Register(workers); err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
	for name, q := range cfg.Queues {
		queues[name] = q
	}
	client, err := river.NewClient(driver, &river.Config{
		// River's producer fetches at most once per FetchCooldown (River's
		// default, 100ms, caps throughput) and, without news of inserted
		// jobs, every FetchPollInterval. It polls only: on PostgreSQL its
		// news of inserts is a NOTIFY in every inserting transaction, and
		// PostgreSQL serializes the commits of transactions that notify —
		// it held the whole service to one commit at a time; on SQLite,
		// its notifications are a table it polls anyway.
		PollOnly:             true,
		FetchCooldown:        5 * time.Millisecond,
		FetchPollInterval:    20 * time.Millisecond,
		JobTimeout:           p.JobTimeout,
		Logger:               slog.New(warnings{cfg.Logger.Handler()}),
		Middleware:           cfg.Middleware,
		MaxAttempts:          p.MaxAttempts + rescueAllowance,
		Queues:               queues,
		RescueStuckJobsAfter: cmp.Or(cfg.RescueStuckJobsAfter, p.JobTimeout+5*time.Second),
		RetryPolicy:          retryPolicy{min: p.RetryMin, max: p.RetryMax},
		Workers:              workers,

		// River's job cleaner deletes what is past these.
		CompletedJobRetentionPeriod: jobRetention(cfg.JobRetention),
		CancelledJobRetentionPeriod: jobRetention(cfg.JobRetention),
	})
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	e.client = client
	return e, nil
}

// jobRetention is Config.JobRetention as River says it: -1 for forever.
func jobRetention(d time.Duration) time.Duration {
	if d < 0 {
		return -1
	}
	return d
}

// Migrate creates or updates River's tables; it changes nothing when they
// are current. Two processes starting on a new database may race; the
// loser finds the winner's tables on its second try.
func (e *Engine[TTx]) Migrate(ctx context.Context) error {
	migrator, err := rivermigrate.New(e.driver, &rivermigrate.Config{Logger: slog.New(warnings{e.log.Handler()})})
	if err != nil {
		return fmt.Errorf("engine: migrate: %w", err)
	}
	for try := 0; ; try++ {
		_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err == nil || try == 1 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return fmt.Errorf("engine: migrate: %w", err)
	}
	return nil
}

// Enqueue inserts, inside tx, the River job that will run op (which the
// caller has just written with tx.CreateOperation). fault may be nil.
// River's tables must exist: call Migrate (or Start) first.
func (e *Engine[TTx]) Enqueue(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation, fault *teamsops.Fault) error {
	driverTx, ok := tx.Driver().(TTx)
	if !ok {
		return fmt.Errorf("engine: the store's transaction is a %T, not the job queue's", tx.Driver())
	}
	args := operationArgs{TenantID: op.TenantID, OperationID: op.ID, OperationType: string(op.Type)}
	if fault != nil {
		args.FailAttempts, args.FailCode, args.FailMessage = fault.FailAttempts, fault.ErrorCode, fault.ErrorMessage
	}
	if d, ok := tx.(teamsops.Deferrer); ok {
		// The store commits concurrent accepts together: their jobs go
		// in with one insert of River's, before the shared commit.
		job := river.InsertManyParams{Args: args}
		if e.cfg.JobMetadata != nil {
			if md := e.cfg.JobMetadata(ctx, op); md != nil {
				job.InsertOpts = &river.InsertOpts{Metadata: md}
			}
		}
		d.Defer(e, job, e.insertJobs)
	} else if _, err := e.client.InsertTx(ctx, driverTx, args, nil); err != nil {
		return fmt.Errorf("engine: enqueue operation %s: %w", op.ID, err)
	}
	if err := e.observe(ctx, tx, op, teamsops.ChangeCreated); err != nil {
		return err
	}
	e.log.InfoContext(ctx, "operation accepted", "operation_id", op.ID, "tenant_id", op.TenantID,
		"operation_type", op.Type, "status", op.Status)
	return nil
}

// insertJobs inserts the operations' jobs that Enqueue deferred, in one
// statement (a teamsops.Flush).
func (e *Engine[TTx]) insertJobs(ctx context.Context, tx any, values []any) error {
	driverTx, ok := tx.(TTx)
	if !ok {
		return fmt.Errorf("engine: the store's transaction is a %T, not the job queue's", tx)
	}
	jobs := make([]river.InsertManyParams, len(values))
	for i, v := range values {
		jobs[i] = v.(river.InsertManyParams)
	}
	if _, err := e.client.InsertManyTx(ctx, driverTx, jobs); err != nil {
		return fmt.Errorf("engine: enqueue %d operations: %w", len(jobs), err)
	}
	return nil
}

// DeleteTenantJobs deletes, inside tx, every job of the tenant — its
// operations, whatever its state: part of deleting the tenant
// (teamsops.Tx.DeleteTenant), so that nothing of it stays in River's
// tables and no attempt runs for an operation that is gone.
func (e *Engine[TTx]) DeleteTenantJobs(ctx context.Context, tx teamsops.Tx, tenantID string) error {
	// Every job kind of teamsops ("teamsops.operation", and the
	// deliveries of change notifications and their timers, which
	// Register adds) names its tenant in tenant_id.
	kind := "teamsops.%"
	var err error
	switch d := tx.Driver().(type) {
	case *sql.Tx: // riversqlite keeps args as JSONB
		_, err = d.ExecContext(ctx, `DELETE FROM river_job
			WHERE kind LIKE $1 AND json_extract(args, '$.tenant_id') = $2`, kind, tenantID)
	case pgx.Tx:
		_, err = d.Exec(ctx, `DELETE FROM river_job WHERE kind LIKE $1 AND args->>'tenant_id' = $2`, kind, tenantID)
	default:
		err = fmt.Errorf("a %T is not a transaction of a known database", d)
	}
	if err != nil {
		return fmt.Errorf("engine: delete the jobs of tenant %s: %w", tenantID, err)
	}
	return nil
}

// Start runs Migrate, then works operations in the background until Stop.
// ctx bounds the start only: River would treat its end as StopAndCancel,
// and a process that hands Start its SIGTERM context must still get Stop's
// graceful finish.
func (e *Engine[TTx]) Start(ctx context.Context) error {
	if err := e.Migrate(ctx); err != nil {
		return err
	}
	if err := e.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("engine: start: %w", err)
	}
	e.log.InfoContext(ctx, "engine started", "profile", e.cfg.Profile.Name, "workers", e.cfg.Workers,
		"river_client_id", e.client.ID())
	return nil
}

// Stop stops fetching operations and lets running attempts finish until
// ctx ends; then it cancels them, and River hands their jobs back to the
// queue without counting the attempt, to be run after a restart.
func (e *Engine[TTx]) Stop(ctx context.Context) error {
	err := e.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		e.log.Warn("engine: attempts still running; cancelling them", "error", err)
		hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		err = e.client.StopAndCancel(hard)
	}
	if err != nil {
		return fmt.Errorf("engine: stop: %w", err)
	}
	e.log.Info("engine stopped")
	return nil
}

// observe tells the ChangeObserver of op's change inside tx.
func (e *Engine[TTx]) observe(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation, changeType string) error {
	if e.cfg.Changes == nil {
		return nil
	}
	if err := e.cfg.Changes.OperationChanged(ctx, tx, op, changeType); err != nil {
		return fmt.Errorf("engine: operation %s %s: %w", op.ID, changeType, err)
	}
	return nil
}

// driverTx returns the driver's transaction under tx.
func (e *Engine[TTx]) driverTx(tx teamsops.Tx) (TTx, error) {
	driverTx, ok := tx.Driver().(TTx)
	if !ok {
		return driverTx, fmt.Errorf("engine: the store's transaction is a %T, not the job queue's", tx.Driver())
	}
	return driverTx, nil
}

// InsertTx implements Jobs.
func (e *Engine[TTx]) InsertTx(ctx context.Context, tx teamsops.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	driverTx, err := e.driverTx(tx)
	if err != nil {
		return err
	}
	if _, err := e.client.InsertTx(ctx, driverTx, args, opts); err != nil {
		return fmt.Errorf("engine: insert %s job: %w", args.Kind(), err)
	}
	return nil
}

// InsertManyTx implements Jobs.
func (e *Engine[TTx]) InsertManyTx(ctx context.Context, tx teamsops.Tx, jobs []river.InsertManyParams) error {
	driverTx, err := e.driverTx(tx)
	if err != nil {
		return err
	}
	if _, err := e.client.InsertManyTx(ctx, driverTx, jobs); err != nil {
		return fmt.Errorf("engine: insert %d jobs: %w", len(jobs), err)
	}
	return nil
}

// Insert implements Jobs.
func (e *Engine[TTx]) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := e.client.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("engine: insert %s job: %w", args.Kind(), err)
	}
	return nil
}

// CompleteTx implements Jobs. ctx must be the context River passed to the
// job's Work.
func (e *Engine[TTx]) CompleteTx(ctx context.Context, tx teamsops.Tx, job *rivertype.JobRow) error {
	driverTx, err := e.driverTx(tx)
	if err != nil {
		return err
	}
	if _, err := river.JobCompleteTx[riverdriver.Driver[TTx]](ctx, driverTx, &river.Job[anyArgs]{JobRow: job}); err != nil {
		return fmt.Errorf("engine: complete job %d: %w", job.ID, err)
	}
	return nil
}

// anyArgs stands for any job's arguments where only the row matters.
type anyArgs struct{}

func (anyArgs) Kind() string { return "" }

// operationArgs are a job's arguments: which operation to run, and the
// fault plan, which is not part of the operation.
type operationArgs struct {
	TenantID    string `json:"tenant_id"`
	OperationID string `json:"operation_id"`
	// OperationType names the operation's type for those who read the
	// job alone (tracing, River's tables); the engine reads the type from
	// the operation.
	OperationType string `json:"operation_type,omitempty"`
	FailAttempts  int    `json:"fail_attempts,omitempty"`
	// FailCode and FailMessage end the operation failed at its first
	// attempt with that error (a fault rule's "fail").
	FailCode    string `json:"fail_code,omitempty"`
	FailMessage string `json:"fail_message,omitempty"`
}

// Kind names the job kind in River's tables.
func (operationArgs) Kind() string { return "teamsops.operation" }

// warnings passes on River's warnings and errors only: its info logs
// repeat, per job, what the engine logs with operation ids.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnings) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnings{w.Handler.WithAttrs(attrs)}
}

func (w warnings) WithGroup(name string) slog.Handler { return warnings{w.Handler.WithGroup(name)} }
