package conformance

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

func checkString(t *testing.T, name string, got *string, want string) {
	t.Helper()
	if got == nil || *got != want {
		t.Errorf("%s = %v, want %q", name, deref(got), want)
	}
}

func checkEnum[E comparable](t *testing.T, name string, got *E, want E) {
	t.Helper()
	if got == nil || *got != want {
		t.Errorf("%s = %v, want %v", name, deref(got), want)
	}
}

func checkTime(t *testing.T, name string, got *time.Time, want string) {
	t.Helper()
	w, err := time.Parse(time.RFC3339Nano, want)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.Equal(w) {
		t.Errorf("%s = %v, want %s", name, deref(got), want)
	}
}

// checkSucceeded checks a seeded operation that succeeded at its first
// attempt: its id, status, times, and the resource it made.
func checkSucceeded(t *testing.T, op models.TeamsAsyncOperationable, id, created, lastAction, target, location string) {
	t.Helper()
	checkString(t, "id", op.GetId(), id)
	checkEnum(t, "status", op.GetStatus(), models.SUCCEEDED_TEAMSASYNCOPERATIONSTATUS)
	checkTime(t, "createdDateTime", op.GetCreatedDateTime(), created)
	checkTime(t, "lastActionDateTime", op.GetLastActionDateTime(), lastAction)
	if n := op.GetAttemptsCount(); n == nil || *n != 1 {
		t.Errorf("attemptsCount = %v, want 1", n)
	}
	checkString(t, "targetResourceId", op.GetTargetResourceId(), target)
	checkString(t, "targetResourceLocation", op.GetTargetResourceLocation(), location)
}

// checkContext checks @odata.context, which the SDK keeps in the model's
// additional data.
func checkContext(t *testing.T, data map[string]any, want string) {
	t.Helper()
	got, _ := data["@odata.context"].(*string)
	if got == nil || *got != want {
		t.Errorf("@odata.context = %v, want %s", deref(got), want)
	}
}

func wallClockUTC(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// describe spells out an SDK error, with Graph's code and message when it
// is an ODataError.
func describe(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil {
		m := oe.GetErrorEscaped()
		return fmt.Sprintf("ODataError %d %v: %v", oe.ResponseStatusCode, deref(m.GetCode()), deref(m.GetMessage()))
	}
	return strings.TrimSpace(fmt.Sprintf("%T: %v", err, err))
}
