// Command teamsops-image writes an OCI image archive of teamsops without a
// container engine: it cross-compiles a static teamsops for Linux and lays
// it out with CA certificates, a non-root user and a /data volume, using
// go-containerregistry. The archive holds both an OCI image layout
// (index.json) and Docker's manifest.json, so that "podman load" and
// "docker load" both take it (docs/container.md).
//
//	go run ./cmd/teamsops-image -o teamsops.tar
//	podman load -i teamsops.tar
//	podman run --rm -p 8080:8080 teamsops serve --demo
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/distribution/reference"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "teamsops-image:", err)
		}
		os.Exit(2)
	}
}

// options are what the command line asks for.
type options struct {
	out, arch         string
	tag, fullName     string // as people write it; in full, as Docker does
	caCerts           string
	version, licenses string
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("teamsops-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "o", "", "write the image archive to this file (required)")
	fs.StringVar(&o.tag, "tag", "teamsops:latest", "name the image takes when the archive is loaded")
	fs.StringVar(&o.arch, "arch", runtime.GOARCH, "GOARCH of the image: amd64, arm64, …")
	fs.StringVar(&o.caCerts, "ca-certs", "", "PEM bundle of CA certificates to put in the image (default: the build machine's system bundle)")
	fs.StringVar(&o.version, "version", "", "org.opencontainers.image.version (default: git describe, else \"dev\")")
	fs.StringVar(&o.licenses, "licenses", "", "org.opencontainers.image.licenses, an SPDX expression (default: read from the repository's LICENSE file, if any)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.out == "" {
		fs.Usage()
		return errors.New("-o FILE is required")
	}
	var err error
	if o.tag, o.fullName, err = parseTag(o.tag); err != nil {
		return err
	}
	return build(ctx, o, stderr)
}

// parseTag checks a --tag and gives it a tag when it has none, as
// "docker tag" does: "teamsops" is "teamsops:latest". It returns the name
// as people write it, and in full, as Docker completes a short name with
// the registry and namespace it assumes: containerd, which holds the
// images of recent Dockers, looks them up by the full name only.
func parseTag(s string) (tag, full string, err error) {
	named, err := reference.ParseNormalizedNamed(s)
	if _, digested := named.(reference.Digested); err != nil || digested {
		return "", "", fmt.Errorf("--tag %q: not an image name such as teamsops:latest or registry.example/teamsops:1.0", s)
	}
	tagged := reference.TagNameOnly(named)
	return reference.FamiliarString(tagged), tagged.String(), nil
}

// build compiles teamsops, lays the image out and writes the archive.
func build(ctx context.Context, o options, stderr io.Writer) error {
	m, err := mainModule(ctx)
	if err != nil {
		return err
	}
	ca, caFrom, err := caBundle(o.caCerts)
	if err != nil {
		return err
	}
	rev := gitRevision(ctx, m.dir)
	created, err := createdTime(rev)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "teamsops-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := compile(ctx, m, o.arch, tmp, stderr)
	if err != nil {
		return err
	}
	binary, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	version := o.version
	if version == "" {
		version = rev.describe
	}
	if version == "" {
		version = "dev"
	}
	licenses := o.licenses
	if licenses == "" {
		licenses = detectLicense(m.dir)
	}
	img, err := newImage(spec{arch: o.arch, binary: binary, caCerts: ca, created: created,
		labels: labels(m.path, version, rev.commit, licenses, created)})
	if err != nil {
		return err
	}
	if err := writeFile(o.out, func(w io.Writer) error { return writeArchive(w, img, o.tag, o.fullName, o.arch, created) }); err != nil {
		return err
	}
	return summary(stderr, o, img, caFrom)
}

// summary says what was written: the image's name, digest and sizes.
func summary(w io.Writer, o options, img v1.Image, caFrom string) error {
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	var compressed int64
	for _, l := range layers {
		size, err := l.Size()
		if err != nil {
			return err
		}
		compressed += size
	}
	st, err := os.Stat(o.out)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s: %s (linux/%s), %s\n  layers %.1f MB compressed, archive %.1f MB; CA certificates from %s\n",
		o.out, o.tag, o.arch, digest, float64(compressed)/1e6, float64(st.Size())/1e6, caFrom)
	return nil
}
