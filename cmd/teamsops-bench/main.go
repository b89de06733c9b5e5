// Command teamsops-bench is teamsops' load harness. It builds teamsops,
// starts it as a separate process on each back end (a SQLite file, a new
// PostgreSQL database) and, for comparison, a bare net/http server that
// answers the seed's exact bytes, and drives each over real loopback
// sockets: the seed's GET closed loop at several connection counts and
// open loop at a constant arrival rate, a filtered list, operations end
// to end (POST /chats → 202 → terminal), start-up time and memory. It
// prints one table; --json writes the same data.
//
//	go run ./cmd/teamsops-bench --postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//	go run ./cmd/teamsops-bench --smoke     # every scenario for a second: proves the harness, measures nothing
//
// docs/performance.md explains every scenario and flag and how to read
// the numbers. The harness asserts no timing: it measures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "teamsops-bench:", err)
		}
		os.Exit(1)
	}
}

// dispatch runs the harness, or the bare server when the harness starts
// itself as one (bareCommand, not meant to be typed).
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == bareCommand {
		return serveBare(ctx, args[1:], stderr)
	}
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	return run(ctx, cfg, stdout, stderr)
}
