package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// DefaultJobRetention is --job-retention's default: River's completed
// jobs are of no use to teamsops once their operation's row says how it
// ended, and at a few hundred bytes each, a day of them under sustained
// load would be most of the database (docs/operating.md, "Retention").
const DefaultJobRetention = time.Hour

// memory sets the garbage collector's target and Go's soft memory limit,
// logs both and why, and returns the budget of each read cache.
func (c serveConfig) memory(logger *slog.Logger) (int64, error) {
	gogc := tuneGC()
	limit, err := chooseMemoryLimit(c.memoryLimit, os.Getenv, "/")
	if err != nil {
		return 0, err
	}
	cacheBytes, err := cacheBudget(c.cacheSize, limit)
	if err != nil {
		return 0, err
	}
	limit.apply()
	logger.Info("memory", "limit", limit.String(), "limit_from", limit.source, "gogc", gogc,
		"cache_bytes_each", cacheBytes)
	return cacheBytes, nil
}

// cacheBudget is --cache-size: a size, or auto — a sixteenth of the
// memory limit, so that both caches full take an eighth of it, or 64MiB
// without a limit.
func cacheBudget(flag string, limit memoryLimit) (int64, error) {
	if v := strings.TrimSpace(strings.ToLower(flag)); v != "" && v != "auto" {
		n, err := parseSize(v)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("--cache-size %q: want a size such as 8MiB, or auto", flag)
		}
		return n, nil
	}
	if limit.bytes <= 0 {
		return 64 << 20, nil
	}
	return max(limit.bytes/16, 1<<20), nil
}

// defaultMemoryLimit is Go's soft memory limit when neither GOMEMLIMIT,
// --memory-limit nor a container's limit says otherwise: with it, a
// five-minute mixed soak on SQLite peaks near 150 MB of RSS where it
// reached 615 MB without a limit, at the same throughput
// (docs/performance.md, "Memory"). What the heap does not hold —
// SQLite's page caches, goroutine stacks, the binary — lives beside it.
const defaultMemoryLimit = 96 << 20

// cgroupShare is the part of a container's memory limit given to Go's
// heap: the rest is headroom for what the limit does not govern (SQLite's
// memory, stacks, the binary), so the kernel's OOM killer is never
// reached first.
const cgroupShare = 0.9

// memoryLimit is the soft memory limit chosen at start, and why.
type memoryLimit struct {
	bytes  int64  // 0: no limit
	source string // GOMEMLIMIT, --memory-limit, cgroup, default
}

// chooseMemoryLimit decides Go's memory limit: an explicit GOMEMLIMIT
// wins (the runtime has applied it already), then --memory-limit (flag:
// "auto", "off" or "0", or a size), then 90% of the container's cgroup
// limit under root (normally "/"), then defaultMemoryLimit.
func chooseMemoryLimit(flag string, getenv func(string) string, root string) (memoryLimit, error) {
	if env := getenv("GOMEMLIMIT"); env != "" {
		n := debug.SetMemoryLimit(-1)
		if n == math.MaxInt64 {
			n = 0
		}
		return memoryLimit{n, "GOMEMLIMIT"}, nil
	}
	switch v := strings.TrimSpace(strings.ToLower(flag)); v {
	case "", "auto":
	case "off", "0":
		return memoryLimit{0, "--memory-limit"}, nil
	default:
		n, err := parseSize(v)
		if err != nil {
			return memoryLimit{}, fmt.Errorf("--memory-limit %q: %w", flag, err)
		}
		return memoryLimit{n, "--memory-limit"}, nil
	}
	if n, ok := cgroupLimit(root); ok {
		return memoryLimit{int64(float64(n) * cgroupShare), "cgroup"}, nil
	}
	return memoryLimit{defaultMemoryLimit, "default"}, nil
}

// apply sets the limit on the runtime; with none, the runtime has none.
func (m memoryLimit) apply() {
	if m.source == "GOMEMLIMIT" {
		return
	}
	if m.bytes > 0 {
		debug.SetMemoryLimit(m.bytes)
	} else {
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// String says the limit for the start-up log.
func (m memoryLimit) String() string {
	if m.bytes <= 0 {
		return "off"
	}
	return fmt.Sprintf("%.0fMiB", float64(m.bytes)/(1<<20))
}

// parseSize reads a size: a number of bytes, or one with a unit — k, m, g
// (powers of 1000, with or without a trailing b) or KiB, MiB, GiB.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	units := []struct {
		suffix string
		mult   float64
	}{
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
		{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1},
	}
	mult := 1.0
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(num), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errors.New("want a size such as 128MiB, 200MB or 134217728, or off")
	}
	n := f * mult
	if n >= math.MaxInt64 {
		return 0, errors.New("too large")
	}
	if n < 1<<20 && n != 0 {
		return 0, errors.New("at least 1MiB, or off")
	}
	return int64(n), nil
}

// cgroupLimit reads the memory limit of the process's control group under
// root: cgroup v2's memory.max, else v1's memory.limit_in_bytes. ok is
// false when there is none (no cgroup, "max", or v1's "unlimited", a
// number near the largest).
func cgroupLimit(root string) (int64, bool) {
	var candidates []string
	if b, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup")); err == nil {
		for line := range strings.Lines(string(b)) {
			// v2: "0::/path"; v1: "N:memory:/path" (or with other controllers).
			parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
			if len(parts) != 3 {
				continue
			}
			path := filepath.Clean("/" + parts[2])
			if parts[0] == "0" && parts[1] == "" {
				candidates = append(candidates, filepath.Join(root, "sys/fs/cgroup", path, "memory.max"))
			} else if hasController(parts[1], "memory") {
				candidates = append(candidates, filepath.Join(root, "sys/fs/cgroup/memory", path, "memory.limit_in_bytes"))
			}
		}
	}
	// Inside a container's namespace the process's group is the root.
	candidates = append(candidates, filepath.Join(root, "sys/fs/cgroup/memory.max"),
		filepath.Join(root, "sys/fs/cgroup/memory/memory.limit_in_bytes"))
	for _, file := range candidates {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		v := strings.TrimSpace(string(b))
		if v == "max" {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || n >= 1<<60 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

func hasController(list, name string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}
