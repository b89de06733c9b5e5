package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/teamsops/teamsops/lro"
)

// Exit statuses of "teamsops wait" other than 0, success (PRODUCT.md,
// "Interfaces").
const (
	exitFailed   = 1
	exitTimedOut = 2
	exitOther    = 3
)

// waitConfig is what the wait command's flags say.
type waitConfig struct {
	clientLogin
	baseURL, tokenURL  string
	db, app, publicURL string
	roles              listFlag
	timeout            time.Duration
	location           string
}

// wait polls one operation with lro until it ends, prints it as JSON, and
// exits 0 if it succeeded, 1 if it failed, 2 if --timeout ran out first
// and 3 on any other error. Each failed poll it retries is said on stderr
// as it happens, and the error it exits with names the last one. Its
// last line on stderr says the outcome and the exit status in words, for
// scripts that cannot see the status: "go run" exits 1 for any status
// but 0.
func wait(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := waitFor(ctx, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	code := 0
	var exit *exitError
	if errors.As(err, &exit) {
		code = exit.code
	}
	fmt.Fprintf(stderr, "teamsops wait: %s (exit status %d)\n", outcome(code, err), code)
	if exit != nil {
		exit.said = true
	}
	return err
}

// outcome says in words how a wait ended, as its final line gives it.
func outcome(code int, err error) string {
	var failed *lro.OperationError
	switch {
	case code == 0:
		return "operation succeeded"
	case errors.As(err, &failed):
		if failed.Code == "" && failed.Message == "" {
			return "operation failed"
		}
		return fmt.Sprintf("operation failed: %s: %s", failed.Code, failed.Message)
	case code == exitTimedOut:
		return "gave up waiting: " + err.Error()
	}
	return "could not wait: " + err.Error()
}

// waitFor is wait but for its last line: the operation on stdout, and an
// exitError for every outcome but success (flag.ErrHelp for -h).
func waitFor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseWait(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return &exitError{code: exitOther, err: err}
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	op, err := c.poll(ctx, stderr)
	var failed *lro.OperationError
	switch {
	case errors.As(err, &failed):
		printJSON(stdout, failed.Operation)
		return &exitError{code: exitFailed, err: err}
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return &exitError{code: exitTimedOut, err: fmt.Errorf("timed out after %v: %w", c.timeout, err)}
	case err != nil:
		return &exitError{code: exitOther, err: err}
	}
	return printJSON(stdout, op)
}

const waitUsage = `usage: teamsops wait [flags] LOCATION-or-URL

Polls one operation until it ends and prints it, as JSON, on stdout (a
failed one too). On stderr it says each change of status, and each failed
poll with the retry that follows, as they happen; its last line says how
the wait ended, with the exit status in words:

  teamsops wait: operation succeeded (exit status 0)
  teamsops wait: operation failed: CODE: MESSAGE (exit status 1)
  teamsops wait: gave up waiting: timed out after 15m0s: ... (exit status 2)
  teamsops wait: could not wait: ... (exit status 3)

Exit status: 0 succeeded, 1 failed, 2 timed out (--timeout), 3 any other
error (no server, a refused token, no such operation, a bad flag). "go run"
exits 1 for any status but 0 (and adds its own "exit status N" line): a
script that needs 2 and 3 runs the built binary, or reads the last line
starting "teamsops wait:".

flags:
`

func parseWait(args []string, stderr io.Writer) (*waitConfig, error) {
	var c waitConfig
	fs := newFlagSet("wait", waitUsage, stderr)
	fs.StringVar(&c.baseURL, "base-url", "http://"+defaultAddr+"/v1.0", "base URL a relative Location is resolved against: the server and /v1.0 or /beta (/beta for a chat's operation: v1.0 has none)")
	fs.DurationVar(&c.timeout, "timeout", 15*time.Minute, "give up (exit 2) after this long")
	c.register(fs, " or --db")
	fs.StringVar(&c.tokenURL, "token-url", "", "token endpoint (default {server}/{tenant}/oauth2/v2.0/token)")
	fs.StringVar(&c.db, "db", "", "mint a token with the key in the server's database instead, as \"teamsops token\" does")
	fs.StringVar(&c.app, "app", "", "with --db: client id of the calling app (appid)")
	c.roles = listFlag{"Chat.ReadBasic.All", "Team.ReadBasic.All"}
	fs.Var(&c.roles, "roles", "with --db: application permissions, comma-separated")
	fs.StringVar(&c.publicURL, "public-url", "", "with --db: the server's --public-url (default: --base-url without its version)")
	rest, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(rest) != 1 {
		fs.Usage()
		return nil, errors.New("wait takes one LOCATION-or-URL")
	}
	c.location = rest[0]
	if c.timeout <= 0 {
		return nil, errors.New("--timeout must be positive")
	}
	return &c, nil
}

// poll waits for the operation, showing progress on stderr.
func (c *waitConfig) poll(ctx context.Context, stderr io.Writer) (*lro.Operation, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	// An absolute URL is polled as given; a Location is resolved
	// against --base-url.
	base := c.baseURL
	if strings.Contains(c.location, "://") {
		base = c.location
	}
	source, err := c.credentials(ctx, serverRoot(base))
	if err != nil {
		return nil, err
	}
	client := &http.Client{Transport: &bearer{source: source, next: http.DefaultTransport}}
	show := newProgress(stderr)
	defer show.stop()
	p, err := lro.NewFromLocation(client, base, c.location, &lro.Options{Progress: show.update, OnRetry: show.retry})
	if err != nil {
		return nil, err
	}
	return p.PollUntilDone(ctx)
}

// serverRoot is a Graph base URL without its version and what follows
// (http://127.0.0.1:8080/v1.0/teams → http://127.0.0.1:8080): where the
// token endpoint and the issuer live.
func serverRoot(base string) string {
	scheme, rest, ok := strings.Cut(base, "://")
	if !ok {
		return strings.TrimSuffix(base, "/")
	}
	segs := strings.Split(rest, "/")
	for i, s := range segs[1:] {
		if strings.EqualFold(s, "v1.0") || strings.EqualFold(s, "beta") {
			segs = segs[:i+1]
			break
		}
	}
	return scheme + "://" + strings.TrimSuffix(strings.Join(segs, "/"), "/")
}

func printJSON(w io.Writer, op *lro.Operation) error {
	b, err := json.Marshal(op)
	if err != nil {
		return &exitError{code: exitOther, err: err}
	}
	if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
		return &exitError{code: exitOther, err: err}
	}
	return nil
}

// isTerminal reports whether w is a terminal, where progress is redrawn
// on one line.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && termIsTerminal(int(f.Fd()))
}
