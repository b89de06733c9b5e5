package tracing

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/cache"
	"github.com/teamsops/teamsops/postgres"
	"github.com/teamsops/teamsops/sqlite"
)

// The methods of Store, one per traced method of teamsops.Store, are
// written from the interface by storegen.
//
//go:generate go run ./storegen

// Store is a teamsops.Store whose calls are spans: one per call of a
// method, and one per transaction (Update) for everything written in it.
// A call is traced only inside a traced request or job, so that the
// store's background work (pruning, change feeds) makes no traces of its
// own. Spans name the method, the database system and the tenant, never
// a value stored.
type Store struct {
	teamsops.Store
	t      *Tracing
	system attribute.KeyValue
	kind   trace.SpanKind
}

// Store returns s traced; s itself when t is nil.
func (t *Tracing) Store(s teamsops.Store) teamsops.Store {
	if t == nil {
		return s
	}
	ts := &Store{Store: s, t: t, system: semconv.DBSystemNameKey.String("other_sql"), kind: trace.SpanKindClient}
	switch s.(type) {
	case *sqlite.Store:
		// An embedded database: its calls stay in the process.
		ts.system, ts.kind = semconv.DBSystemNameSQLite, trace.SpanKindInternal
	case *postgres.Store:
		ts.system = semconv.DBSystemNamePostgreSQL
	}
	if syncer, ok := s.(cache.Syncer); ok {
		return &syncStore{Store: ts, syncer: syncer}
	}
	return ts
}

// syncStore is a traced store over one that can bring its change feed up
// to date (the SQLite store): package cache keeps answers in memory only
// over such a store, so the wrapper keeps the method — untraced, as the
// cache calls it before each answer.
type syncStore struct {
	*Store
	syncer cache.Syncer
}

func (s *syncStore) Sync(ctx context.Context) error { return s.syncer.Sync(ctx) }

// Unwrap returns the store traced.
func (s *Store) Unwrap() teamsops.Store { return s.Store }

// start starts the span of a call to method, if ctx is traced; the span
// is nil otherwise.
func (s *Store) start(ctx context.Context, method, tenantID string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, nil
	}
	attrs = append(attrs, s.system, semconv.DBOperationName(method))
	if tenantID != "" {
		attrs = append(attrs, AttrTenantID.String(tenantID))
	}
	return s.t.tracer.Start(ctx, "store."+method, trace.WithSpanKind(s.kind), trace.WithAttributes(attrs...))
}

// end ends span, if any, with err's outcome, and returns err. Answers a
// caller may expect (not found, conflict, invalid) are marked by their
// code only; other errors mark the span failed.
func (s *Store) end(span trace.Span, err error) error {
	if span == nil {
		return err
	}
	if err != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
		var e *teamsops.Error
		if !errors.As(err, &e) || e.Code == teamsops.EINTERNAL || e.Code == teamsops.EUNAVAILABLE {
			span.SetStatus(codes.Error, "store call failed")
		}
	}
	span.End()
	return err
}

// endOperation is end for the reads of an operation, whose type the span
// records.
func (s *Store) endOperation(span trace.Span, op *teamsops.Operation, err error) error {
	if span != nil && op != nil {
		span.SetAttributes(AttrOperationType.String(string(op.Type)))
	}
	return s.end(span, err)
}
