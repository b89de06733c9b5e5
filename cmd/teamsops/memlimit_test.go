package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"128MiB", 128 << 20, true},
		{"128mib", 128 << 20, true},
		{"200MB", 200e6, true},
		{"200m", 200e6, true},
		{"1.5GiB", 3 << 29, true},
		{"134217728", 134217728, true},
		{"0", 0, true},
		{"1k", 0, false}, // below a mebibyte
		{"-5MiB", 0, false},
		{"lots", 0, false},
		{"", 0, false},
		{"1e30", 0, false},
		{"NaN", 0, false},
		{"12XB", 0, false},
	} {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// fakeRoot lays out the files a control group's limit is read from.
func fakeRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestChooseMemoryLimit(t *testing.T) {
	noEnv := func(string) string { return "" }
	v2 := map[string]string{"proc/self/cgroup": "0::/app.slice/teamsops\n",
		"sys/fs/cgroup/app.slice/teamsops/memory.max": "536870912\n"}
	v2max := map[string]string{"proc/self/cgroup": "0::/\n", "sys/fs/cgroup/memory.max": "max\n"}
	v1 := map[string]string{"proc/self/cgroup": "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n",
		"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "1073741824\n"}
	v1unlimited := map[string]string{"proc/self/cgroup": "4:memory:/\n",
		"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}
	namespaced := map[string]string{"proc/self/cgroup": "0::/\n", "sys/fs/cgroup/memory.max": "268435456\n"}
	for _, tc := range []struct {
		name   string
		flag   string
		files  map[string]string
		bytes  int64
		source string
	}{
		{"no cgroup", "auto", nil, defaultMemoryLimit, "default"},
		{"cgroup v2", "auto", v2, 536870912 * 9 / 10, "cgroup"},
		{"cgroup v2 without a limit", "", v2max, defaultMemoryLimit, "default"},
		{"cgroup v1", "auto", v1, 1073741824 * 9 / 10, "cgroup"},
		{"cgroup v1 without a limit", "auto", v1unlimited, defaultMemoryLimit, "default"},
		{"inside a container's namespace", "auto", namespaced, 268435456 * 9 / 10, "cgroup"},
		{"flag over cgroup", "200MiB", v2, 200 << 20, "--memory-limit"},
		{"off", "off", v2, 0, "--memory-limit"},
		{"zero", "0", nil, 0, "--memory-limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chooseMemoryLimit(tc.flag, noEnv, fakeRoot(t, tc.files))
			if err != nil || got.bytes != tc.bytes || got.source != tc.source {
				t.Errorf("got %+v, %v; want %d from %s", got, err, tc.bytes, tc.source)
			}
		})
	}
	if _, err := chooseMemoryLimit("plenty", noEnv, t.TempDir()); err == nil {
		t.Error("--memory-limit plenty accepted")
	}
	// GOMEMLIMIT wins over the flag and the cgroup.
	env := func(k string) string { return map[string]string{"GOMEMLIMIT": "300MiB"}[k] }
	if got, err := chooseMemoryLimit("200MiB", env, fakeRoot(t, v2)); err != nil || got.source != "GOMEMLIMIT" {
		t.Errorf("with GOMEMLIMIT: %+v, %v", got, err)
	}
}

func TestCacheBudget(t *testing.T) {
	for _, tc := range []struct {
		flag  string
		limit int64
		want  int64
		ok    bool
	}{
		{"auto", 96 << 20, 6 << 20, true},
		{"auto", 0, 64 << 20, true},
		{"", 8 << 20, 1 << 20, true},
		{"16MiB", 96 << 20, 16 << 20, true},
		{"0", 96 << 20, 0, false},
		{"big", 96 << 20, 0, false},
	} {
		got, err := cacheBudget(tc.flag, memoryLimit{bytes: tc.limit})
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("cacheBudget(%q, %d) = %d, %v; want %d", tc.flag, tc.limit, got, err, tc.want)
		}
	}
}
