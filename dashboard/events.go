package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamsops/teamsops"
)

// The event streams of open pages hear of changed operations from the
// store's change feed (teamsops.Store.Watch). The feed's callback only
// notes which operations changed; one goroutine then reads each once, at
// most every flushEvery, renders its row once, and hands it to every
// stream whose filters it concerns. A stream that falls behind, or a
// change that may concern anything (a tenant applied, a reset of the
// feed), makes the page reload its table instead.
const (
	flushEvery = 100 * time.Millisecond
	heartbeat  = 20 * time.Second
	streamBuf  = 64
	// maxRows bounds the operations read for one flush: past it (a load
	// test, a bulk apply), tables reload instead — one read of a page
	// each — and operations' pages hear of their operation unread.
	maxRows = 50
)

// event is one server-sent event.
type event struct {
	name string // "row", "gone", "refresh" or "operation"
	data string
}

// opKey names an operation across tenants.
type opKey struct{ tenant, id string }

// stream is one open event stream and the filters of its page.
type stream struct {
	f      filter
	events chan event
	behind atomic.Bool // an event did not fit: the page must reload
}

// hub fans changed operations out to the streams.
type hub struct {
	store  teamsops.Store
	render func(ctx context.Context, op *teamsops.Operation) (string, error)
	log    *slog.Logger
	// version counts the changes heard; a page rendered at one version
	// reloads its table at once if its stream opens at another.
	version atomic.Uint64

	mu      sync.Mutex
	streams map[*stream]struct{}
	changed map[opKey]struct{}
	reload  map[string]bool // tenants whose pages reload ("": all)
	wake    chan struct{}
	closed  chan struct{}
	stop    func()
}

func newHub(store teamsops.Store, render func(context.Context, *teamsops.Operation) (string, error), log *slog.Logger) *hub {
	h := &hub{store: store, render: render, log: log, streams: map[*stream]struct{}{},
		changed: map[opKey]struct{}{}, reload: map[string]bool{}, wake: make(chan struct{}, 1), closed: make(chan struct{})}
	h.stop = store.Watch(h.heard)
	go h.run()
	return h
}

// heard notes a change; it runs on the goroutine that committed it, so it
// only records it.
func (h *hub) heard(c teamsops.Change) {
	switch c.Kind {
	case teamsops.ChangeOperation, teamsops.ChangeTenant, teamsops.ChangeReset:
	default:
		return // who may see what in Graph, and the like: not in the table
	}
	h.version.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.streams) == 0 {
		return
	}
	switch c.Kind {
	case teamsops.ChangeOperation:
		h.changed[opKey{c.TenantID, c.OperationID}] = struct{}{}
	case teamsops.ChangeTenant:
		h.reload[c.TenantID] = true
	case teamsops.ChangeReset: // anything may have changed
		h.reload[""] = true
	}
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// run hands the changes out until close.
func (h *hub) run() {
	for {
		select {
		case <-h.closed:
			return
		case <-h.wake:
		}
		h.flush()
		select {
		case <-h.closed:
			return
		case <-time.After(flushEvery):
		}
	}
}

// flush reads each changed operation once and sends its row.
func (h *hub) flush() {
	h.mu.Lock()
	changed, reload := h.changed, h.reload
	h.changed, h.reload = map[opKey]struct{}{}, map[string]bool{}
	h.mu.Unlock()
	ctx := context.Background()
	if len(changed) > maxRows {
		for k := range changed {
			reload[k.tenant] = true
		}
		h.send(func(f filter) *event {
			if f.Operation == nil {
				return nil
			}
			if _, ok := changed[*f.Operation]; ok {
				return &event{name: "operation"}
			}
			return nil
		})
		changed = nil
	}
	for k := range changed {
		op, err := h.store.OperationByID(ctx, k.tenant, k.id)
		switch {
		case teamsops.ErrorCode(err) == teamsops.ENOTFOUND:
			h.send(func(f filter) *event { return gone(f, k) })
			continue
		case err != nil:
			h.log.Warn("dashboard: read a changed operation", "tenant_id", k.tenant, "operation_id", k.id, "error", err)
			reload[k.tenant] = true
			continue
		}
		if history, err := h.store.OperationHistory(ctx, k.tenant, k.id); err == nil {
			op.Origin = history.Origin
		}
		row, err := h.render(ctx, op)
		if err != nil {
			h.log.Warn("dashboard: render a row", "error", err)
			reload[k.tenant] = true
			continue
		}
		data := eventJSON(map[string]string{"key": rowKey(op.TenantID, op.ID), "html": row})
		h.send(func(f filter) *event { return rowEvent(f, op, data) })
	}
	if len(reload) > 0 {
		h.send(func(f filter) *event {
			if reload[""] || reload[f.Tenant] || (f.Tenant == "" && len(reload) > 0) {
				return &event{name: "refresh"}
			}
			return nil
		})
	}
	// A stream that missed an event reloads; it sends nothing else until
	// the reload fits.
	h.send(func(f filter) *event { return nil })
}

// rowEvent is what a page with filters f hears of op: its row, the page
// of op itself, that op left the page's filters, or nothing.
func rowEvent(f filter, op *teamsops.Operation, row string) *event {
	switch {
	case f.Operation != nil:
		if *f.Operation == (opKey{op.TenantID, op.ID}) {
			return &event{name: "operation", data: string(op.Status)}
		}
		return nil
	case f.matches(op):
		return &event{name: "row", data: row}
	}
	return gone(f, opKey{op.TenantID, op.ID})
}

// gone tells a table the operation k is not (or no longer) in it.
func gone(f filter, k opKey) *event {
	if f.Operation != nil || (f.Tenant != "" && f.Tenant != k.tenant) {
		return nil
	}
	return &event{name: "gone", data: eventJSON(map[string]string{"key": rowKey(k.tenant, k.id)})}
}

// send offers each stream what pick returns for its filters.
func (h *hub) send(pick func(filter) *event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.streams {
		if s.behind.Load() {
			select {
			case s.events <- event{name: "refresh"}:
				s.behind.Store(false)
			default:
				continue
			}
		}
		if e := pick(s.f); e != nil {
			select {
			case s.events <- *e:
			default:
				s.behind.Store(true)
			}
		}
	}
}

func (h *hub) subscribe(f filter) *stream {
	s := &stream{f: f, events: make(chan event, streamBuf)}
	h.mu.Lock()
	h.streams[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) unsubscribe(s *stream) {
	h.mu.Lock()
	delete(h.streams, s)
	h.mu.Unlock()
}

// close ends every stream and stops listening.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.closed:
		return
	default:
	}
	close(h.closed)
	h.stop()
}

// eventJSON encodes the data of an event.
func eventJSON(v any) string {
	b, _ := json.Marshal(v) // maps of strings always marshal
	return string(b)
}

// events streams the changes a page's filters concern (text/event-stream).
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	s := h.hub.subscribe(f)
	defer h.hub.unsubscribe(s)
	// A page rendered before the latest change reloads its table at once.
	fmt.Fprint(w, "retry: 2000\n\n")
	if v, err := strconv.ParseUint(r.URL.Query().Get("v"), 10, 64); err != nil || v != h.hub.version.Load() {
		writeEvent(w, event{name: "refresh"})
	}
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case e := <-s.events:
			writeEvent(w, e)
		case <-tick.C:
			fmt.Fprint(w, ": still here\n\n")
		case <-r.Context().Done():
			return
		case <-h.hub.closed:
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// writeEvent writes one event; its data is one line (JSON, or a word).
func writeEvent(w http.ResponseWriter, e event) {
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, e.data)
}
