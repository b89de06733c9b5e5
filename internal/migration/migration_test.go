package migration

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("B")},
		"m/0001_init.sql": {Data: []byte("A")},
		"m/README.md":     {Data: []byte("not a migration")},
	}
	ms, err := Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].SQL != "A" || ms[1].Name != "0002_more.sql" {
		t.Errorf("got %+v", ms)
	}
}

func TestLoadRefuses(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"no version number": {"m/init.sql": {}},
		"a version twice":   {"m/0001_a.sql": {}, "m/0001_b.sql": {}},
		"nothing":           {},
	}
	for name, fsys := range tests {
		if _, err := Load(fsys, "m"); err == nil || !strings.Contains(err.Error(), "migration") {
			t.Errorf("%s: err %v", name, err)
		}
	}
}
