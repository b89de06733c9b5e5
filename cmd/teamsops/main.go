// Command teamsops serves Microsoft Graph's API for Teams async operations
// (serve), mints access tokens for it (token), waits for an operation to
// end (wait), and receives its change notifications locally (listen).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `usage: teamsops <command> [flags]

commands:
  serve   run the Graph-compatible server
  token   print a signed access token
  apply   apply tenant files to a database
  wait    poll one operation until it ends and print it
  listen  receive change notifications locally and print them

Run "teamsops <command> -h" for a command's flags and what it does. Every
flag is also read from the environment as TEAMSOPS_<FLAG>, e.g.
TEAMSOPS_PUBLIC_URL; a flag on the command line wins.

Databases: --db is sqlite:PATH (default sqlite:teamsops.db, in the folder
the command runs in), sqlite::memory: or postgres://…. serve and apply
create a database that does not exist, and apply prints the one it wrote;
token and wait --db only use the database of a server, and a missing one is
an error naming the path; listen uses none.

Exit status: 0 done (and for -h), 2 any error; wait has its own: 0
succeeded, 1 failed, 2 timed out, 3 any other error ("teamsops wait -h").
"go run" exits 1 for every status but 0: scripts that need the status run
the built binary ("go build ./cmd/teamsops").
`

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitCode says err on stderr, unless the command did, and returns the
// exit status it calls for: 0 for none and for -h (as the flag package's
// own ExitOnError does), an exitError's own, else 2.
func exitCode(err error, stderr io.Writer) int {
	var exit *exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &exit):
		if !exit.said {
			fmt.Fprintln(stderr, "teamsops:", err)
		}
		return exit.code
	}
	fmt.Fprintln(stderr, "teamsops:", err)
	return 2
}

// exitError is an error that calls for its own exit status; any other
// error exits 2. "teamsops wait" gives each outcome its own (wait.go).
type exitError struct {
	code int
	err  error
	// said is set when the command wrote the error on stderr itself.
	said bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "token":
		return token(ctx, args[1:], stdout, stderr)
	case "apply":
		return apply(ctx, args[1:], stdout, stderr)
	case "wait":
		return wait(ctx, args[1:], stdout, stderr)
	case "listen":
		return listenCommand(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// newFlagSet returns the flags of one command: errors and -h go to
// stderr, -h prints usage and then the flags' defaults.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags reads the command line, then TEAMSOPS_<FLAG> for every flag
// of fs that the command line did not set: the command line wins, also
// for repeatable flags. It takes no other arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	rest, err := parseFlagsAndArgs(fs, args)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected argument %q", rest[0])
	}
	return err
}

// parseFlagsAndArgs is parseFlags for a command that takes arguments too:
// it returns them, and flags may come before or after them.
func parseFlagsAndArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "TEAMSOPS_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && !given[f.Name] && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return rest, err
}

// listFlag is a comma-separated list flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error { *l = splitList(v); return nil }

// multiFlag collects a flag given several times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// pathsFlag collects paths from a flag given several times, each a
// comma-separated list (as an environment variable gives them).
type pathsFlag []string

func (p *pathsFlag) String() string { return strings.Join(*p, ",") }

func (p *pathsFlag) Set(v string) error { *p = append(*p, splitList(v)...); return nil }

// splitList splits a comma-separated list, leaving out empty items.
func splitList(v string) []string {
	var items []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
		}
	}
	return items
}
