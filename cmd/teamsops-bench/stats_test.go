package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	for _, c := range []struct {
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{ms(7), 0.99, 7 * time.Millisecond},
		{ms(3, 1, 2), 0.5, 2 * time.Millisecond},
		{ms(4, 3, 2, 1), 0.5, 2 * time.Millisecond}, // nearest rank: ceil(0.5·4) = 2nd
		{ms(4, 3, 2, 1), 0.99, 4 * time.Millisecond},
		{ms(4, 3, 2, 1), 0.01, 1 * time.Millisecond},
		{ms(5, 4, 3, 2, 1), 1, 5 * time.Millisecond},
	} {
		if got := percentile(c.in, c.q); got != c.want {
			t.Errorf("percentile(%v, %v) = %v, want %v", c.in, c.q, got, c.want)
		}
	}
}

func TestSampleMerge(t *testing.T) {
	var s sample
	s.merge(sample{latencies: []time.Duration{1, 2}, window: time.Second, dials: 1})
	b := sample{latencies: []time.Duration{3}, window: time.Second, dials: 1, late: 4}
	b.fail("status 500")
	b.fail("status 502")
	s.merge(b)
	c := sample{window: time.Second, dropped: 2}
	c.fail("reset")
	s.merge(c)
	if s.requests() != 3 || s.errors != 3 || s.firstErr != "status 500" || s.dials != 2 || s.late != 4 || s.dropped != 2 || s.window != time.Second {
		t.Errorf("merged %+v", s)
	}
	if s.perSecond() != 3 {
		t.Errorf("perSecond = %v, want 3", s.perSecond())
	}
	if (&sample{}).perSecond() != 0 {
		t.Error("an empty sample has a rate")
	}
}
