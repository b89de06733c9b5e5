package postgres

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/teamsops/teamsops"
)

// storeError wraps a driver error with what the store was doing. A
// constraint violation is the caller's mistake rather than a failure, and
// a database that cannot be reached is a failure to retry later, so both
// also carry a teamsops code; the HTTP edge answers the latter 503 with
// Retry-After.
func storeError(what string, err error) error {
	if app := classify(what, err); app != nil {
		return fmt.Errorf("postgres: %s: %w: %w", what, app, err)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// classify returns the teamsops error err stands for, or nil.
func classify(what string, err error) *teamsops.Error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return classifyServer(what, pe)
	}
	if unreachable(err) {
		return unavailable()
	}
	return nil
}

// classifyServer maps SQLSTATE codes (PostgreSQL's "Errors and Messages"
// appendix) as package sqlite maps SQLite's result codes.
func classifyServer(what string, pe *pgconn.PgError) *teamsops.Error {
	switch pe.Code {
	case "23503": // foreign_key_violation
		return teamsops.Errorf(teamsops.EINVALID, "Cannot %s: it refers to something that does not exist.", what)
	case "23505": // unique_violation
		return teamsops.Errorf(teamsops.ECONFLICT, "Cannot %s: it conflicts with an existing one.", what)
	case "23502", "23514": // not_null_violation, check_violation
		return teamsops.Errorf(teamsops.EINVALID, "Cannot %s: a value is not valid.", what)
	case "40001", "40P01": // serialization_failure, deadlock_detected: a retry succeeds
		return teamsops.Errorf(teamsops.EUNAVAILABLE, "Cannot %s now: it collided with another change. Try again.", what)
	case "53300", "57P01", "57P02", "57P03": // too_many_connections, admin_shutdown, crash_shutdown, cannot_connect_now
		return unavailable()
	}
	switch pe.Code[:2] {
	case "22": // data_exception: text that is not UTF-8, a number out of range
		return teamsops.Errorf(teamsops.EINVALID, "Cannot %s: a value is not valid.", what)
	case "08": // connection_exception
		return unavailable()
	}
	return nil
}

// unreachable reports whether err says the database could not be reached,
// or the connection broke: the server is down, restarting or too far.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	// pgconn's own errors for a connection it closed after a failure.
	return pgconn.SafeToRetry(err)
}

func unavailable() *teamsops.Error {
	return teamsops.Errorf(teamsops.EUNAVAILABLE, "The service is temporarily unavailable: its database cannot be reached. Try again later.")
}
