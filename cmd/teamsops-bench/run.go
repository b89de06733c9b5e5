package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// bench is one run of the harness: what it started and what it measured.
type bench struct {
	cfg  *config
	bin  string // teamsops
	self string // this program, started again as the bare server
	dir  string // logs and SQLite files, removed at the end (logs kept on errors)
	out  io.Writer
	logs int // numbers the processes' log files
	// loadAvg is the machine's load when the run began.
	loadAvg string

	rows       []Row
	footprints []Footprint
	soaks      []SoakRun
	skipped    []string
}

func run(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "teamsops-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &bench{cfg: cfg, bin: cfg.bin, dir: dir, out: stderr, loadAvg: loadAvg()}
	if b.self, err = os.Executable(); err != nil {
		return err
	}
	if b.bin == "" {
		b.progress("building ./cmd/teamsops")
		if b.bin, err = buildTeamsops(ctx, dir, stderr); err != nil {
			return err
		}
	}
	started := time.Now()
	runErr := b.all(ctx)
	rep := b.report(started)
	fmt.Fprint(stdout, formatReport(rep))
	if rep.failed(runErr) {
		b.reportFailures(rep)
	}
	if cfg.jsonPath != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.jsonPath, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if n := rep.failedRows(); n > 0 {
		return fmt.Errorf("%d rows had errors (see the table's errors column and the notes)", n)
	}
	return nil
}

// all runs the bare server's scenarios, then every back end's.
func (b *bench) all(ctx context.Context) error {
	if b.cfg.has(scenarioGet) || b.cfg.has(scenarioOpen) || b.cfg.has(scenarioList) {
		if err := b.runBare(ctx); err != nil {
			return fmt.Errorf("bare server: %w", err)
		}
	}
	for _, backend := range b.cfg.backends {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if backend == backendPostgres && b.cfg.postgres == "" {
			b.skip("postgres: skipped: no --postgres DSN given")
			continue
		}
		if err := b.runBackend(ctx, backend); err != nil {
			var skip skipError
			if errors.As(err, &skip) {
				b.skip(backend + ": skipped: " + skip.Error())
				continue
			}
			return fmt.Errorf("%s: %w", backend, err)
		}
	}
	return nil
}

// skipError says a back end cannot be measured here (no server), which is
// reported rather than failing the run.
type skipError struct{ error }

func (b *bench) skip(line string) {
	b.skipped = append(b.skipped, line)
	b.progress(line)
}

// progress prints a line about what the harness is doing to stderr, so
// that the table on stdout stays clean.
func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.out, "teamsops-bench: "+format+"\n", args...)
}

// logPath names a new log file for a process.
func (b *bench) logPath(name string) string {
	b.logs++
	return filepath.Join(b.dir, fmt.Sprintf("%02d-%s.log", b.logs, name))
}

// settle is how long a freshly started server is left alone before its
// idle memory is read: long enough for start-up work to finish.
func (b *bench) settle() time.Duration {
	if b.cfg.smoke {
		return 200 * time.Millisecond
	}
	return time.Second
}
