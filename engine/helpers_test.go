package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/postgres"
	"github.com/teamsops/teamsops/sqlite"
)

// The tests' directory: one tenant, one user, one Teams app. Each
// operation creates its own chat and installs the app in it.
const (
	tenantID = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"
	userID   = "8b081ef6-4792-4def-b2c9-c363a1bf41d5"
	appID    = "1542629c-01b3-4a6d-8f76-1938b779e48d"
)

// openStore opens the database dsn (a --db value: sqlite:PATH or
// postgres://…), with the directory and the effect_log table in which
// installApp records every effect that commits.
func openStore(t testing.TB, dsn string) teamsops.Store {
	t.Helper()
	ctx := context.Background()
	s := testdb.Open(t, dsn)
	must(t, testdb.Exec(ctx, s, `CREATE TABLE IF NOT EXISTS effect_log (operation_id TEXT NOT NULL)`))
	must(t, s.CreateTenant(ctx, &teamsops.Tenant{ID: tenantID}))
	must(t, s.CreateUser(ctx, &teamsops.User{ID: userID, TenantID: tenantID}))
	must(t, s.CreateTeamsApp(ctx, &teamsops.TeamsApp{ID: appID, TenantID: tenantID}))
	return s
}

// tempStore opens a new database of the back end under test
// (internal/testdb: SQLite unless TEAMSOPS_TEST_BACKEND=postgres).
func tempStore(t testing.TB) teamsops.Store {
	return openStore(t, testdb.DSN(t))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testEngine is an engine on either back end, with the River client calls
// tests make (their signatures do not depend on the driver).
type testEngine struct {
	Runner
	client interface {
		JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
		JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
		JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	}
}

// newEngine returns an engine on s, with River's driver for s's database,
// and its tables migrated; it is stopped when the test ends.
func newEngine(t testing.TB, s teamsops.Store, cfg Config) *testEngine {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.Effects == nil {
		cfg.Effects = map[teamsops.OperationType]Effect{teamsops.OperationTypeCreateChat: installApp}
	}
	var te *testEngine
	switch s := s.(type) {
	case *sqlite.Store:
		e, err := New(riversqlite.New(s.DB()), s, cfg)
		must(t, err)
		te = &testEngine{e, e.client}
	case *postgres.Store:
		e, err := New(riverpgxv5.New(s.Pool()), s, cfg)
		must(t, err)
		te = &testEngine{e, e.client}
	default:
		t.Fatalf("no River driver for a %T", s)
	}
	must(t, te.Migrate(context.Background()))
	return te
}

// start starts e and stops it when the test ends.
func start(t testing.TB, e Runner) {
	t.Helper()
	must(t, e.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Stop(ctx)
	})
}

// installApp is the createChat effect: install the apps of op's values
// in its chat, and record that the effect committed.
func installApp(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	var values struct{ AppIDs []string }
	if err := json.Unmarshal([]byte(op.Values), &values); err != nil {
		return err
	}
	for _, app := range values.AppIDs {
		err := tx.CreateAppInstallation(ctx, &teamsops.AppInstallation{
			ID: op.ID + "-" + app, TenantID: op.TenantID, Resource: op.Resource, TeamsAppID: app,
		})
		if err != nil {
			return err
		}
	}
	return testdb.Exec(ctx, tx, `INSERT INTO effect_log VALUES ($1)`, op.ID)
}

// newOperation is a notStarted createChat operation for a new chat.
func newOperation(n int) *teamsops.Operation {
	chat := fmt.Sprintf("19:%032x@thread.v2", n)
	created := now()
	return &teamsops.Operation{
		ID: fmt.Sprintf("op-%06d", n), TenantID: tenantID,
		Resource: teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: chat},
		Type:     teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusNotStarted,
		CreatedDateTime: created, LastActionDateTime: created,
		TargetResourceID: chat, TargetResourceLocation: "/chats('" + chat + "')",
		Values: `{"appIds":["` + appID + `"]}`,
	}
}

// accept records op, its chat and its job in one transaction, as the
// HTTP edge does before answering 202.
func accept(t testing.TB, s teamsops.Store, e Runner, op *teamsops.Operation, fault *teamsops.Fault) {
	t.Helper()
	must(t, acceptErr(s, e, op, fault))
}

func acceptErr(s teamsops.Store, e Runner, op *teamsops.Operation, fault *teamsops.Fault) error {
	ctx := context.Background()
	return s.Update(ctx, func(tx teamsops.Tx) error {
		chat := &teamsops.Chat{ID: op.Resource.ID, TenantID: op.TenantID, ChatType: "group",
			CreatedDateTime: op.CreatedDateTime, Members: []teamsops.Member{{UserID: userID}}}
		if err := tx.CreateChat(ctx, chat); err != nil {
			return err
		}
		if err := tx.CreateOperation(ctx, op); err != nil {
			return err
		}
		return e.Enqueue(ctx, tx, op, fault)
	})
}

// waitFor polls op until done says yes, and returns what it last read.
func waitFor(t testing.TB, s teamsops.Store, id string, timeout time.Duration, done func(*teamsops.Operation) bool) *teamsops.Operation {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		op, err := s.OperationByID(context.Background(), tenantID, id)
		must(t, err)
		if done(op) {
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s still %s after %s", id, op.Status, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitEnded(t testing.TB, s teamsops.Store, id string) *teamsops.Operation {
	t.Helper()
	return waitFor(t, s, id, 30*time.Second, ended)
}

// effects counts the effects of operation id that committed.
func effects(t testing.TB, s teamsops.Store, id string) int {
	t.Helper()
	n, err := testdb.Int(context.Background(), s, `SELECT count(*) FROM effect_log WHERE operation_id = $1`, id)
	must(t, err)
	return n
}

// installed lists the apps installed in op's chat.
func installed(t testing.TB, s teamsops.Store, op *teamsops.Operation) []string {
	t.Helper()
	list, err := s.AppInstallations(context.Background(), tenantID, op.Resource)
	must(t, err)
	var apps []string
	for _, i := range list {
		apps = append(apps, i.TeamsAppID)
	}
	return apps
}

// profile returns the named profile with changes for a test.
func profile(t testing.TB, name string, change func(p *Profile)) Profile {
	t.Helper()
	p, err := ProfileByName(name)
	must(t, err)
	if change != nil {
		change(&p)
	}
	return p
}
