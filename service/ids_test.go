package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/service"
)

// TestOperationIDsFollowCreation: operation ids are shaped as Graph shapes
// them — a chat operation's three GUIDs joined by '-', a team operation's
// one GUID — and, as strings, sort in the order the operations were
// created, so that the store's indexes on them grow at one end.
func TestOperationIDsFollowCreation(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	var ids []string
	for i := range 20 {
		if i%2 == 0 {
			res, err := s.CreateChat(ctx, console, groupWithApp(), nil)
			if err != nil {
				t.Fatal(err)
			}
			id := res.Operation.ID
			if len(id) != 3*36+2 || id[36] != '-' || id[73] != '-' {
				t.Fatalf("chat operation id %q: want three GUIDs joined by '-'", id)
			}
			for _, part := range []string{id[:36], id[37:73], id[74:]} {
				if _, err := uuid.Parse(part); err != nil {
					t.Fatalf("chat operation id %q: %q is not a GUID", id, part)
				}
			}
			ids = append(ids, id)
			continue
		}
		start, err := s.CreateTeam(ctx, teamConsole, service.NewTeam{DisplayName: fmt.Sprint("Ordered ", i),
			Members: []service.NewMember{{User: demo.UserAlex, Roles: []string{"owner"}}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := uuid.Parse(start.Operation.ID); err != nil || len(start.Operation.ID) != 36 {
			t.Fatalf("team operation id %q: want a GUID", start.Operation.ID)
		}
		ids = append(ids, start.Operation.ID)
	}
	// A chat operation's id and a team operation's created in the same
	// instant compare by their first GUID.
	first := func(id string) string { return strings.ToLower(id[:36]) }
	if !slices.IsSortedFunc(ids, func(a, b string) int { return strings.Compare(first(a), first(b)) }) {
		t.Errorf("operation ids are not in creation order:\n%s", strings.Join(ids, "\n"))
	}
}
