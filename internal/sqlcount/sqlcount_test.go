package sqlcount_test

import (
	"context"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/sqlcount"
	"github.com/teamsops/teamsops/internal/testdb"
)

func TestClassify(t *testing.T) {
	for sql, want := range map[string]sqlcount.Kind{
		"begin": sqlcount.KindBegin, "BEGIN IMMEDIATE": sqlcount.KindBegin, " start transaction": sqlcount.KindBegin,
		"commit": sqlcount.KindEnd, "ROLLBACK": sqlcount.KindEnd, "rollback to grouped": sqlcount.KindOther,
		"SAVEPOINT grouped": sqlcount.KindOther, "SELECT 1": sqlcount.KindOther, "": sqlcount.KindOther,
	} {
		if got := sqlcount.Classify(sql); got != want {
			t.Errorf("Classify(%q) = %v, want %v", sql, got, want)
		}
	}
}

// TestStoreCounts checks that the store of TEAMSOPS_TEST_BACKEND counts
// a write transaction and a read on its own as they are.
func TestStoreCounts(t *testing.T) {
	sqlcount.Enable()
	s := testdb.New(t)
	ctx := context.Background()
	before := sqlcount.Read()
	err := s.Update(ctx, func(tx teamsops.Tx) error {
		_, err := tx.OperationByID(ctx, "tenant", "missing")
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			return nil
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	inTx := sqlcount.Read()
	if d := (sqlcount.Counts{Statements: inTx.Statements - before.Statements, Transactions: inTx.Transactions - before.Transactions,
		Single: inTx.Single - before.Single}); d != (sqlcount.Counts{Statements: 1, Transactions: 1}) {
		t.Errorf("one read in a transaction counted as %+v", d)
	}
	if _, err := s.Tenant(ctx, "missing"); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Fatal(err)
	}
	after := sqlcount.Read()
	if d := (sqlcount.Counts{Statements: after.Statements - inTx.Statements, Transactions: after.Transactions - inTx.Transactions,
		Single: after.Single - inTx.Single}); d != (sqlcount.Counts{Statements: 1, Transactions: 1, Single: 1}) {
		t.Errorf("one read on its own counted as %+v", d)
	}
}
