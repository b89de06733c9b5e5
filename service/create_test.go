package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
)

// recorder is a Runner that records the jobs it is given, or fails.
type recorder struct {
	ops    []*teamsops.Operation
	faults []*teamsops.Fault
	err    error
}

func (r *recorder) Enqueue(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation, fault *teamsops.Fault) error {
	if r.err != nil {
		return r.err
	}
	r.ops, r.faults = append(r.ops, op), append(r.faults, fault)
	return nil
}

func newService(t *testing.T) (*service.Service, *recorder) {
	t.Helper()
	store := testdb.New(t)
	if err := demo.Load(context.Background(), store); err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	s := service.New(store)
	s.Runner = r
	s.Now = func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) }
	return s, r
}

var console = teamsops.Principal{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: []string{"Chat.Create"}}

func groupWithApp() service.NewChat {
	return service.NewChat{
		ChatType: service.ChatTypeGroup,
		Members:  []service.NewMember{{User: demo.UserAdele, Roles: []string{"owner"}}, {User: demo.UserMegan, Roles: []string{"owner"}}},
		AppIDs:   []string{demo.TeamsAppID},
	}
}

func TestCreateChatRecordsOperationAndJob(t *testing.T) {
	s, r := newService(t)
	ctx := context.Background()
	fault := &teamsops.Fault{FailAttempts: 2}
	res, err := s.CreateChat(ctx, console, groupWithApp(), fault)
	if err != nil {
		t.Fatal(err)
	}
	op := res.Operation
	want := teamsops.Operation{
		ID: op.ID, TenantID: demo.TenantID, Resource: teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: res.Chat.ID},
		Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusNotStarted,
		CreatedDateTime: s.Now(), LastActionDateTime: s.Now(), TargetResourceID: res.Chat.ID,
		TargetResourceLocation: "/chats('" + res.Chat.ID + "')", Values: `{"appIds":["` + demo.TeamsAppID + `"]}`,
	}
	stored, err := s.Store.Operation(ctx, demo.TenantID, want.Resource, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *stored != want || len(op.ID) != 3*36+2 {
		t.Errorf("operation\n got %+v\nwant %+v", *stored, want)
	}
	if len(r.ops) != 1 || r.ops[0].ID != op.ID || r.faults[0] != fault {
		t.Errorf("jobs %v, faults %v", r.ops, r.faults)
	}
	chat, err := s.Store.Chat(ctx, demo.TenantID, res.Chat.ID)
	if err != nil || len(chat.Members) != 2 || chat.ChatType != "group" {
		t.Errorf("chat %+v, %v", chat, err)
	}
}

// TestCreateChatIsAtomic: when the job cannot be recorded, neither are the
// chat and the operation.
func TestCreateChatIsAtomic(t *testing.T) {
	s, r := newService(t)
	ctx := context.Background()
	r.err = errors.New("queue down")
	one := groupWithApp()
	one.ChatType = service.ChatTypeOneOnOne
	if _, err := s.CreateChat(ctx, console, one, nil); err == nil {
		t.Fatal("CreateChat succeeded without its job")
	}
	id := service.OneOnOneChatID(demo.UserAdele, demo.UserMegan)
	if _, err := s.Store.Chat(ctx, demo.TenantID, id); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Errorf("the chat was written: %v", err)
	}
	ops, _, err := s.Store.ListOperations(ctx, demo.TenantID, teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: id}, teamsops.OperationQuery{})
	if err == nil && len(ops) > 0 {
		t.Errorf("operations were written: %v", ops)
	}

	s.Runner = nil
	if _, err := s.CreateChat(ctx, console, groupWithApp(), nil); teamsops.ErrorCode(err) != teamsops.EUNAVAILABLE {
		t.Errorf("without a runner: %v", err)
	}
}

// TestInstallChatAppsIsIdempotent runs the createChat effect twice, as a
// retried attempt would: one installation, under the deterministic id.
func TestInstallChatAppsIsIdempotent(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	res, err := s.CreateChat(ctx, console, groupWithApp(), nil)
	if err != nil {
		t.Fatal(err)
	}
	effect := service.Effects()[teamsops.OperationTypeCreateChat]
	for range 2 {
		if err := s.Store.Update(ctx, func(tx teamsops.Tx) error { return effect(ctx, tx, res.Operation) }); err != nil {
			t.Fatal(err)
		}
	}
	ref := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: res.Chat.ID}
	installs, err := s.Store.AppInstallations(ctx, demo.TenantID, ref)
	if err != nil || len(installs) != 1 || installs[0].ID != service.InstallationID(res.Chat.ID, demo.TeamsAppID) {
		t.Errorf("installations %+v, %v", installs, err)
	}
	bad := *res.Operation
	bad.Values = "{"
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error { return effect(ctx, tx, &bad) })
	if teamsops.ErrorCode(err) != teamsops.EINVALID {
		t.Errorf("bad values: %v", err)
	}
}

func TestOneOnOneChatID(t *testing.T) {
	// "Create chat", example 5: the lower id first.
	const want = "19:82af01c5-f7cc-4a2e-a728-3a5df21afd9d_8b081ef6-4792-4def-b2c9-c363a1bf41d5@unq.gbl.spaces"
	for _, pair := range [][2]string{{demo.UserAdele, demo.UserAlex}, {demo.UserAlex, demo.UserAdele}} {
		if got := service.OneOnOneChatID(pair[0], pair[1]); got != want {
			t.Errorf("OneOnOneChatID(%s, %s) = %s", pair[0], pair[1], got)
		}
	}
}

func TestValidate(t *testing.T) {
	member := func(u string) service.NewMember { return service.NewMember{User: u, Roles: []string{"owner"}} }
	topic := "x"
	big := service.NewChat{ChatType: service.ChatTypeGroup}
	for i := range service.MaxGroupChatMembers + 1 {
		big.Members = append(big.Members, member(string(rune('a'+i%26))+string(rune('0'+i/26))))
	}
	tests := []struct {
		name string
		c    service.NewChat
		ok   bool
	}{
		{"group of two", service.NewChat{ChatType: "group", Topic: &topic, Members: []service.NewMember{member("a"), member("b")}}, true},
		{"group too large", big, false},
		{"oneOnOne with a topic", service.NewChat{ChatType: "oneOnOne", Topic: &topic, Members: []service.NewMember{member("a"), member("b")}}, false},
		{"no roles", service.NewChat{ChatType: "group", Members: []service.NewMember{member("a"), {User: "b"}}}, false},
		{"empty app id", service.NewChat{ChatType: "group", Members: []service.NewMember{member("a"), member("b")}, AppIDs: []string{""}}, false},
		{"a NUL in a user", service.NewChat{ChatType: "group", Members: []service.NewMember{member("a"), member("b\x00")}}, false},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if (err == nil) != tt.ok || err != nil && teamsops.ErrorCode(err) != teamsops.EINVALID {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
