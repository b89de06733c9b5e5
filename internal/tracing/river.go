package tracing

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/teamsops/teamsops"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Middleware returns the River middleware that carries traces through
// jobs, for engine.Config.Middleware; nil when t is nil.
//
// An insert gets a producer span, whose context is written into the job's
// metadata as W3C traceparent (and tracestate): it commits with the job,
// in the transaction that inserts it, so a run on another replica or
// after a restart finds it. Each run of the job gets a consumer span that
// is a child of it, in the same trace — not merely linked, as River's own
// otelriver middleware does — so that one trace goes from a request to the
// attempts of the operation it started and on to the deliveries they
// cause.
func (t *Tracing) Middleware() []rivertype.Middleware {
	if t == nil {
		return nil
	}
	return []rivertype.Middleware{&middleware{t: t}}
}

type middleware struct {
	river.MiddlewareDefaults
	t *Tracing
}

var (
	_ rivertype.JobInsertMiddleware = (*middleware)(nil)
	_ rivertype.WorkerMiddleware    = (*middleware)(nil)
)

// jobArgs are what teamsops' jobs name in their arguments (engine's
// operations, notification's deliveries).
type jobArgs struct {
	TenantID       string `json:"tenant_id"`
	OperationID    string `json:"operation_id"`
	OperationType  string `json:"operation_type"`
	SubscriptionID string `json:"subscription_id"`
}

// attributes describe a job by its arguments.
func (a jobArgs) attributes() []attribute.KeyValue {
	var attrs []attribute.KeyValue
	for _, kv := range []struct {
		k attribute.Key
		v string
	}{{AttrTenantID, a.TenantID}, {AttrOperationID, a.OperationID},
		{AttrOperationType, a.OperationType}, {AttrSubscriptionID, a.SubscriptionID}} {
		if kv.v != "" {
			attrs = append(attrs, kv.k.String(kv.v))
		}
	}
	return attrs
}

func decodeArgs(encoded []byte) jobArgs {
	var a jobArgs
	_ = json.Unmarshal(encoded, &a) // a job of another shape is described by its kind alone
	return a
}

// InsertMany starts a producer span around an insert and writes its
// context into each job's metadata. A single operation's insert also
// marks the span that inserts it (the request's) with the operation.
func (m *middleware) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	kind, queue := "", ""
	var attrs []attribute.KeyValue
	if len(params) > 0 {
		kind, queue = params[0].Kind, params[0].Queue
	}
	attrs = append(attrs, semconv.MessagingSystemKey.String("river"),
		semconv.MessagingOperationTypeSend, semconv.MessagingDestinationName(queue))
	if len(params) == 1 {
		args := decodeArgs(params[0].EncodedArgs)
		attrs = append(attrs, args.attributes()...)
		if args.OperationID != "" {
			if parent := trace.SpanFromContext(ctx); parent.IsRecording() {
				parent.SetAttributes(args.attributes()...)
			}
		}
	} else {
		attrs = append(attrs, semconv.MessagingBatchMessageCount(len(params)))
	}
	ctx, span := m.t.tracer.Start(ctx, "send "+kind,
		trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(attrs...))
	defer span.End()
	carrier := propagation.MapCarrier{}
	m.t.prop.Inject(ctx, carrier)
	for _, p := range params {
		if len(traceContext(p.Metadata)) > 0 {
			continue // carries its own request's trace (JobMetadata)
		}
		p.Metadata = withTraceContext(p.Metadata, carrier)
	}
	res, err := doInner(ctx)
	if err != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
		span.SetStatus(codes.Error, "insert failed")
	}
	return res, err
}

// JobMetadata is engine.Config.JobMetadata: an operation accepted in
// ctx whose job is inserted later, with others, in another context (the
// store's shared commit) gets ctx's trace in its metadata, so that its
// runs are children of the request that accepted it; and the request's
// span is marked with the operation, as a single insert marks it. Nil
// when ctx's span is not recorded.
func (t *Tracing) JobMetadata(ctx context.Context, op *teamsops.Operation) []byte {
	span := trace.SpanFromContext(ctx)
	if t == nil || !span.IsRecording() {
		return nil
	}
	span.SetAttributes(jobArgs{TenantID: op.TenantID, OperationID: op.ID, OperationType: string(op.Type)}.attributes()...)
	carrier := propagation.MapCarrier{}
	t.prop.Inject(ctx, carrier)
	return withTraceContext(nil, carrier)
}

// Work runs a job inside a consumer span, the child of the span that
// inserted it (its metadata's traceparent), or of none.
func (m *middleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	if carrier := traceContext(job.Metadata); len(carrier) > 0 {
		ctx = m.t.prop.Extract(ctx, carrier)
	}
	args := decodeArgs(job.EncodedArgs)
	attrs := append(args.attributes(), semconv.MessagingSystemKey.String("river"),
		semconv.MessagingOperationTypeProcess, semconv.MessagingDestinationName(job.Queue),
		semconv.MessagingMessageID(strconv.FormatInt(job.ID, 10)), AttrAttempt.Int(job.Attempt))
	ctx, span := m.t.tracer.Start(ctx, "process "+job.Kind,
		trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...))
	defer span.End()
	err := doInner(ctx)
	var snooze *river.JobSnoozeError
	var cancel *river.JobCancelError
	switch {
	case err == nil:
	case errors.As(err, &snooze):
		// A snooze is how an attempt waits (engine), not a failure.
		span.SetAttributes(attribute.String("teamsops.job.snooze", snooze.Duration.String()))
	case errors.As(err, &cancel):
		span.SetAttributes(semconv.ErrorTypeKey.String("cancelled"))
		span.SetStatus(codes.Error, "job cancelled")
	default:
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
		span.SetStatus(codes.Error, "attempt failed")
	}
	return err
}

// withTraceContext returns metadata (a JSON object, or empty) with the
// carrier's keys set.
func withTraceContext(metadata []byte, carrier propagation.MapCarrier) []byte {
	if len(carrier) == 0 {
		return metadata
	}
	fields := map[string]json.RawMessage{}
	if len(metadata) > 0 {
		if err := json.Unmarshal(metadata, &fields); err != nil {
			return metadata // not an object: left as it is, untraced
		}
	}
	for k, v := range carrier {
		fields[k], _ = json.Marshal(v)
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return metadata
	}
	return out
}

// traceContext reads the trace context keys of a job's metadata.
func traceContext(metadata []byte) propagation.MapCarrier {
	var meta struct {
		TraceParent string `json:"traceparent"`
		TraceState  string `json:"tracestate"`
	}
	if len(metadata) == 0 || json.Unmarshal(metadata, &meta) != nil || meta.TraceParent == "" {
		return nil
	}
	carrier := propagation.MapCarrier{"traceparent": meta.TraceParent}
	if meta.TraceState != "" {
		carrier["tracestate"] = meta.TraceState
	}
	return carrier
}
