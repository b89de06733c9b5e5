package dashboard

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
)

// TestStreamBehind: a stream whose page does not keep up loses events,
// not the server's time: once it has room again it hears "refresh", so
// that its page reloads what it missed, and then events again.
func TestStreamBehind(t *testing.T) {
	store := testdb.New(t)
	ctx := t.Context()
	if err := store.CreateTenant(ctx, &teamsops.Tenant{ID: "t"}); err != nil {
		t.Fatal(err)
	}
	h := newHub(store, func(_ context.Context, op *teamsops.Operation) (string, error) { return op.ID, nil }, slog.New(slog.DiscardHandler))
	t.Cleanup(h.close)
	s := h.subscribe(filter{})
	write := func(i int) {
		t.Helper()
		op := &teamsops.Operation{ID: fmt.Sprintf("op-%d", i), TenantID: "t", Resource: teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: "x"},
			Type: teamsops.OperationTypeArchiveTeam, Status: teamsops.OperationStatusSucceeded, CreatedDateTime: time.Now(), LastActionDateTime: time.Now()}
		if err := store.CreateOperation(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	// More rows than the stream holds, ten per flush, none read.
	deadline := time.After(20 * time.Second)
	for i := 0; !s.behind.Load(); i++ {
		write(i)
		for i%10 == 9 && len(s.events) < min(i+1, streamBuf) && !s.behind.Load() {
			select {
			case <-deadline:
				t.Fatalf("%d events after %d operations", len(s.events), i+1)
			case <-time.After(time.Millisecond):
			}
		}
	}
	for len(s.events) > 0 {
		<-s.events
	}
	write(1000) // the next flush finds room
	var got []string
	for e := range s.events {
		got = append(got, e.name)
		if e.name == "row" {
			break
		}
	}
	if len(got) != 2 || got[0] != "refresh" {
		t.Errorf("after falling behind the stream heard %v, want refresh then row", got)
	}
}
