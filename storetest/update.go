package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

func testOperationByID(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	opA, opB := seedOperation(tenantA), seedOperation(tenantB)
	opB.Status = teamsops.OperationStatusInProgress
	opT := seedOperation(tenantA)
	opT.ID, opT.Resource, opT.Type = "team-operation", teamRef, teamsops.OperationTypeCreateTeam
	for _, op := range []*teamsops.Operation{opA, opB, opT} {
		must(t, s.CreateOperation(ctx, op))
	}
	for _, want := range []*teamsops.Operation{opA, opB, opT} {
		got, err := s.OperationByID(ctx, want.TenantID, want.ID)
		must(t, err)
		wantEqual(t, "operation "+want.ID+" of "+want.TenantID, got, want)
	}
	_, err := s.OperationByID(ctx, tenantC, opA.ID)
	wantCode(t, err, teamsops.ENOTFOUND, opA.ID)
	_, err = s.OperationByID(ctx, tenantB, opT.ID)
	wantCode(t, err, teamsops.ENOTFOUND, opT.ID)
}

func testUpdateOperation(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	created := graphTime("2024-05-01T08:00:00.0000001Z")
	op := &teamsops.Operation{
		ID: "op-1", TenantID: tenantA, Resource: chatRef, Type: teamsops.OperationTypeCreateChat,
		Status: teamsops.OperationStatusNotStarted, CreatedDateTime: created, LastActionDateTime: created,
		Values: `{"appIds":["` + appA + `"]}`,
	}
	must(t, s.CreateOperation(ctx, op))
	other := *op
	other.TenantID = tenantB
	must(t, s.CreateOperation(ctx, &other))

	steps := []func(op *teamsops.Operation){
		func(op *teamsops.Operation) {
			op.Status, op.AttemptsCount = teamsops.OperationStatusInProgress, 1
			op.LastActionDateTime = created.Add(time.Second)
		},
		func(op *teamsops.Operation) {
			op.Status, op.AttemptsCount = teamsops.OperationStatusFailed, 3
			op.LastActionDateTime = created.Add(time.Minute).In(time.FixedZone("CET", 3600))
			op.Error = &teamsops.OperationError{Code: "InternalServerError", Message: "Failed."}
		},
		func(op *teamsops.Operation) {
			op.Status, op.Error = teamsops.OperationStatusSucceeded, nil
			op.TargetResourceID, op.TargetResourceLocation = chatID, "/chats('"+chatID+"')"
		},
	}
	for i, step := range steps {
		step(op)
		update := *op
		update.Values, update.Type, update.CreatedDateTime = "ignored", teamsops.OperationTypeCreateTeam, time.Now()
		must(t, s.UpdateOperation(ctx, &update))
		got, err := s.OperationByID(ctx, tenantA, op.ID)
		must(t, err)
		want := *op
		want.LastActionDateTime = op.LastActionDateTime.UTC()
		wantEqual(t, fmt.Sprint("operation after update ", i+1), got, &want)
	}
	got, err := s.OperationByID(ctx, tenantB, op.ID)
	must(t, err)
	wantEqual(t, "tenant B's operation of the same id", got, &other)

	missing := *op
	missing.ID = "no-such-operation"
	wantCode(t, s.UpdateOperation(ctx, &missing), teamsops.ENOTFOUND, missing.ID)
	missing.ID, missing.TenantID = op.ID, tenantC
	wantCode(t, s.UpdateOperation(ctx, &missing), teamsops.ENOTFOUND, op.ID)
}

// updateFixture is what testUpdate* write in one transaction: a chat, an
// installation in it and an operation, then the operation's new status.
type updateFixture struct {
	chat    *teamsops.Chat
	install *teamsops.AppInstallation
	op      *teamsops.Operation
}

func newUpdateFixture(t *testing.T, s teamsops.Store) updateFixture {
	createTenants(t, s)
	must(t, s.CreateTeamsApp(t.Context(), teamsApp(tenantA, appA)))
	op := seedOperation(tenantA)
	op.Status = teamsops.OperationStatusNotStarted
	return updateFixture{
		chat:    chatOf(tenantA, "Created in a transaction", teamsops.Member{UserID: user1}),
		install: install(tenantA, chatRef, "installation-1", appA),
		op:      op,
	}
}

// write makes every write of the fixture through tx.
func (f updateFixture) write(t *testing.T, tx teamsops.Tx) error {
	ctx := t.Context()
	for _, write := range []func() error{
		func() error { return tx.CreateChat(ctx, f.chat) },
		func() error { return tx.CreateOperation(ctx, f.op) },
		func() error { return tx.CreateAppInstallation(ctx, f.install) },
		func() error {
			done := *f.op
			done.Status = teamsops.OperationStatusSucceeded
			return tx.UpdateOperation(ctx, &done)
		},
	} {
		if err := write(); err != nil {
			return err
		}
	}
	return nil
}

func testUpdateCommits(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	f := newUpdateFixture(t, s)
	must(t, s.Update(ctx, func(tx teamsops.Tx) error { return f.write(t, tx) }))

	chat, err := s.Chat(ctx, tenantA, chatID)
	must(t, err)
	wantChat(t, "chat written in Update", chat, f.chat)
	installs, err := s.AppInstallations(ctx, tenantA, chatRef)
	must(t, err)
	wantEqual(t, "installations written in Update", installs, []*teamsops.AppInstallation{f.install})
	op, err := s.Operation(ctx, tenantA, chatRef, f.op.ID)
	must(t, err)
	wantEqual(t, "status written in Update", op.Status, teamsops.OperationStatusSucceeded)
}

func testUpdateRollsBack(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	f := newUpdateFixture(t, s)
	stop := errors.New("stop")
	err := s.Update(ctx, func(tx teamsops.Tx) error {
		must(t, f.write(t, tx))
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	wantNothingWritten(t, s, f)

	// A write that fails after others: its code reaches the caller, and the
	// writes before it are undone too.
	err = s.Update(ctx, func(tx teamsops.Tx) error {
		if err := f.write(t, tx); err != nil {
			return err
		}
		return tx.CreateAppInstallation(ctx, install(tenantA, chatRef, "installation-2", appA))
	})
	wantCode(t, err, teamsops.ECONFLICT, "")
	wantNothingWritten(t, s, f)

	// The store is usable afterwards: no lock or transaction was left open.
	must(t, s.Update(ctx, func(tx teamsops.Tx) error { return f.write(t, tx) }))
	_, err = s.OperationByID(ctx, tenantA, f.op.ID)
	must(t, err)
}

func wantNothingWritten(t *testing.T, s teamsops.Store, f updateFixture) {
	t.Helper()
	ctx := t.Context()
	_, err := s.Chat(ctx, tenantA, chatID)
	wantCode(t, err, teamsops.ENOTFOUND, chatID)
	_, err = s.OperationByID(ctx, tenantA, f.op.ID)
	wantCode(t, err, teamsops.ENOTFOUND, f.op.ID)
	_, err = s.AppInstallations(ctx, tenantA, chatRef)
	wantCode(t, err, teamsops.ENOTFOUND, chatID)
}

func testTxReads(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	f := newUpdateFixture(t, s)
	must(t, s.Update(ctx, func(tx teamsops.Tx) error {
		if tx.Driver() == nil {
			t.Error("Driver() = nil, want the driver's transaction")
		}
		_, err := tx.OperationByID(ctx, tenantA, f.op.ID)
		wantCode(t, err, teamsops.ENOTFOUND, f.op.ID)
		_, err = tx.Chat(ctx, tenantA, chatID)
		wantCode(t, err, teamsops.ENOTFOUND, chatID)

		must(t, f.write(t, tx))
		chat, err := tx.Chat(ctx, tenantA, chatID)
		must(t, err)
		wantChat(t, "chat read in its transaction", chat, f.chat)
		op, err := tx.OperationByID(ctx, tenantA, f.op.ID)
		must(t, err)
		wantEqual(t, "status read in its transaction", op.Status, teamsops.OperationStatusSucceeded)
		_, err = tx.OperationByID(ctx, tenantB, f.op.ID)
		wantCode(t, err, teamsops.ENOTFOUND, f.op.ID)
		_, err = tx.Chat(ctx, tenantB, chatID)
		wantCode(t, err, teamsops.ENOTFOUND, chatID)
		return nil
	}))
}
