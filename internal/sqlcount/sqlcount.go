// Package sqlcount counts what this process asks of its database: the
// statements it sends and the transactions they run in. The stores count
// only once Enable has been called ("teamsops serve --count-sql", tests),
// so that a server that does not report the counts does not pay for them.
// docs/performance.md reports them per operation.
package sqlcount

import (
	"strings"
	"sync/atomic"
)

var (
	enabled      atomic.Bool
	statements   atomic.Int64
	transactions atomic.Int64
	single       atomic.Int64
)

// Enable starts the counting, for stores opened after it.
func Enable() { enabled.Store(true) }

// Enabled reports whether stores opened now count.
func Enabled() bool { return enabled.Load() }

// Counts are the totals since the process started.
type Counts struct {
	// Statements counts every statement sent but the ones that begin or
	// end a transaction: queries, writes and savepoints, in a transaction
	// or on their own.
	Statements int64
	// Transactions counts transactions begun explicitly plus statements
	// run on their own, each of which the database runs as a transaction.
	Transactions int64
	// Single is how many of Statements ran on their own (reads outside a
	// transaction, mostly).
	Single int64
}

// Read returns the totals.
func Read() Counts {
	return Counts{Statements: statements.Load(), Transactions: transactions.Load(), Single: single.Load()}
}

// Begin counts a transaction begun.
func Begin() { transactions.Add(1) }

// Statement counts a statement; inTx says whether it runs inside a
// transaction begun before it.
func Statement(inTx bool) {
	statements.Add(1)
	if !inTx {
		single.Add(1)
		transactions.Add(1)
	}
}

// Classify tells a statement's kind by its text: one that begins a
// transaction, one that ends it, or any other.
func Classify(sql string) Kind {
	s := strings.TrimSpace(sql)
	word, rest, _ := strings.Cut(s, " ")
	switch strings.ToLower(word) {
	case "begin", "start":
		return KindBegin
	case "commit", "end":
		return KindEnd
	case "rollback":
		if r := strings.ToLower(strings.TrimSpace(rest)); strings.HasPrefix(r, "to") {
			return KindOther // ROLLBACK TO a savepoint
		}
		return KindEnd
	}
	return KindOther
}

// Kind is a statement's role in its transaction.
type Kind int

// The kinds Classify tells apart.
const (
	KindOther Kind = iota
	KindBegin
	KindEnd
)
