package cache

import (
	"context"
	"sync"
	"time"
)

// flights shares one database read among the requests that ask the same
// question at the same time, without ever answering one of them with a
// read that began before it arrived: a request joins the next read of its
// key — one that has not started yet — and reads for one key run one
// after another. A read therefore sees every change committed before any
// of its requests arrived, as a read of each request's own would, yet 32
// clients asking for the same operation cost about two reads at a time,
// not 32.
type flights[K comparable, V any] struct {
	mu      sync.Mutex
	next    map[K]*flight[V] // the read that requests join: not started yet
	running map[K]*flight[V] // the read under way
}

type flight[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// readTimeout bounds a shared read: it runs on a context of its own, so
// that one request going away does not fail the others.
const readTimeout = 30 * time.Second

// do returns what read returns for key, from a read that starts after the
// call.
func (fs *flights[K, V]) do(ctx context.Context, key K, read func(context.Context) (V, error)) (V, error) {
	fs.mu.Lock()
	if fs.next == nil {
		fs.next, fs.running = map[K]*flight[V]{}, map[K]*flight[V]{}
	}
	f, joined := fs.next[key]
	if !joined {
		f = &flight[V]{done: make(chan struct{})}
		fs.next[key] = f
	}
	before := fs.running[key]
	fs.mu.Unlock()
	if !joined {
		go fs.fly(key, f, before, read)
	}
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// fly runs f's read once the read before it is done.
func (fs *flights[K, V]) fly(key K, f, before *flight[V], read func(context.Context) (V, error)) {
	if before != nil {
		<-before.done
	}
	fs.mu.Lock()
	delete(fs.next, key) // from now on, requests wait for the read after f
	fs.running[key] = f
	fs.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	f.v, f.err = read(ctx)
	cancel()
	fs.mu.Lock()
	if fs.running[key] == f {
		delete(fs.running, key)
	}
	fs.mu.Unlock()
	close(f.done)
}
