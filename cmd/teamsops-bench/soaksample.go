package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// soakSample is what the soak reads of the server every --soak-every.
type soakSample struct {
	At         float64 `json:"at"` // seconds since the load began
	RSSMB      float64 `json:"rss_mb"`
	HeapMB     float64 `json:"heap_mb"` // Go heap in use
	Goroutines int     `json:"goroutines"`
	OpenFiles  int     `json:"open_files"`
	DBMB       float64 `json:"db_mb"`
	GCs        int     `json:"gcs"` // garbage collections so far
}

// sampler reads a server every interval until stopped.
type sampler struct {
	mu      sync.Mutex
	samples []soakSample
	stopc   chan struct{}
	done    chan struct{}
}

func startSampling(ctx context.Context, p *process, db string, every time.Duration) *sampler {
	s := &sampler{stopc: make(chan struct{}), done: make(chan struct{})}
	size := dbSizer(ctx, db)
	began := time.Now()
	go func() {
		defer close(s.done)
		defer size.close()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			m, _ := scrapeMetrics(p.addr)
			smp := soakSample{At: time.Since(began).Seconds(), RSSMB: megabytes(p.rss()),
				HeapMB: megabytes(int64(m["go_memstats_heap_inuse_bytes"])), Goroutines: int(m["go_goroutines"]),
				OpenFiles: openFiles(p), DBMB: megabytes(size.size(ctx)), GCs: int(m["go_gc_duration_seconds_count"])}
			s.mu.Lock()
			s.samples = append(s.samples, smp)
			s.mu.Unlock()
			select {
			case <-s.stopc:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// mark returns how many samples were taken so far.
func (s *sampler) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.samples)
}

// stop ends the sampling and returns the samples.
func (s *sampler) stop() []soakSample {
	close(s.stopc)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// scrapeMetrics reads a server's /metrics: the value of each sample by
// its name (with its labels, if any). Unlabelled metrics are what the
// harness reads; a metric it does not find reads as 0.
func scrapeMetrics(addr string) (map[string]float64, error) {
	c := &conn{addr: addr}
	defer c.close()
	r, err := c.do(newRequest(http.MethodGet, addr, "/metrics", "", nil))
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, fmt.Errorf("/metrics: status %d", r.status)
	}
	out := map[string]float64{}
	s := bufio.NewScanner(strings.NewReader(string(r.body)))
	for s.Scan() {
		if name, v, ok := strings.Cut(s.Text(), " "); ok {
			out[name], _ = strconv.ParseFloat(v, 64)
		}
	}
	return out, nil
}

// openFiles counts the process's open file descriptors (Linux's
// /proc/PID/fd); 0 where /proc does not say.
func openFiles(p *process) int {
	fds, err := os.ReadDir("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/fd")
	if err != nil {
		return 0
	}
	return len(fds)
}

// sizer reads a database's size on disk: a SQLite file and its
// write-ahead log, or PostgreSQL's pg_database_size.
type sizer struct {
	file string
	pg   *pgx.Conn
}

func dbSizer(ctx context.Context, db string) *sizer {
	if path, ok := strings.CutPrefix(db, "sqlite:"); ok {
		return &sizer{file: path}
	}
	c, err := pgx.Connect(ctx, db)
	if err != nil {
		return &sizer{}
	}
	return &sizer{pg: c}
}

func (s *sizer) size(ctx context.Context) int64 {
	if s.pg != nil {
		var n int64
		s.pg.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
		return n
	}
	var n int64
	for _, f := range []string{s.file, s.file + "-wal"} {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
}

func (s *sizer) close() {
	if s.pg != nil {
		s.pg.Close(context.Background())
	}
}

// receiver is a change-notification endpoint in the harness: it answers
// the validation handshake and counts the notifications it is sent.
type receiver struct {
	url   string
	srv   *http.Server
	notes atomic.Int64
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/notify"}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	if tok := req.URL.Query().Get("validationToken"); tok != "" {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, tok)
		return
	}
	var col struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(req.Body).Decode(&col); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.notes.Add(int64(len(col.Value)))
	w.WriteHeader(http.StatusAccepted)
}

func (r *receiver) count() int64 { return r.notes.Load() }

func (r *receiver) close() { r.srv.Close() }
