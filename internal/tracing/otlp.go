package tracing

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// The field numbers of OTLP's trace messages (opentelemetry-proto,
// collector/trace/v1 and trace/v1, common/v1, resource/v1), by message.
const (
	fieldRequestResourceSpans = 1 // ExportTraceServiceRequest.resource_spans

	fieldResourceSpansResource   = 1
	fieldResourceSpansScopeSpans = 2
	fieldResourceSpansSchemaURL  = 3
	fieldResourceAttributes      = 1

	fieldScopeSpansScope     = 1
	fieldScopeSpansSpans     = 2
	fieldScopeSpansSchemaURL = 3
	fieldScopeName           = 1
	fieldScopeVersion        = 2
	fieldScopeAttributes     = 3

	fieldSpanTraceID           = 1
	fieldSpanSpanID            = 2
	fieldSpanTraceState        = 3
	fieldSpanParentSpanID      = 4
	fieldSpanName              = 5
	fieldSpanKind              = 6
	fieldSpanStartTime         = 7
	fieldSpanEndTime           = 8
	fieldSpanAttributes        = 9
	fieldSpanDroppedAttributes = 10
	fieldSpanEvents            = 11
	fieldSpanDroppedEvents     = 12
	fieldSpanLinks             = 13
	fieldSpanDroppedLinks      = 14
	fieldSpanStatus            = 15
	fieldSpanFlags             = 16

	fieldEventTime              = 1
	fieldEventName              = 2
	fieldEventAttributes        = 3
	fieldEventDroppedAttributes = 4

	fieldLinkTraceID           = 1
	fieldLinkSpanID            = 2
	fieldLinkTraceState        = 3
	fieldLinkAttributes        = 4
	fieldLinkDroppedAttributes = 5
	fieldLinkFlags             = 6

	fieldStatusMessage = 2
	fieldStatusCode    = 3

	fieldKeyValueKey   = 1
	fieldKeyValueValue = 2

	fieldValueString = 1
	fieldValueBool   = 2
	fieldValueInt    = 3
	fieldValueDouble = 4
	fieldValueArray  = 5
	fieldValueKVList = 6
	fieldValueBytes  = 7

	fieldListValues = 1 // ArrayValue.values and KeyValueList.values

	// SpanFlags: the low byte is the W3C trace flags; these say whether
	// the parent is known to be remote, and whether it is.
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// batchKey is what groups spans in a request: OTLP nests spans under
// their resource and then their instrumentation scope.
type batchKey struct {
	res   *resource.Resource
	scope instrumentation.Scope
}

// encoder writes ExportTraceServiceRequest messages straight from the
// SDK's spans, without building the protobuf types first: one buffer,
// reused from batch to batch, and the resource's and scopes' encodings
// kept once made. It is not safe for concurrent use.
type encoder struct {
	buf    []byte
	groups []batchKey
	// resources holds each resource's encoded Resource message; the
	// provider has one, so this stays small.
	resources map[*resource.Resource][]byte
	scopes    map[instrumentation.Scope][]byte
}

// encode returns the request for spans, valid until the next call.
func (e *encoder) encode(spans []sdktrace.ReadOnlySpan) []byte {
	b := e.buf[:0]
	// The groups in the order their first span comes: a batch from one
	// provider has one resource and a scope or two, so a list beats a map.
	e.groups = e.groups[:0]
	for _, s := range spans {
		if s == nil {
			continue
		}
		k := batchKey{s.Resource(), s.InstrumentationScope()}
		found := false
		for _, g := range e.groups {
			if g == k {
				found = true
				break
			}
		}
		if !found {
			e.groups = append(e.groups, k)
		}
	}
	for i, g := range e.groups {
		if seenResource(e.groups[:i], g.res) {
			continue // written with the first group of its resource
		}
		var rs int
		b, rs = begin(b, fieldRequestResourceSpans)
		b = append(b, e.resource(g.res)...)
		for _, h := range e.groups[i:] {
			if h.res == g.res {
				b = e.appendScopeSpans(b, h, spans)
			}
		}
		if g.res != nil {
			b = appendString(b, fieldResourceSpansSchemaURL, g.res.SchemaURL())
		}
		b = end(b, rs)
	}
	e.buf = b
	return b
}

func seenResource(groups []batchKey, r *resource.Resource) bool {
	for _, g := range groups {
		if g.res == r {
			return true
		}
	}
	return false
}

// resource is the encoded resource field of a ResourceSpans.
func (e *encoder) resource(r *resource.Resource) []byte {
	if r == nil {
		return nil
	}
	if enc, ok := e.resources[r]; ok {
		return enc
	}
	var b []byte
	var m int
	b, m = begin(b, fieldResourceSpansResource)
	for it := r.Iter(); it.Next(); {
		b = appendKeyValue(b, fieldResourceAttributes, it.Attribute())
	}
	b = end(b, m)
	if e.resources == nil {
		e.resources = map[*resource.Resource][]byte{}
	}
	e.resources[r] = b
	return b
}

// scope is the encoded scope field of a ScopeSpans: none for the zero
// scope, as the SDK's exporter sends.
func (e *encoder) scope(s instrumentation.Scope) []byte {
	if s == (instrumentation.Scope{}) {
		return nil
	}
	if enc, ok := e.scopes[s]; ok {
		return enc
	}
	var b []byte
	var m int
	b, m = begin(b, fieldScopeSpansScope)
	b = appendString(b, fieldScopeName, s.Name)
	b = appendString(b, fieldScopeVersion, s.Version)
	for it := s.Attributes.Iter(); it.Next(); {
		b = appendKeyValue(b, fieldScopeAttributes, it.Attribute())
	}
	b = end(b, m)
	if e.scopes == nil {
		e.scopes = map[instrumentation.Scope][]byte{}
	}
	e.scopes[s] = b
	return b
}

func (e *encoder) appendScopeSpans(b []byte, k batchKey, spans []sdktrace.ReadOnlySpan) []byte {
	var m int
	b, m = begin(b, fieldResourceSpansScopeSpans)
	b = append(b, e.scope(k.scope)...)
	for _, s := range spans {
		if s != nil && s.Resource() == k.res && s.InstrumentationScope() == k.scope {
			b = appendSpan(b, s)
		}
	}
	b = appendString(b, fieldScopeSpansSchemaURL, k.scope.SchemaURL)
	return end(b, m)
}

func appendSpan(b []byte, s sdktrace.ReadOnlySpan) []byte {
	var m int
	b, m = begin(b, fieldScopeSpansSpans)
	sc := s.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendBytes(b, fieldSpanTraceID, tid[:])
	b = appendBytes(b, fieldSpanSpanID, sid[:])
	b = appendString(b, fieldSpanTraceState, sc.TraceState().String())
	parent := s.Parent()
	if psid := parent.SpanID(); psid.IsValid() {
		b = appendBytes(b, fieldSpanParentSpanID, psid[:])
	}
	b = appendString(b, fieldSpanName, s.Name())
	b = appendVarint(b, fieldSpanKind, uint64(spanKind(s.SpanKind())))
	b = appendFixed64(b, fieldSpanStartTime, unixNano(s.StartTime().UnixNano()))
	b = appendFixed64(b, fieldSpanEndTime, unixNano(s.EndTime().UnixNano()))
	for _, kv := range s.Attributes() {
		b = appendKeyValue(b, fieldSpanAttributes, kv)
	}
	b = appendVarint(b, fieldSpanDroppedAttributes, count(s.DroppedAttributes()))
	for _, ev := range s.Events() {
		var em int
		b, em = begin(b, fieldSpanEvents)
		b = appendFixed64(b, fieldEventTime, unixNano(ev.Time.UnixNano()))
		b = appendString(b, fieldEventName, ev.Name)
		for _, kv := range ev.Attributes {
			b = appendKeyValue(b, fieldEventAttributes, kv)
		}
		b = appendVarint(b, fieldEventDroppedAttributes, count(ev.DroppedAttributeCount))
		b = end(b, em)
	}
	b = appendVarint(b, fieldSpanDroppedEvents, count(s.DroppedEvents()))
	for _, l := range s.Links() {
		b = appendLink(b, l)
	}
	b = appendVarint(b, fieldSpanDroppedLinks, count(s.DroppedLinks()))
	// Status is always sent, even unset: the SDK's exporter does.
	st := s.Status()
	var sm int
	b, sm = begin(b, fieldSpanStatus)
	b = appendString(b, fieldStatusMessage, st.Description)
	b = appendVarint(b, fieldStatusCode, uint64(statusCode(st.Code)))
	b = end(b, sm)
	b = appendFixed32(b, fieldSpanFlags, spanFlags(sc.TraceFlags(), parent))
	return end(b, m)
}

func appendLink(b []byte, l sdktrace.Link) []byte {
	var m int
	b, m = begin(b, fieldSpanLinks)
	tid, sid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
	b = appendBytes(b, fieldLinkTraceID, tid[:])
	b = appendBytes(b, fieldLinkSpanID, sid[:])
	b = appendString(b, fieldLinkTraceState, l.SpanContext.TraceState().String())
	for _, kv := range l.Attributes {
		b = appendKeyValue(b, fieldLinkAttributes, kv)
	}
	b = appendVarint(b, fieldLinkDroppedAttributes, count(l.DroppedAttributeCount))
	b = appendFixed32(b, fieldLinkFlags, spanFlags(l.SpanContext.TraceFlags(), l.SpanContext))
	return end(b, m)
}

// spanFlags are OTLP's flags of a span or link: its trace flags, and
// whether its parent (a link's context) is remote.
func spanFlags(tf trace.TraceFlags, parent trace.SpanContext) uint32 {
	f := uint32(tf) | flagHasIsRemote
	if parent.IsRemote() {
		f |= flagIsRemote
	}
	return f
}

// spanKind is OTLP's SpanKind, whose values are the SDK's but for an
// unknown kind, which OTLP calls unspecified.
func spanKind(k trace.SpanKind) int {
	switch k {
	case trace.SpanKindInternal, trace.SpanKindServer, trace.SpanKindClient,
		trace.SpanKindProducer, trace.SpanKindConsumer:
		return int(k)
	}
	return 0
}

// statusCode is OTLP's StatusCode: 0 unset, 1 ok, 2 error.
func statusCode(c codes.Code) int {
	switch c {
	case codes.Ok:
		return 1
	case codes.Error:
		return 2
	}
	return 0
}

func unixNano(ns int64) uint64 { return uint64(max(0, ns)) }

// count is a dropped count as OTLP's uint32, clamped.
func count(n int) uint64 { return uint64(min(max(0, n), math.MaxUint32)) }

func appendKeyValue(b []byte, num protowire.Number, kv attribute.KeyValue) []byte {
	var m int
	b, m = begin(b, num)
	b = appendString(b, fieldKeyValueKey, string(kv.Key))
	b = appendValue(b, fieldKeyValueValue, kv.Value)
	return end(b, m)
}

// appendValue writes v as an AnyValue in field num, as the SDK's
// exporter does: every type, the empty value as an empty message.
func appendValue(b []byte, num protowire.Number, v attribute.Value) []byte {
	var m int
	b, m = begin(b, num)
	switch v.Type() {
	case attribute.EMPTY:
	case attribute.BOOL:
		b = appendBool(b, fieldValueBool, v.AsBool())
	case attribute.INT64:
		b = protowire.AppendTag(b, fieldValueInt, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		b = protowire.AppendTag(b, fieldValueDouble, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(v.AsFloat64()))
	case attribute.STRING:
		b = protowire.AppendTag(b, fieldValueString, protowire.BytesType)
		b = protowire.AppendString(b, v.AsString())
	case attribute.BYTESLICE:
		b = protowire.AppendTag(b, fieldValueBytes, protowire.BytesType)
		b = protowire.AppendBytes(b, v.AsByteSlice())
	case attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.STRINGSLICE, attribute.SLICE:
		var a int
		b, a = begin(b, fieldValueArray)
		for _, e := range elements(v) {
			b = appendValue(b, fieldListValues, e)
		}
		b = end(b, a)
	case attribute.MAP:
		var l int
		b, l = begin(b, fieldValueKVList)
		for _, kv := range v.AsMap() {
			b = appendKeyValue(b, fieldListValues, kv)
		}
		b = end(b, l)
	default:
		b = protowire.AppendTag(b, fieldValueString, protowire.BytesType)
		b = protowire.AppendString(b, "INVALID")
	}
	return end(b, m)
}

// elements are a slice value's elements as values of their own.
func elements(v attribute.Value) []attribute.Value {
	var out []attribute.Value
	switch v.Type() {
	case attribute.BOOLSLICE:
		for _, x := range v.AsBoolSlice() {
			out = append(out, attribute.BoolValue(x))
		}
	case attribute.INT64SLICE:
		for _, x := range v.AsInt64Slice() {
			out = append(out, attribute.Int64Value(x))
		}
	case attribute.FLOAT64SLICE:
		for _, x := range v.AsFloat64Slice() {
			out = append(out, attribute.Float64Value(x))
		}
	case attribute.STRINGSLICE:
		for _, x := range v.AsStringSlice() {
			out = append(out, attribute.StringValue(x))
		}
	case attribute.SLICE:
		out = v.AsSlice()
	}
	return out
}
