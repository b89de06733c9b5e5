package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations of the archive's index that name the image: the OCI image
// spec's own, which podman reads, and containerd's, which Docker reads
// when its images are kept by containerd.
const (
	annotationRefName       = "org.opencontainers.image.ref.name"
	annotationContainerdRef = "io.containerd.image.name"
)

// blob is one file of the archive.
type blob struct {
	name string
	size int64
	open func() (io.ReadCloser, error)
}

func bytesBlob(name string, b []byte) blob {
	return blob{name: name, size: int64(len(b)), open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}}
}

func blobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// writeArchive writes img as one tar that is both an OCI image layout
// (oci-layout, index.json, blobs/) and, over the same blobs, Docker's
// "docker save" format (manifest.json), as Docker itself writes since
// version 25: podman and containerd load the first, Docker's own image
// store the second. tag names the image in both; containerd takes
// fullName, the name in full. Entries are sorted and dated mtime.
func writeArchive(w io.Writer, img v1.Image, tag, fullName, arch string, mtime time.Time) error {
	manifest, err := img.RawManifest()
	if err != nil {
		return err
	}
	config, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	manifestDigest, err := img.Digest()
	if err != nil {
		return err
	}
	configDigest, err := img.ConfigName()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	blobs := []blob{bytesBlob(blobName(manifestDigest), manifest), bytesBlob(blobName(configDigest), config)}
	var layerNames []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		size, err := l.Size()
		if err != nil {
			return err
		}
		blobs = append(blobs, blob{name: blobName(d), size: size, open: l.Compressed})
		layerNames = append(layerNames, blobName(d))
	}

	index, err := json.Marshal(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType:   types.OCIManifestSchema1,
			Size:        int64(len(manifest)),
			Digest:      manifestDigest,
			Annotations: map[string]string{annotationRefName: tag, annotationContainerdRef: fullName},
			Platform:    &v1.Platform{OS: "linux", Architecture: arch},
		}},
	})
	if err != nil {
		return err
	}
	docker, err := json.Marshal([]struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{Config: blobName(configDigest), RepoTags: []string{tag}, Layers: layerNames}})
	if err != nil {
		return err
	}
	blobs = append(blobs,
		bytesBlob("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)),
		bytesBlob("index.json", index),
		bytesBlob("manifest.json", docker))
	return writeTar(w, blobs, mtime)
}

// writeTar writes blobs sorted by name, after the directories they are in.
func writeTar(w io.Writer, blobs []blob, mtime time.Time) error {
	sort.Slice(blobs, func(i, j int) bool { return blobs[i].name < blobs[j].name })
	tw := tar.NewWriter(w)
	dirs := map[string]bool{}
	for _, b := range blobs {
		if dir := filepath.ToSlash(filepath.Dir(b.name)); dir != "." {
			for _, d := range []string{filepath.ToSlash(filepath.Dir(dir)), dir} {
				if d == "." || dirs[d] {
					continue
				}
				dirs[d] = true
				h := &tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX}
				if err := tw.WriteHeader(h); err != nil {
					return err
				}
			}
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: b.name, Size: b.size, Mode: 0o644, ModTime: mtime, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		r, err := b.open()
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, r)
		r.Close()
		if err != nil {
			return err
		}
	}
	return tw.Close()
}

// writeFile writes the archive to path through a temporary file beside
// it, so that path is never left half written.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".teamsops-image-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
