// Command extraops prepares a teamsops SQLite database for the JavaScript
// suite: it loads the demo tenant and adds finished operations on the demo
// team, so that its operations list has several pages. It prints the ids
// it added, one a line. teamsops has no endpoint that writes an operation
// directly, and the suite runs the real binary, so the database is
// prepared before the server starts.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/sqlite"
)

func main() {
	db := flag.String("db", "", "SQLite database file to prepare")
	n := flag.Int("n", 5, "how many operations to add on the demo team")
	flag.Parse()
	if err := run(context.Background(), *db, *n); err != nil {
		fmt.Fprintln(os.Stderr, "extraops:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, db string, n int) error {
	if db == "" {
		return fmt.Errorf("-db is required")
	}
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := demo.Load(ctx, store); err != nil {
		return err
	}
	for i := range n {
		created := time.Date(2024, 3, 5, 9, i, 0, 0, time.UTC)
		op := &teamsops.Operation{
			ID:                     fmt.Sprintf("7c2e9f4a-3b1d-4c6e-9a8f-%012d", i),
			TenantID:               demo.TenantID,
			Resource:               teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: demo.TeamID},
			Type:                   teamsops.OperationTypeArchiveTeam,
			Status:                 teamsops.OperationStatusSucceeded,
			CreatedDateTime:        created,
			LastActionDateTime:     created.Add(3 * time.Second),
			AttemptsCount:          1,
			TargetResourceID:       demo.TeamID,
			TargetResourceLocation: "/teams('" + demo.TeamID + "')",
		}
		if err := store.CreateOperation(ctx, op); err != nil {
			return err
		}
		fmt.Println(op.ID)
	}
	return nil
}
