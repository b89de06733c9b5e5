package teamsops

import (
	"reflect"
	"testing"
)

func TestFaultRule(t *testing.T) {
	fail := FaultRule{ID: "r", TenantID: "t", ClientAppID: "a", OperationType: OperationTypeCreateTeam,
		Action: FaultActionFail, ErrorCode: "Forbidden", ErrorMessage: "No."}
	transient := FaultRule{ID: "r", TenantID: "t", ClientAppID: "a", Action: FaultActionTransient, Attempts: 3}
	if err := fail.Validate(); err != nil {
		t.Errorf("fail rule: %v", err)
	}
	if err := transient.Validate(); err != nil {
		t.Errorf("transient rule: %v", err)
	}
	if !fail.Matches(OperationTypeCreateTeam) || fail.Matches(OperationTypeCloneTeam) || !transient.Matches(OperationTypeCreateChat) {
		t.Error("Matches")
	}
	if got := fail.Fault(); !reflect.DeepEqual(got, &Fault{ErrorCode: "Forbidden", ErrorMessage: "No."}) {
		t.Errorf("fail's fault %+v", got)
	}
	if got := transient.Fault(); !reflect.DeepEqual(got, &Fault{FailAttempts: 3}) {
		t.Errorf("transient's fault %+v", got)
	}
	bad := []func(r *FaultRule){
		func(r *FaultRule) { r.ID = "" },
		func(r *FaultRule) { r.ClientAppID = "" },
		func(r *FaultRule) { r.OperationType = "invalid" },
		func(r *FaultRule) { r.OperationType = "createTeams" },
		func(r *FaultRule) { r.Action = "explode" },
		func(r *FaultRule) { r.ErrorCode = "" },
		func(r *FaultRule) { r.Attempts = 1 },
		func(r *FaultRule) { r.ErrorMessage = "\xff" },
		func(r *FaultRule) { r.Action, r.Attempts = FaultActionTransient, 2 }, // keeps its error
		func(r *FaultRule) {
			r.Action, r.ErrorCode, r.ErrorMessage, r.Attempts = FaultActionTransient, "", "", MaxFaultAttempts+1
		},
	}
	for i, change := range bad {
		r := fail
		change(&r)
		if err := r.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("change %d: %v", i, err)
		}
	}
}
