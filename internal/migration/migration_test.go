package migration

import (
	"fmt"
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

// TestPending: every version not applied is pending, even below the
// highest applied (migrations of parallel branches landing out of order);
// an applied version the program does not know is an error.
func TestPending(t *testing.T) {
	ms := []Migration{{Version: 1}, {Version: 2}, {Version: 4}, {Version: 5}}
	tests := []struct {
		applied []int
		want    []int
		ok      bool
	}{
		{nil, []int{1, 2, 4, 5}, true},
		{[]int{1, 2}, []int{4, 5}, true},
		{[]int{1, 2, 5}, []int{4}, true},
		{[]int{5, 4, 2, 1}, nil, true},
		{[]int{1, 2, 3}, nil, false},
		{[]int{1, 2, 4, 5, 6}, nil, false},
	}
	for _, tt := range tests {
		got, err := Pending(ms, tt.applied)
		if (err == nil) != tt.ok {
			t.Errorf("Pending(%v): %v", tt.applied, err)
			continue
		}
		var versions []int
		for _, m := range got {
			versions = append(versions, m.Version)
		}
		if fmt.Sprint(versions) != fmt.Sprint(tt.want) {
			t.Errorf("Pending(%v) = %v, want %v", tt.applied, versions, tt.want)
		}
	}
}
