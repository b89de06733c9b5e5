package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/teamsops/teamsops"
)

func TestStoreErrorCodes(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&pgconn.PgError{Code: "23503"}, teamsops.EINVALID},
		{&pgconn.PgError{Code: "23505"}, teamsops.ECONFLICT},
		{&pgconn.PgError{Code: "23514"}, teamsops.EINVALID},
		{&pgconn.PgError{Code: "22021"}, teamsops.EINVALID}, // not UTF-8, or a NUL byte
		{&pgconn.PgError{Code: "40P01"}, teamsops.EUNAVAILABLE},
		{&pgconn.PgError{Code: "57P01"}, teamsops.EUNAVAILABLE},
		{&pgconn.PgError{Code: "08006"}, teamsops.EUNAVAILABLE},
		{&pgconn.PgError{Code: "42P01"}, teamsops.EINTERNAL}, // undefined_table: a bug
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, teamsops.EUNAVAILABLE},
		{fmt.Errorf("read: %w", context.Canceled), teamsops.EINTERNAL},
	}
	for _, tt := range tests {
		if got := teamsops.ErrorCode(storeError("test", tt.err)); got != tt.want {
			t.Errorf("storeError(%v) has code %q, want %q", tt.err, got, tt.want)
		}
	}
}

// A server that cannot be reached is EUNAVAILABLE, which the HTTP edge
// answers 503 with Retry-After; no server is needed to show it.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Open(t.Context(), "postgres://nobody@"+addr+"/none?sslmode=disable&connect_timeout=2", Options{})
	if got := teamsops.ErrorCode(err); got != teamsops.EUNAVAILABLE {
		t.Errorf("Open on a closed port: code %q (%v), want %q", got, err, teamsops.EUNAVAILABLE)
	}
}
