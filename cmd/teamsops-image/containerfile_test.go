package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// instruction is one instruction of a Containerfile, its continuation
// lines joined.
type instruction struct {
	name, args string
}

// readContainerfile reads the instructions of a Containerfile: comments
// and blank lines dropped, lines ending in a backslash joined.
func readContainerfile(t *testing.T, path string) []instruction {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur string
	for _, line := range strings.Split(string(text), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur == "") {
			continue
		}
		if more, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur += more + " "
			continue
		}
		cur += trimmed
		name, args, _ := strings.Cut(cur, " ")
		out = append(out, instruction{strings.ToUpper(name), strings.TrimSpace(args)})
		cur = ""
	}
	return out
}

// words splits KEY=VALUE pairs, a value double-quoted when it has spaces.
func words(t *testing.T, s string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		key, rest, ok := strings.Cut(s, "=")
		if !ok {
			t.Fatalf("%q is not KEY=VALUE", s)
		}
		var value string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			if end < 0 {
				t.Fatalf("unterminated quote in %q", rest)
			}
			value, s = rest[1:end+1], rest[end+2:]
		} else {
			value, s, _ = strings.Cut(rest, " ")
		}
		m[key] = value
	}
	return m
}

// TestContainerfile: the Containerfile's final stage configures the image
// as teamsops-image does — user, environment, entrypoint, port, volume,
// labels — and its build stage writes the same users and binary.
func TestContainerfile(t *testing.T) {
	all := readContainerfile(t, filepath.Join("..", "..", "Containerfile"))
	last := 0
	for i, in := range all {
		if in.name == "FROM" {
			last = i
		}
	}
	if all[last].args != "scratch" {
		t.Fatalf("the final stage is FROM %s, want scratch", all[last].args)
	}
	build := all[:last]
	final := all[last+1:]

	s := testSpec()
	want := s.configFile().Config
	got := map[string][]string{}
	env := map[string]string{}
	labelKeys := map[string]string{}
	for _, in := range final {
		switch in.name {
		case "ENV":
			for k, v := range words(t, in.args) {
				env[k] = v
			}
		case "LABEL":
			for k, v := range words(t, in.args) {
				labelKeys[k] = v
			}
		default:
			got[in.name] = append(got[in.name], in.args)
		}
	}
	var wantEnv []string
	for k, v := range env {
		wantEnv = append(wantEnv, k+"="+v)
	}
	if !sameSet(wantEnv, want.Env) {
		t.Errorf("ENV %q, teamsops-image's %q", wantEnv, want.Env)
	}
	if !slices.Equal(got["USER"], []string{want.User}) || !slices.Equal(got["WORKDIR"], []string{want.WorkingDir}) {
		t.Errorf("USER %q, WORKDIR %q; want %s, %s", got["USER"], got["WORKDIR"], want.User, want.WorkingDir)
	}
	if !slices.Equal(got["EXPOSE"], []string{port}) {
		t.Errorf("EXPOSE %q, want %s", got["EXPOSE"], port)
	}
	for _, c := range []struct {
		instruction string
		want        []string
	}{{"VOLUME", []string{dataDir}}, {"ENTRYPOINT", want.Entrypoint}, {"CMD", want.Cmd}} {
		var v []string
		if len(got[c.instruction]) != 1 || json.Unmarshal([]byte(got[c.instruction][0]), &v) != nil || !slices.Equal(v, c.want) {
			t.Errorf("%s %q, want %q", c.instruction, got[c.instruction], c.want)
		}
	}
	// Every label teamsops-image sets; version, revision and created come
	// from build arguments.
	full := labels("github.com/teamsops/teamsops", "v", "r", "", time.Now())
	for k, v := range full {
		switch k {
		case labelVersion, labelRevision, labelCreated:
			if !strings.HasPrefix(labelKeys[k], "${") {
				t.Errorf("LABEL %s=%q, want it from a build argument", k, labelKeys[k])
			}
		default:
			if labelKeys[k] != v {
				t.Errorf("LABEL %s=%q, teamsops-image's %q", k, labelKeys[k], v)
			}
		}
	}

	var run string
	for _, in := range build {
		run += in.args + "\n"
	}
	for _, want := range []string{
		strings.ReplaceAll(passwd(), "\n", `\n`),
		strings.ReplaceAll(group(), "\n", `\n`),
		"CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /rootfs" + binaryPath + " ./cmd/teamsops",
		"/rootfs" + caPath,
		"chmod 1777 /rootfs/tmp",
	} {
		if !strings.Contains(run, want) {
			t.Errorf("the build stage does not write %q", want)
		}
	}
	if !slices.Contains(got["COPY"], "--from=build --chown=65532:65532 /data "+dataDir) {
		t.Errorf("COPY %q: no %s owned by 65532", got["COPY"], dataDir)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
