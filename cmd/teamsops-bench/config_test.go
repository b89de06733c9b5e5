package main

import (
	"io"
	"slices"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	c, err := parseConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.duration != 10*time.Second || !slices.Equal(c.conns, []int{1, 4, 32}) || c.has(scenarioScale) ||
		c.has(scenarioSoak) || c.soakDuration != 5*time.Minute || c.soakIdle != 2*time.Minute || c.soakConns != 16 ||
		!slices.Equal(c.backends, []string{"sqlite", "postgres"}) || c.smoke {
		t.Errorf("defaults %+v", c)
	}

	// --smoke shortens what the command line leaves alone and adds scale
	// and a few seconds of soak.
	c, err = parseConfig([]string{"--smoke", "--duration", "3s", "--conns", "2, 8"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.duration != 3*time.Second || c.opsDuration != time.Second || c.warmup != 200*time.Millisecond ||
		c.scaleOps != 3_000 || !c.has(scenarioScale) || !slices.Equal(c.conns, []int{2, 8}) ||
		!c.has(scenarioSoak) || c.soakDuration != 3*time.Second {
		t.Errorf("smoke %+v", c)
	}

	c, err = parseConfig([]string{"--scenarios", "get,list", "--scale", "--backends", "postgres"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.scenarios, []string{"get", "list", "scale"}) || !slices.Equal(c.backends, []string{"postgres"}) {
		t.Errorf("scenarios %v, backends %v", c.scenarios, c.backends)
	}
}

func TestParseConfigRejects(t *testing.T) {
	for _, args := range [][]string{
		{"--backends", "mysql"},
		{"--scenarios", "get,marathon"},
		{"--soak-duration", "0s"},
		{"--soak-every", "-1s"},
		{"--soak-conns", "0"},
		{"--conns", "1,x"},
		{"--conns", "0"},
		{"--duration", "0s"},
		{"--rate", "-1"},
		{"--replicas", "1"},
		{"--scale-ops", "10", "--scale-big", "10"},
		{"--open-conns", "0"},
		{"extra"},
	} {
		if _, err := parseConfig(args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	// --replicas 1 is fine when the replicas scenario does not run.
	if _, err := parseConfig([]string{"--replicas", "1", "--scenarios", "get"}, io.Discard); err != nil {
		t.Error(err)
	}
}
