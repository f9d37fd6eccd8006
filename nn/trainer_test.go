package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// rowCounter is a Loss that counts the batch rows it is given by their
// first coordinate (the row's index in the in-memory data) and adds no
// gradient.
type rowCounter struct{ counts []int }

func (r *rowCounter) Grad(m *Model, x []float32, _ *rand.Rand, _ []float32) float64 {
	d := m.Dim()
	for i := 0; i < len(x); i += d {
		r.counts[int(x[i])]++
	}
	return 0
}

// TestTrainerRows: a Trainer on in-memory Rows runs exactly Steps steps
// of Batch rows, and draws every row uniformly (with replacement). With
// 3 rows and 10·300 draws each row's count is Binomial(3000, 1/3): mean
// 1000, standard deviation 25.8, checked within 5 of them (130) at a fixed
// seed.
func TestTrainerRows(t *testing.T) {
	m, err := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh}, 1)
	if err != nil {
		t.Fatal(err)
	}
	const rows, batch, steps = 3, 300, 10
	data := make([]float32, 2*rows)
	for r := range rows {
		data[2*r] = float32(r)
	}
	loss := &rowCounter{counts: make([]int, rows)}
	var calls int
	tr := Trainer{Model: m, Loss: loss, Rows: data, Batch: batch, Steps: steps, Seed: 5, Callback: func(step int, _, _ float64) error {
		calls++
		if step != calls {
			t.Errorf("callback %d has step %d", calls, step)
		}
		return nil
	}}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls != steps || tr.Opt.Steps() != steps {
		t.Errorf("%d callbacks and %d optimiser steps, want %d", calls, tr.Opt.Steps(), steps)
	}
	const n = batch * steps
	sd := math.Sqrt(n * (1.0 / rows) * (1 - 1.0/rows))
	for r, c := range loss.counts {
		if math.Abs(float64(c)-n/rows) > 5*sd {
			t.Errorf("row %d drawn %d times in %d, want %d ± %.0f", r, c, n, n/rows, 5*sd)
		}
	}
}

// constLoss is a Loss that returns a fixed value and counts the points
// it is given.
type constLoss struct {
	v      float64
	points int
}

func (c *constLoss) Grad(m *Model, x []float32, _ *rand.Rand, _ []float32) float64 {
	c.points += len(x) / m.Dim()
	return c.v
}

// TestTrainerDefaults: Batch 0 means 128 points per step and a nil Opt
// means Adam at 1e-3.
func TestTrainerDefaults(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh}, 1)
	l := &constLoss{}
	tr := Trainer{Model: m, Loss: l, Rows: []float32{1, 2, 3, 4}, Steps: 3}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l.points != 3*128 {
		t.Errorf("%d points in 3 steps, want 3·128", l.points)
	}
	if tr.Opt == nil || tr.Opt.LR != 1e-3 || tr.Opt.Steps() != 3 {
		t.Errorf("default optimiser %+v", tr.Opt)
	}
}

// TestTrainerErrors: a Trainer without a loss, without data, or whose
// loss is infinite returns an error (naming the step), never panics.
func TestTrainerErrors(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh}, 1)
	rows := []float32{1, 2}
	cases := map[string]struct {
		tr   Trainer
		want string
	}{
		"no loss":      {Trainer{Model: m, Rows: rows, Steps: 1}, "Loss"},
		"no model":     {Trainer{Loss: &constLoss{}, Rows: rows, Steps: 1}, "Model"},
		"no data":      {Trainer{Model: m, Loss: &constLoss{}, Steps: 1}, "no Data"},
		"ragged rows":  {Trainer{Model: m, Loss: &constLoss{}, Rows: []float32{1, 2, 3}, Steps: 1}, "no Data"},
		"infinite":     {Trainer{Model: m, Loss: &constLoss{v: math.Inf(1)}, Rows: rows, Steps: 2}, "step 1"},
		"-infinite":    {Trainer{Model: m, Loss: &constLoss{v: math.Inf(-1)}, Rows: rows, Steps: 2}, "step 1"},
		"not a number": {Trainer{Model: m, Loss: &constLoss{v: math.NaN()}, Rows: rows, Steps: 2}, "step 1"},
	}
	for name, c := range cases {
		err := func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			return c.tr.Run(context.Background())
		}()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.HasPrefix(err.Error(), "panic") {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

// TestTrainerCancelledBefore: a run whose context is already done takes
// no step.
func TestTrainerCancelledBefore(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := &constLoss{}
	tr := Trainer{Model: m, Loss: l, Rows: []float32{1, 2}, Steps: 3}
	if err := tr.Run(ctx); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped before step 1 of 3") || l.points != 0 || tr.Opt.Steps() != 0 {
		t.Errorf("cancelled before the run: error %v after %d points and %d steps", err, l.points, tr.Opt.Steps())
	}
}
