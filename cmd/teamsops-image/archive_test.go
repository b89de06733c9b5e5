package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/elf"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/distribution/reference"
)

// testSpec is an image of a stand-in binary, for tests that need no
// compiler.
func testSpec() spec {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return spec{arch: "amd64", binary: []byte("\x7fELF stand-in"), caCerts: []byte("certificates"), created: created,
		labels: labels("github.com/teamsops/teamsops", "v1.2.3", "0123abcd", "", created)}
}

func archiveBytes(t *testing.T, s spec) []byte {
	t.Helper()
	img, err := newImage(s)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeArchive(&buf, img, "teamsops:latest", "full/teamsops:latest", s.arch, s.created); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestArchiveReproducible: the same inputs make the same archive, byte
// for byte, its entries sorted with every parent first and all dated the
// creation time; another binary makes another archive.
func TestArchiveReproducible(t *testing.T) {
	s := testSpec()
	a := archiveBytes(t, s)
	if b := archiveBytes(t, s); !bytes.Equal(a, b) {
		t.Fatal("two archives of the same image differ")
	}
	other := s
	other.binary = []byte("\x7fELF another")
	if bytes.Equal(a, archiveBytes(t, other)) {
		t.Fatal("archives of different binaries are equal")
	}
	var names []string
	seen := map[string]bool{}
	tr := tar.NewReader(bytes.NewReader(a))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(s.created) {
			t.Errorf("%s dated %v, want %v", h.Name, h.ModTime, s.created)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if parent := filepath.Dir(name); parent != "." && !seen[parent] {
			t.Errorf("%s comes before its directory", h.Name)
		}
		seen[name] = true
		names = append(names, name)
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("entries not sorted: %s before %s", names[i-1], names[i])
		}
	}
	for _, want := range []string{"oci-layout", "index.json", "manifest.json"} {
		if !seen[want] {
			t.Errorf("the archive has no %s: %v", want, names)
		}
	}
}

func TestLabels(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := labels("github.com/teamsops/teamsops", "dev", "", "", created)
	if _, ok := l[labelRevision]; ok {
		t.Error("a revision label without a revision")
	}
	if _, ok := l[labelLicenses]; ok {
		t.Error("a licenses label without a license")
	}
	if l[labelCreated] != "2026-01-02T03:04:05Z" {
		t.Errorf("created %q", l[labelCreated])
	}
	l = labels("github.com/teamsops/teamsops", "v1", "abc", "MIT", created)
	if l[labelRevision] != "abc" || l[labelLicenses] != "MIT" || l[labelVersion] != "v1" {
		t.Errorf("labels %v", l)
	}
}

func TestParseTag(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"teamsops", "teamsops:latest"},
		{"teamsops:1.0", "teamsops:1.0"},
		{"localhost/teamsops", "localhost/teamsops:latest"},
		{"registry.example:5000/team/teamsops", "registry.example:5000/team/teamsops:latest"},
		{"registry.example:5000/team/teamsops:v2", "registry.example:5000/team/teamsops:v2"},
		{"", ""},
		{"Teamsops", ""},
		{"teamsops:a:b", ""},
		{"teamsops@sha256:" + strings.Repeat("a", 64), ""},
		{"teamsops:bad tag", ""},
	} {
		got, full, err := parseTag(tc.in)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("parseTag(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			continue
		}
		if err != nil {
			continue
		}
		// The full name is Docker's: normalizing it again changes
		// nothing, and its familiar form is the tag.
		named, err := reference.ParseNormalizedNamed(full)
		if err != nil || named.String() != full || reference.FamiliarString(named) != got {
			t.Errorf("parseTag(%q): full name %q (%v), not Docker's for %q", tc.in, full, err, got)
		}
		if full != got && !strings.HasSuffix(full, "/"+got) {
			t.Errorf("parseTag(%q): full name %q does not end in %q", tc.in, full, got)
		}
	}
}

// TestFlags: the command's own mistakes are said before anything is
// compiled.
func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "-o FILE is required"},
		{[]string{"-o", "x.tar", "extra"}, `unexpected argument "extra"`},
		{[]string{"-o", "x.tar", "--tag", "UPPER"}, `--tag "UPPER"`},
		{[]string{"--nope"}, "flag provided but not defined"},
	} {
		err := run(context.Background(), tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestCABundle(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, []byte("no certificates here\n"), 0o644)
	good := filepath.Join(dir, "ca.pem")
	os.WriteFile(good, selfSigned(t), 0o644)

	if _, _, err := caBundle(filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("a missing --ca-certs file was taken")
	}
	if _, _, err := caBundle(empty); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Errorf("a file without certificates: %v", err)
	}
	if pem, from, err := caBundle(good); err != nil || from != good || len(pem) == 0 {
		t.Errorf("a good bundle: %q, %v", from, err)
	}
	t.Setenv("SSL_CERT_FILE", good)
	if _, from, err := caBundle(""); err != nil || from != good {
		t.Errorf("SSL_CERT_FILE: %q, %v", from, err)
	}
	saved := systemCABundles
	defer func() { systemCABundles = saved }()
	systemCABundles = []string{filepath.Join(dir, "none-1"), filepath.Join(dir, "none-2")}
	os.Unsetenv("SSL_CERT_FILE")
	if _, _, err := caBundle(""); err == nil || !strings.Contains(err.Error(), "--ca-certs") {
		t.Errorf("no system bundle: %v, want advice to use --ca-certs", err)
	}
	systemCABundles = append(systemCABundles, good)
	if _, from, err := caBundle(""); err != nil || from != good {
		t.Errorf("the third system path: %q, %v", from, err)
	}
}

func selfSigned(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestDetectLicense(t *testing.T) {
	for _, tc := range []struct{ file, text, want string }{
		{"LICENSE", "MIT License\n\nPermission is hereby granted, free of charge, to any person", "MIT"},
		{"LICENSE", "                                 Apache License\r\n                           Version 2.0, January 2004\r\n", "Apache-2.0"},
		{"LICENSE.md", "Mozilla Public License Version 2.0\n==================================", "MPL-2.0"},
		{"COPYING", "All rights reserved.", ""},
		{"", "", ""},
	} {
		dir := t.TempDir()
		if tc.file != "" {
			os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.text), 0o644)
		}
		if got := detectLicense(dir); got != tc.want {
			t.Errorf("%s %.30q: %q, want %q", tc.file, tc.text, got, tc.want)
		}
	}
}

func TestCreatedTime(t *testing.T) {
	commit := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	if got, err := createdTime(revision{time: commit}); err != nil || !got.Equal(commit) {
		t.Errorf("from the commit: %v, %v", got, err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	if got, err := createdTime(revision{time: commit}); err != nil || got.Unix() != 1700000000 {
		t.Errorf("SOURCE_DATE_EPOCH: %v, %v", got, err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, err := createdTime(revision{}); err == nil {
		t.Error("SOURCE_DATE_EPOCH=yesterday was taken")
	}
}

// TestCheckStatic: a dynamically linked program, such as the system's
// shell on most Linux systems, is refused.
func TestCheckStatic(t *testing.T) {
	if err := checkStatic(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file passed")
	}
	f, err := elf.Open("/bin/sh")
	if err != nil {
		t.Skip("no ELF /bin/sh here")
	}
	dynamic := slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP })
	f.Close()
	if !dynamic {
		t.Skip("/bin/sh is static here")
	}
	if err := checkStatic("/bin/sh"); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Errorf("/bin/sh: %v, want it refused as dynamically linked", err)
	}
}
