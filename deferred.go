package teamsops

import "context"

// Deferrer is a Tx whose database transaction may carry several updates
// at once (both stores commit concurrent updates together). Writes that
// are many rows of one kind — the job queue's inserts — are queued with
// Defer and written once for all the updates that queued them, in one
// statement, just before the shared transaction commits.
type Deferrer interface {
	// Defer queues v under key. Unless the update that queued it rolls
	// back, flush runs once per key before the commit, inside the
	// transaction (tx is Tx.Driver()), with every value queued under key
	// by the updates of the transaction, in the order they were queued.
	// The flush of a key's first Defer is the one that runs. An error
	// from flush fails every update of the transaction: nothing of them
	// commits.
	Defer(key, v any, flush Flush)
}

// Flush writes the values queued under one key of a Deferrer.
type Flush func(ctx context.Context, tx any, values []any) error

// Deferred are the values an update queued with Defer, for the stores.
type Deferred []DeferredValue

// DeferredValue is one value queued with Defer.
type DeferredValue struct {
	Key   any
	Value any
	Flush Flush
}

// Add queues v; it implements Defer for a store's Tx.
func (d *Deferred) Add(key, v any, flush Flush) {
	*d = append(*d, DeferredValue{Key: key, Value: v, Flush: flush})
}

// FlushAll runs each key's flush once, keys in the order first queued,
// with the values of every update in all, in order.
func FlushAll(ctx context.Context, tx any, all ...Deferred) error {
	var keys []any
	byKey := map[any][]any{}
	flushes := map[any]Flush{}
	for _, d := range all {
		for _, dv := range d {
			if _, ok := flushes[dv.Key]; !ok {
				keys = append(keys, dv.Key)
				flushes[dv.Key] = dv.Flush
			}
			byKey[dv.Key] = append(byKey[dv.Key], dv.Value)
		}
	}
	for _, k := range keys {
		if err := flushes[k](ctx, tx, byKey[k]); err != nil {
			return err
		}
	}
	return nil
}
