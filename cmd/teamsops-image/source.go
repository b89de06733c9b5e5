package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// module is the Go module teamsops-image builds from.
type module struct {
	path, dir string
}

// goCommand is the go command: the one on PATH, else the one of the Go
// that built this program.
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// mainModule finds the module of the current directory, which must be
// teamsops' (the command is run as "go run ./cmd/teamsops-image").
func mainModule(ctx context.Context) (module, error) {
	out, err := output(ctx, "", goCommand(), "list", "-m", "-f", "{{.Path}}\t{{.Dir}}")
	if err != nil {
		return module{}, fmt.Errorf("finding the teamsops module (run this inside its repository): %w", err)
	}
	path, dir, _ := strings.Cut(strings.TrimSpace(out), "\t")
	if _, err := os.Stat(filepath.Join(dir, "cmd", "teamsops")); err != nil {
		return module{}, fmt.Errorf("module %s has no cmd/teamsops: run this inside teamsops' repository", path)
	}
	return module{path: path, dir: dir}, nil
}

// compile cross-compiles a static teamsops for linux/arch into dir and
// returns its path. CGO_ENABLED=0 makes it static: its SQLite driver,
// modernc.org/sqlite, is Go, not C. Stripping the symbol table and
// DWARF (-s -w) takes a third off; stack traces keep their names.
func compile(ctx context.Context, m module, arch, dir string, stderr io.Writer) (string, error) {
	bin := filepath.Join(dir, "teamsops")
	cmd := exec.CommandContext(ctx, goCommand(), "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/teamsops")
	cmd.Dir = m.dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/teamsops for linux/%s: %w", arch, err)
	}
	return bin, checkStatic(bin)
}

// checkStatic fails unless the ELF file at path is statically linked: no
// program interpreter (the dynamic loader) and no shared libraries. The
// image has neither a loader nor a libc.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked (it names a program interpreter)", path)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		return fmt.Errorf("%s needs shared libraries %v (%v)", path, libs, err)
	}
	return nil
}

// systemCABundles are where Linux distributions, and macOS, keep the
// system's CA certificates as one PEM file (the list crypto/x509 reads).
var systemCABundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Alpine, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL, CentOS
	"/etc/ssl/cert.pem",                                 // macOS, Alpine
}

// caBundle reads the CA certificates to put in the image: path, else
// $SSL_CERT_FILE, else the first system bundle found. It fails unless
// the file holds at least one PEM certificate.
func caBundle(path string) ([]byte, string, error) {
	candidates := systemCABundles
	if path != "" {
		candidates = []string{path}
	} else if env := os.Getenv("SSL_CERT_FILE"); env != "" {
		candidates = []string{env}
	}
	for _, c := range candidates {
		pem, err := os.ReadFile(c)
		if errors.Is(err, os.ErrNotExist) && path == "" {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("CA certificates: %w", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return nil, "", fmt.Errorf("CA certificates: %s holds no PEM certificate", c)
		}
		return pem, c, nil
	}
	return nil, "", fmt.Errorf("CA certificates: none of %s exists on this machine; "+
		"install its CA bundle (Debian: apt-get install ca-certificates) or name a PEM file with --ca-certs",
		strings.Join(candidates, ", "))
}

// revision is what git says of the source: nothing when it is not a git
// checkout or git is absent.
type revision struct {
	commit, describe string
	time             time.Time
}

func gitRevision(ctx context.Context, dir string) revision {
	var r revision
	out, err := output(ctx, dir, "git", "log", "-1", "--format=%H %ct")
	if err != nil {
		return r
	}
	commit, unix, _ := strings.Cut(strings.TrimSpace(out), " ")
	if sec, err := strconv.ParseInt(unix, 10, 64); err == nil {
		r.commit, r.time = commit, time.Unix(sec, 0).UTC()
	}
	if out, err := output(ctx, dir, "git", "describe", "--tags", "--always", "--dirty"); err == nil {
		r.describe = strings.TrimSpace(out)
	}
	return r
}

// createdTime is the image's creation time: $SOURCE_DATE_EPOCH when set
// (the reproducible-builds convention), else the commit's time, so that
// the same commit gives the same image; else now.
func createdTime(r revision) (time.Time, error) {
	if s, ok := os.LookupEnv("SOURCE_DATE_EPOCH"); ok {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a number of seconds", s)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	if !r.time.IsZero() {
		return r.time, nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}

// licenseTexts recognise a LICENSE file's SPDX identifier by a phrase
// of the license's own text.
var licenseTexts = []struct{ spdx, phrase string }{
	{"Apache-2.0", "Apache License\n"},
	{"MPL-2.0", "Mozilla Public License Version 2.0"},
	{"MIT", "Permission is hereby granted, free of charge"},
	{"BSD-3-Clause", "Neither the name of"},
	{"BSD-2-Clause", "Redistribution and use in source and binary forms"},
	{"ISC", "Permission to use, copy, modify, and/or distribute this software"},
}

// detectLicense names the license the repository at dir declares in a
// LICENSE, LICENSE.md or COPYING file, or "" when it declares none or one
// not recognised.
func detectLicense(dir string) string {
	for _, f := range []string{"LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING"} {
		text, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
		for _, l := range licenseTexts {
			if bytes.Contains(text, []byte(l.phrase)) {
				return l.spdx
			}
		}
		return ""
	}
	return ""
}

// output runs a command in dir and returns what it printed.
func output(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}
