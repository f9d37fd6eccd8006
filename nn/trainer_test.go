package nn

import (
	"context"
	"math"
	"math/rand/v2"
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
