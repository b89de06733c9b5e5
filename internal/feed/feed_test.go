package feed

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/teamsops/teamsops"
)

func TestWatchPublishCancel(t *testing.T) {
	var f Feed
	firsts := 0
	f.OnFirstWatch(func() { firsts++ })
	var a, b []teamsops.Change
	cancelA := f.Watch(func(c teamsops.Change) { a = append(a, c) })
	f.Watch(func(c teamsops.Change) { b = append(b, c) })
	c1 := teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: "t"}
	f.Publish(c1)
	cancelA()
	cancelA() // twice is harmless
	c2 := teamsops.Change{Kind: teamsops.ChangeTenant, TenantID: "t"}
	f.Publish(c2)
	if !reflect.DeepEqual(a, []teamsops.Change{c1}) || !reflect.DeepEqual(b, []teamsops.Change{c1, c2}) {
		t.Errorf("a = %v, b = %v", a, b)
	}
	if firsts != 1 {
		t.Errorf("OnFirstWatch ran %d times, want once", firsts)
	}
	if !f.Watching() {
		t.Error("Watching() = false with a watcher left")
	}
}

func TestCoalesce(t *testing.T) {
	var in []teamsops.Change
	for i := range 5 {
		in = append(in, teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: "a", Resource: teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: fmt.Sprint(i)}})
	}
	op := teamsops.Change{Kind: teamsops.ChangeOperation, TenantID: "b", OperationID: "o", Status: teamsops.OperationStatusFailed}
	in = append(in, op, teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: "b"})
	if got := Coalesce(in, 10); !reflect.DeepEqual(got, in) {
		t.Errorf("under the limit, Coalesce changed the list: %v", got)
	}
	want := []teamsops.Change{{Kind: teamsops.ChangeTenant, TenantID: "a"}, op, {Kind: teamsops.ChangeTenant, TenantID: "b"}}
	if got := Coalesce(in, 3); !reflect.DeepEqual(got, want) {
		t.Errorf("Coalesce = %v, want %v", got, want)
	}
}

func TestEncodeDecode(t *testing.T) {
	for _, c := range []teamsops.Change{
		{Kind: teamsops.ChangeOperation, TenantID: "t", Resource: teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: "x"}, OperationID: "o", Status: teamsops.OperationStatusInProgress},
		{Kind: teamsops.ChangeAccess, TenantID: "t", Resource: teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: "19:a@thread.v2"}},
		{Kind: teamsops.ChangeReset, Live: true},
	} {
		origin, got, err := Decode(Encode("me", c))
		if err != nil || origin != "me" || !reflect.DeepEqual(got, c) {
			t.Errorf("Decode(Encode(%+v)) = %q, %+v, %v", c, origin, got, err)
		}
	}
	for _, bad := range []string{"", "{", `{"t":"x"}`, "null"} {
		if _, _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted it", bad)
		}
	}
}

func TestCoalesceManyOperations(t *testing.T) {
	var in []teamsops.Change
	for i := range manyOperations + 1 {
		in = append(in, teamsops.Change{Kind: teamsops.ChangeOperation, TenantID: "a", OperationID: fmt.Sprint(i)})
	}
	want := []teamsops.Change{{Kind: teamsops.ChangeTenant, TenantID: "a"}}
	if got := Coalesce(in, 64); !reflect.DeepEqual(got, want) {
		t.Errorf("Coalesce of %d operation changes = %d changes, want one ChangeTenant", len(in), len(got))
	}
}
