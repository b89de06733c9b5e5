package main

import (
	"os"
	"path/filepath"
	"strings"
)

// keepLogs copies the processes' logs out of the run's directory, which
// is removed at the end, into one that stays: beside the --json file
// (its name with -logs for .json), or else a new one in the system's
// temporary directory. It returns that directory.
func (b *bench) keepLogs() (string, error) {
	logs, err := filepath.Glob(filepath.Join(b.dir, "*.log"))
	if err != nil || len(logs) == 0 {
		return "", err
	}
	var to string
	if b.cfg.jsonPath != "" {
		to = strings.TrimSuffix(b.cfg.jsonPath, ".json") + "-logs"
		err = os.MkdirAll(to, 0o755)
	} else {
		to, err = os.MkdirTemp("", "teamsops-bench-logs-")
	}
	if err != nil {
		return "", err
	}
	for _, log := range logs {
		data, err := os.ReadFile(log)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(log)), data, 0o644); err != nil {
			return "", err
		}
	}
	return to, nil
}

// failedRequestIDs lists the request-ids of the failed answers the report
// kept, each once.
func (r Report) failedRequestIDs() []string {
	var ids []string
	seen := map[string]bool{}
	add := func(list []string) {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	for _, row := range r.Rows {
		add(row.FailedRequestIDs)
	}
	for _, s := range r.Soaks {
		add(s.FailedRequestIDs)
	}
	return ids
}

// logLines returns the lines of the logs in dir that name id, each after
// its file's name.
func logLines(dir, id string) ([]string, error) {
	logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, log := range logs {
		data, err := os.ReadFile(log)
		if err != nil {
			return nil, err
		}
		for line := range strings.Lines(string(data)) {
			if strings.Contains(line, id) {
				lines = append(lines, filepath.Base(log)+": "+strings.TrimRight(line, "\n"))
			}
		}
	}
	return lines, nil
}

// reportFailures keeps the servers' logs of a run that saw errors and
// prints where, with what the logs say of each failed request.
func (b *bench) reportFailures(rep Report) {
	dir, err := b.keepLogs()
	if err != nil {
		b.progress("the run had errors, and its logs could not be kept: %v", err)
		return
	}
	if dir == "" {
		return
	}
	b.progress("the run had errors: the servers' logs are kept in %s", dir)
	for _, id := range rep.failedRequestIDs() {
		lines, err := logLines(dir, id)
		switch {
		case err != nil:
			b.progress("request-id %s: %v", id, err)
		case len(lines) == 0:
			b.progress("request-id %s: not in the logs", id)
		default:
			b.progress("request-id %s:\n%s", id, strings.Join(lines, "\n"))
		}
	}
}

// failed reports whether the run saw an error: a row's, a soak's, or
// one that ended it.
func (r Report) failed(runErr error) bool { return runErr != nil || r.failedRows() > 0 }
