package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's layout. The Containerfile at the repository's root builds
// the same; containerfile_test.go holds the two together.
const (
	userID     = 65532 // the conventional "nonroot" id of minimal images
	userName   = "teamsops"
	binaryPath = "/usr/local/bin/teamsops"
	dataDir    = "/data"
	port       = "8080/tcp"
	caPath     = "/etc/ssl/certs/ca-certificates.crt" // where Go's crypto/x509 looks first on Linux
)

// imageEnv is the image's environment. serve reads TEAMSOPS_<FLAG> for
// every flag its command line leaves out, so "serve --demo" still listens
// on all interfaces with its database on the volume. The public URL is the
// one "-p 8080:8080" gives; it is what @odata.context and the token
// issuer say, so set it to the address clients use when that differs.
var imageEnv = []string{
	"PATH=/usr/local/bin:/usr/bin:/bin",
	"TEAMSOPS_ADDR=0.0.0.0:8080",
	"TEAMSOPS_DB=sqlite:" + dataDir + "/teamsops.db",
	"TEAMSOPS_PUBLIC_URL=http://localhost:8080",
}

// Label keys of the OCI image spec's annotations (annotations.md).
const (
	labelTitle       = "org.opencontainers.image.title"
	labelDescription = "org.opencontainers.image.description"
	labelSource      = "org.opencontainers.image.source"
	labelVersion     = "org.opencontainers.image.version"
	labelRevision    = "org.opencontainers.image.revision"
	labelCreated     = "org.opencontainers.image.created"
	labelLicenses    = "org.opencontainers.image.licenses"
)

const description = "Microsoft Graph's API for Teams async operations (teamsAsyncOperation), self-hosted"

// spec is everything an image is made of.
type spec struct {
	arch    string
	binary  []byte // a static linux/arch teamsops
	caCerts []byte // PEM
	created time.Time
	labels  map[string]string
}

// labels are the image's org.opencontainers.image.* labels; revision and
// licenses only when known.
func labels(modulePath, version, revision, licenses string, created time.Time) map[string]string {
	l := map[string]string{
		labelTitle:       "teamsops",
		labelDescription: description,
		labelSource:      "https://" + modulePath,
		labelVersion:     version,
		labelCreated:     created.Format(time.RFC3339),
	}
	if revision != "" {
		l[labelRevision] = revision
	}
	if licenses != "" {
		l[labelLicenses] = licenses
	}
	return l
}

// newImage lays the image out: a first layer with the user, the CA
// certificates and the volume's directory, which rarely changes, and a
// second with the binary.
func newImage(s spec) (v1.Image, error) {
	uid := userID
	system := []file{
		{name: "etc", dir: true, mode: 0o755},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd())},
		{name: "etc/group", mode: 0o644, data: []byte(group())},
		// Go's resolver reads /etc/hosts before DNS when told so, as
		// glibc's default does.
		{name: "etc/nsswitch.conf", mode: 0o644, data: []byte("hosts: files dns\n")},
		{name: "etc/ssl", dir: true, mode: 0o755},
		{name: "etc/ssl/certs", dir: true, mode: 0o755},
		{name: strings.TrimPrefix(caPath, "/"), mode: 0o644, data: s.caCerts},
		{name: strings.TrimPrefix(dataDir, "/"), dir: true, mode: 0o755, uid: uid},
		{name: "tmp", dir: true, mode: 0o1777},
	}
	program := []file{
		{name: "usr", dir: true, mode: 0o755},
		{name: "usr/local", dir: true, mode: 0o755},
		{name: "usr/local/bin", dir: true, mode: 0o755},
		{name: strings.TrimPrefix(binaryPath, "/"), mode: 0o755, data: s.binary},
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err := mutate.ConfigFile(img, s.configFile())
	if err != nil {
		return nil, err
	}
	var adds []mutate.Addendum
	for _, l := range []struct {
		files []file
		what  string
	}{{system, "user " + userName + ", CA certificates, " + dataDir}, {program, binaryPath}} {
		layer, err := newLayer(l.files, s.created)
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.Addendum{Layer: layer, MediaType: types.OCILayer,
			History: v1.History{Created: v1.Time{Time: s.created}, CreatedBy: "teamsops-image: " + l.what}})
	}
	return mutate.Append(img, adds...)
}

// configFile is the image's configuration, without its layers.
func (s spec) configFile() *v1.ConfigFile {
	id := fmt.Sprint(userID)
	return &v1.ConfigFile{
		Architecture: s.arch,
		OS:           "linux",
		Created:      v1.Time{Time: s.created},
		RootFS:       v1.RootFS{Type: "layers"},
		Config: v1.Config{
			User:         id + ":" + id,
			Env:          imageEnv,
			Entrypoint:   []string{binaryPath},
			Cmd:          []string{"serve"},
			WorkingDir:   dataDir,
			ExposedPorts: map[string]struct{}{port: {}},
			Volumes:      map[string]struct{}{dataDir: {}},
			Labels:       s.labels,
		},
	}
}

// passwd and group declare root and the user teamsops runs as, so that
// tools that map ids to names (ps, id, ls in a debug container) show them.
func passwd() string {
	return fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:%s:/sbin/nologin\n",
		userName, userID, userID, userName, dataDir)
}

func group() string {
	return fmt.Sprintf("root:x:0:\n%s:x:%d:\n", userName, userID)
}

// file is one entry of a layer; name has no leading slash.
type file struct {
	name string
	dir  bool
	mode int64
	uid  int // and gid
	data []byte
}

// newLayer writes files as a gzip-compressed tar layer. Entries are
// sorted and every time is mtime, so that the same files make the same
// layer, byte for byte.
func newLayer(files []file, mtime time.Time) (v1.Layer, error) {
	files = append([]file(nil), files...)
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, Uid: f.uid, Gid: f.uid, ModTime: mtime, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag, h.Name = tar.TypeDir, f.name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	compressed := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(compressed)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
