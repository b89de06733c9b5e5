package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/x509"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/distribution/reference"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/teamsops/teamsops/demo"
)

// TestImage builds the archive as "go run ./cmd/teamsops-image -o FILE"
// does, reads it back both as an OCI layout and as "docker save" output,
// checks its configuration and files, and runs the binary it holds.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles teamsops")
	}
	out := filepath.Join(t.TempDir(), "teamsops.tar")
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-o", out, "--tag", "example/teamsops:test"}, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	t.Log(strings.TrimSpace(stderr.String()))

	img := readOCI(t, out, "example/teamsops:test")
	sameAsDocker(t, out, img, "example/teamsops:test")
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	checkConfig(t, cfg)
	files := readFiles(t, img)
	checkFiles(t, files)
	if runtime.GOOS != "linux" {
		t.Skip("the image's binary runs on Linux only")
	}
	bin := filepath.Join(t.TempDir(), "teamsops")
	if err := os.WriteFile(bin, files[strings.TrimPrefix(binaryPath, "/")].data, 0o755); err != nil {
		t.Fatal(err)
	}
	serveDemo(t, bin, cfg.Config.Env)
}

// readOCI reads the archive's OCI layout: one manifest, named tag.
func readOCI(t *testing.T, archive, tag string) v1.Image {
	t.Helper()
	dir := t.TempDir()
	untar(t, archive, dir)
	index, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 {
		t.Fatalf("index.json has %d manifests, want 1", len(m.Manifests))
	}
	d := m.Manifests[0]
	full := d.Annotations[annotationContainerdRef]
	named, err := reference.ParseNormalizedNamed(full)
	if d.Annotations[annotationRefName] != tag || err != nil || named.String() != full || reference.FamiliarString(named) != tag {
		t.Errorf("index annotations %v, want the name %s, for containerd in full", d.Annotations, tag)
	}
	if d.Platform == nil || d.Platform.OS != "linux" || d.Platform.Architecture != runtime.GOARCH {
		t.Errorf("index platform %v, want linux/%s", d.Platform, runtime.GOARCH)
	}
	img, err := index.Image(d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// sameAsDocker reads the archive's manifest.json, as docker load does,
// and checks that it names the OCI layout's config and layers.
func sameAsDocker(t *testing.T, archive string, img v1.Image, tag string) {
	t.Helper()
	var manifest []struct{ RepoTags []string }
	untarFile(t, archive, "manifest.json", &manifest)
	if len(manifest) != 1 || !slices.Equal(manifest[0].RepoTags, []string{tag}) {
		t.Errorf("manifest.json: %+v, want one image tagged %s", manifest, tag)
	}
	docker, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.ConfigName()
	if got, err := docker.ConfigName(); err != nil || got != want {
		t.Errorf("manifest.json's config is %v (%v), the OCI manifest's %v", got, err, want)
	}
	wantLayers, _ := img.Layers()
	gotLayers, err := docker.Layers()
	if err != nil || len(gotLayers) != len(wantLayers) {
		t.Fatalf("manifest.json has %d layers (%v), the OCI manifest %d", len(gotLayers), err, len(wantLayers))
	}
	for i := range gotLayers {
		got, _ := gotLayers[i].DiffID()
		want, _ := wantLayers[i].DiffID()
		if got != want {
			t.Errorf("layer %d: manifest.json's has diff id %v, the OCI manifest's %v", i, got, want)
		}
	}
}

func checkConfig(t *testing.T, cfg *v1.ConfigFile) {
	t.Helper()
	c := cfg.Config
	if cfg.OS != "linux" || cfg.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s, want linux/%s", cfg.OS, cfg.Architecture, runtime.GOARCH)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532 (not root)", c.User)
	}
	if !slices.Equal(c.Entrypoint, []string{"/usr/local/bin/teamsops"}) || !slices.Equal(c.Cmd, []string{"serve"}) {
		t.Errorf("entrypoint %q, cmd %q; want teamsops serve", c.Entrypoint, c.Cmd)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("exposed ports %v, want 8080/tcp", c.ExposedPorts)
	}
	if _, ok := c.Volumes["/data"]; !ok || len(c.Volumes) != 1 {
		t.Errorf("volumes %v, want /data", c.Volumes)
	}
	for _, e := range []string{"TEAMSOPS_ADDR=0.0.0.0:8080", "TEAMSOPS_DB=sqlite:/data/teamsops.db"} {
		if !slices.Contains(c.Env, e) {
			t.Errorf("env %q lacks %s", c.Env, e)
		}
	}
	for _, k := range []string{labelTitle, labelDescription, labelSource, labelVersion, labelCreated} {
		if c.Labels[k] == "" {
			t.Errorf("label %s missing: %v", k, c.Labels)
		}
	}
	if c.Labels[labelSource] != "https://github.com/teamsops/teamsops" {
		t.Errorf("source label %q", c.Labels[labelSource])
	}
	if created, err := time.Parse(time.RFC3339, c.Labels[labelCreated]); err != nil || !created.Equal(cfg.Created.Time) {
		t.Errorf("created label %q (%v), config created %v", c.Labels[labelCreated], err, cfg.Created)
	}
	if len(cfg.History) != len(cfg.RootFS.DiffIDs) || cfg.RootFS.Type != "layers" {
		t.Errorf("%d history entries for %d layers, rootfs type %q", len(cfg.History), len(cfg.RootFS.DiffIDs), cfg.RootFS.Type)
	}
}

// readFiles reads the image's file system, all layers applied.
func readFiles(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	files := map[string]file{}
	r := mutate.Extract(img)
	defer r.Close()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		files[name] = file{name: name, dir: h.Typeflag == tar.TypeDir, mode: h.Mode, uid: h.Uid, data: data}
		if h.Uid != h.Gid {
			t.Errorf("%s: uid %d, gid %d", name, h.Uid, h.Gid)
		}
	}
}

func checkFiles(t *testing.T, files map[string]file) {
	t.Helper()
	bin := files["usr/local/bin/teamsops"]
	if bin.mode&0o111 != 0o111 || bin.uid != 0 {
		t.Errorf("the binary has mode %o, owner %d; want executable by all, owned by root", bin.mode, bin.uid)
	}
	f, err := elf.NewFile(bytes.NewReader(bin.data))
	if err != nil {
		t.Fatalf("the binary: %v", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names a program interpreter: it is not static")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v (%v)", libs, err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(files["etc/ssl/certs/ca-certificates.crt"].data) {
		t.Error("etc/ssl/certs/ca-certificates.crt holds no certificate")
	}
	if !strings.Contains(string(files["etc/passwd"].data), "\nteamsops:x:65532:65532:") ||
		!strings.Contains(string(files["etc/group"].data), "\nteamsops:x:65532:") {
		t.Errorf("passwd %q, group %q: no teamsops user", files["etc/passwd"].data, files["etc/group"].data)
	}
	if d := files["data"]; !d.dir || d.uid != 65532 {
		t.Errorf("/data: dir %v, owner %d; want a directory owned by 65532", d.dir, d.uid)
	}
	if d := files["tmp"]; !d.dir || d.mode != 0o1777 {
		t.Errorf("/tmp: dir %v, mode %o; want 1777", d.dir, d.mode)
	}
}

// serveDemo runs bin as the image would, with its environment, but on a
// free loopback port and a temporary database, and asks the demo server
// for the seed's operation with a token from its token endpoint.
func serveDemo(t *testing.T, bin string, env []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo", "--addr", addr, "--db", "sqlite:"+filepath.Join(t.TempDir(), "teamsops.db"))
	cmd.Env = env
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	exited := make(chan struct{})
	go func() { exitErr = cmd.Wait(); close(exited) }()
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		<-exited
		if exitErr != nil && !t.Failed() {
			t.Errorf("teamsops exited with %v after SIGINT\n%s", exitErr, logs.String())
		}
	}()
	base := "http://" + addr
	waitReady(t, base, exited, &logs)

	res, err := http.PostForm(base+"/"+demo.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {demo.ConsoleApp},
		"client_secret": {demo.ConsoleSecret}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	var token struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&token)
	res.Body.Close()
	if err != nil || token.AccessToken == "" {
		t.Fatalf("token endpoint: status %d, %v", res.StatusCode, err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/beta/chats/"+demo.ChatID+"/operations/"+demo.ChatOperation, nil)
	req.Header.Set("Authorization", "Bearer "+token.AccessToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	// The public URL comes from the image's environment.
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"@odata.context":"http://localhost:8080/beta/$metadata#chats(`) ||
		!strings.Contains(string(body), `"id":"`+demo.ChatOperation+`"`) {
		t.Fatalf("seed operation: status %d: %s", res.StatusCode, body)
	}
}

// waitReady polls /readyz until it answers 200, failing if the process
// exits first.
func waitReady(t *testing.T, base string, exited <-chan struct{}, logs *bytes.Buffer) {
	t.Helper()
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("teamsops exited before it was ready\n%s", logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// untar extracts a tar of plain files and directories into dir.
func untar(t *testing.T, archive, dir string) {
	t.Helper()
	for h, content := range tarEntries(t, archive) {
		path := filepath.Join(dir, filepath.FromSlash(h.Name))
		var err error
		if h.Typeflag == tar.TypeDir {
			err = os.MkdirAll(path, 0o755)
		} else {
			var data []byte
			if data, err = io.ReadAll(content); err == nil {
				err = os.WriteFile(path, data, 0o644)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// untarFile decodes the JSON file name of a tar.
func untarFile(t *testing.T, archive, name string, v any) {
	t.Helper()
	for h, content := range tarEntries(t, archive) {
		if h.Name == name {
			if err := json.NewDecoder(content).Decode(v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return
		}
	}
	t.Fatalf("%s: not in %s", name, archive)
}

// tarEntries yields each entry of a tar with a reader of its content.
func tarEntries(t *testing.T, archive string) iter.Seq2[*tar.Header, io.Reader] {
	return func(yield func(*tar.Header, io.Reader) bool) {
		f, err := os.Open(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		tr := tar.NewReader(f)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !yield(h, tr) {
				return
			}
		}
	}
}
