package odata

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// Sample operations: the seed's chat operation, the demo team's operation,
// and a failed, retried one without a target.
var (
	seedOp = &teamsops.Operation{
		ID:                     opID,
		Type:                   teamsops.OperationTypeCreateChat,
		Status:                 teamsops.OperationStatusSucceeded,
		CreatedDateTime:        time.Date(2021, 5, 27, 21, 23, 41, 908545300, time.UTC),
		LastActionDateTime:     time.Date(2021, 5, 27, 21, 23, 45, 189927700, time.UTC),
		AttemptsCount:          1,
		TargetResourceID:       chatID,
		TargetResourceLocation: "/chats('" + chatID + "')",
		Values:                 `{"appIds":["1542629c-01b3-4a6d-8f76-1938b779e48d"]}`,
	}
	teamOp = &teamsops.Operation{
		ID:                     "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b",
		Type:                   teamsops.OperationTypeCreateTeam,
		Status:                 teamsops.OperationStatusSucceeded,
		CreatedDateTime:        time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC),
		LastActionDateTime:     time.Date(2024, 3, 4, 10, 0, 42, 0, time.UTC),
		AttemptsCount:          1,
		TargetResourceID:       teamID,
		TargetResourceLocation: "/teams('" + teamID + "')",
	}
	failedOp = &teamsops.Operation{
		ID:                 "f",
		Type:               teamsops.OperationTypeArchiveTeam,
		Status:             teamsops.OperationStatusFailed,
		CreatedDateTime:    time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		LastActionDateTime: time.Date(2024, 6, 1, 0, 5, 0, 0, time.UTC),
		AttemptsCount:      3,
		Error:              &teamsops.OperationError{Code: "Conflict", Message: "x"},
	}
	sampleOps = []*teamsops.Operation{seedOp, teamOp, failedOp}
)

// TestFilterMatch checks that parsed filters select the right operations
// through teamsops.Filter.Match, the reference every store is tested against.
func TestFilterMatch(t *testing.T) {
	tests := []struct {
		filter string
		want   []*teamsops.Operation
	}{
		{"status eq 'succeeded'", []*teamsops.Operation{seedOp, teamOp}},
		{"status ne 'succeeded'", []*teamsops.Operation{failedOp}},
		{"not status eq 'succeeded'", []*teamsops.Operation{failedOp}},
		{"operationType eq microsoft.graph.teamsAsyncOperationType'createChat'", []*teamsops.Operation{seedOp}},
		{"attemptsCount gt 1", []*teamsops.Operation{failedOp}},
		{"1 lt attemptsCount", []*teamsops.Operation{failedOp}},
		{"3 le attemptsCount", []*teamsops.Operation{failedOp}},
		{"attemptsCount le 1", []*teamsops.Operation{seedOp, teamOp}},
		{"createdDateTime eq 2021-05-27T21:23:41.9085453Z", []*teamsops.Operation{seedOp}},
		{"createdDateTime eq 2021-05-27T23:23:41.9085453+02:00", []*teamsops.Operation{seedOp}},
		{"createdDateTime ge 2024-01-01T00:00:00Z", []*teamsops.Operation{teamOp, failedOp}},
		{"2024-03-04T10:00:42Z le lastActionDateTime", []*teamsops.Operation{teamOp, failedOp}},
		{"targetResourceId eq null", []*teamsops.Operation{failedOp}},
		{"targetResourceId ne null", []*teamsops.Operation{seedOp, teamOp}},
		{"targetResourceId eq '" + teamID + "'", []*teamsops.Operation{teamOp}},
		{"targetResourceLocation eq '/chats(''" + chatID + "'')'", []*teamsops.Operation{seedOp}},
		{"id lt '3'", []*teamsops.Operation{seedOp}},
		{"values ne null", []*teamsops.Operation{seedOp}},
		{"status eq 'failed' or attemptsCount eq 1 and operationType eq 'createTeam'", []*teamsops.Operation{teamOp, failedOp}},
		{"(status eq 'failed' or attemptsCount eq 1) and operationType eq 'createTeam'", []*teamsops.Operation{teamOp}},
		{"not (status eq 'failed' or operationType eq 'createTeam')", []*teamsops.Operation{seedOp}},
		{"status eq 'inProgress'", nil},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.filter, props, true)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.filter, err)
			continue
		}
		var got []*teamsops.Operation
		for _, op := range sampleOps {
			if f.Match(op) {
				got = append(got, op)
			}
		}
		if fmt.Sprint(ids(got)) != fmt.Sprint(ids(tt.want)) {
			t.Errorf("%q matched %v, want %v", tt.filter, ids(got), ids(tt.want))
		}
	}
}

func ids(ops []*teamsops.Operation) []string {
	var s []string
	for _, op := range ops {
		s = append(s, op.ID)
	}
	return s
}

// formatFilter writes a filter back in $filter syntax, with parentheses
// only where precedence needs them, so tests can show trees and re-parse
// them without adding nesting.
func formatFilter(f *teamsops.Filter) string {
	if f == nil {
		return "<nil>"
	}
	switch f.Op {
	case teamsops.FilterOr:
		return formatFilter(f.Left) + " or " + formatOperand(f.Right, teamsops.FilterOr)
	case teamsops.FilterAnd:
		return formatOperand(f.Left, teamsops.FilterOr) + " and " + formatOperand(f.Right, teamsops.FilterOr, teamsops.FilterAnd)
	case teamsops.FilterNot:
		return "not " + formatOperand(f.Left, teamsops.FilterOr, teamsops.FilterAnd)
	}
	return f.Property + " " + string(f.Op) + " " + formatValue(f.Value)
}

// formatOperand parenthesizes f when its operator is one of ops.
func formatOperand(f *teamsops.Filter, ops ...teamsops.FilterOp) string {
	if f != nil && slices.Contains(ops, f.Op) {
		return "(" + formatFilter(f) + ")"
	}
	return formatFilter(f)
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case int64:
		return fmt.Sprint(v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("<%T %v>", v, v)
}
