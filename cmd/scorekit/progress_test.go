package main

import (
	"bytes"
	"testing"
	"time"
)

// TestProgressDisplay shows what each kind of progress prints, as lines
// and as a terminal's bar, on a clock the test sets: a count of units
// with its rate, and a share (sample -sampler ode's adaptive RK45, whose
// steps are not known ahead) with neither count nor rate.
func TestProgressDisplay(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		make  func(w *bytes.Buffer) *progress
		tty   bool
		done  int
		extra string
		want  string
	}{
		{"count", func(w *bytes.Buffer) *progress { return newProgress(w, false, "train", "steps", 200) }, false, 100, "loss 0.5",
			"train: 100/200 steps (50%), 50 steps/s, 2s left loss 0.5\n"},
		{"count, no extra", func(w *bytes.Buffer) *progress { return newProgress(w, false, "bench", "benchmarks", 4) }, false, 4, "",
			"bench: 4/4 benchmarks (100%), 2 benchmarks/s, 0s left\n"},
		{"share", func(w *bytes.Buffer) *progress { return newShareProgress(w, false, "ode", 1000) }, false, 250, "",
			"ode: 25%, 6s left\n"},
		{"count on a terminal", func(w *bytes.Buffer) *progress { return newProgress(w, false, "train", "steps", 200) }, true, 100, "loss 0.5",
			"\rtrain [###############               ]  50% 50 steps/s, 2s left loss 0.5\033[K"},
		{"share on a terminal", func(w *bytes.Buffer) *progress { return newShareProgress(w, false, "ode", 1000) }, true, 250, "",
			"\rode [#######                       ]  25%, 6s left\033[K"},
		// An integrator that ends a hair past its end: a full bar, no
		// negative time.
		{"share past the end", func(w *bytes.Buffer) *progress { return newShareProgress(w, false, "ode", 100) }, true, 101, "",
			"\rode [##############################] 100%, 0s left\033[K"},
		{"quiet", func(w *bytes.Buffer) *progress { return newShareProgress(w, true, "ode", 100) }, true, 50, "", ""},
	} {
		var w bytes.Buffer
		p := c.make(&w)
		p.tty = c.tty
		p.start = t0
		p.now = func() time.Time { return t0.Add(2 * time.Second) }
		p.update(c.done, c.extra)
		if got := w.String(); got != c.want {
			t.Errorf("%s: printed %q, want %q", c.name, got, c.want)
		}
		w.Reset()
		p.done()
		if want := map[bool]string{true: "\n"}[c.tty && c.want != ""]; w.String() != want {
			t.Errorf("%s: done printed %q, want %q", c.name, w.String(), want)
		}
	}
}

// TestProgressEvery: lines come at most every p.every, except the last
// (done == total), which always does.
func TestProgressEvery(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var w bytes.Buffer
	p := newProgress(&w, false, "train", "steps", 10)
	p.start = t0
	clock := t0
	p.now = func() time.Time { return clock }
	for i := 1; i <= 10; i++ {
		clock = t0.Add(time.Duration(i) * time.Second)
		p.update(i, "")
	}
	want := "train: 1/10 steps (10%), 1 steps/s, 9s left\n" +
		"train: 3/10 steps (30%), 1 steps/s, 7s left\n" +
		"train: 5/10 steps (50%), 1 steps/s, 5s left\n" +
		"train: 7/10 steps (70%), 1 steps/s, 3s left\n" +
		"train: 9/10 steps (90%), 1 steps/s, 1s left\n" +
		"train: 10/10 steps (100%), 1 steps/s, 0s left\n"
	if w.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", w.String(), want)
	}
}
