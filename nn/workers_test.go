package nn

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// TestWorkersSame holds SetWorkers to its promise: every loss gives the
// same loss and gradient, to the bit, on one goroutine or several. The
// nets are wide enough and the batches long enough for the products to
// split into several blocks of rows (and exact score matching at d = 16
// reaches the training packs' chunked passes).
func TestWorkersSame(t *testing.T) {
	wide := Config{Dim: 3, Hidden: []int{70, 45}, Act: kernel.SiLU}
	sig := wide
	sig.Cond, sig.Fourier, sig.ScaleBySigma = CondLogSigma, 4, true
	tim := wide
	tim.Cond = CondTime
	en := wide
	en.Energy = true
	d16 := Config{Dim: 16, Hidden: []int{64, 64}, Act: kernel.Tanh}
	cases := []struct {
		name string
		cfg  Config
		loss Loss
		n    int
	}{
		{"exact", wide, ExactSM{}, 200},
		{"exact/d=16/packs", d16, ExactSM{}, 80},
		{"ssm-vr", wide, SlicedSM{VR: true, Projections: 2}, 300},
		{"ssm/packs", wide, SlicedSM{Projections: 4, Rademacher: true}, 300},
		{"dsm", wide, DSM{Sigma: 0.3}, 333},
		{"ncdsm", sig, NCDSM{Sigmas: []float64{1, 0.3, 0.1}}, 257},
		{"cdsm", tim, ContinuousDSM{SDE: vp{}}, 129},
		{"energy/dsm", en, DSM{Sigma: 0.5}, 150},
	}
	for _, impl := range kernel.Available() {
		for ci, c := range cases {
			t.Run(fmt.Sprintf("%v/%s", impl, c.name), func(t *testing.T) {
				if impl == kernel.Generic && testing.Short() {
					t.Skip("portable kernels: slow")
				}
				m, err := New(c.cfg, uint64(ci))
				if err != nil {
					t.Fatal(err)
				}
				m.SetImpl(impl)
				x := randBatch(newRand(3, uint64(ci)), c.n, c.cfg.Dim)
				var loss0 float64
				var grad0 []float32
				for _, workers := range []int{1, 2, 3} {
					m.SetWorkers(workers)
					if m.Workers() != workers {
						t.Fatalf("Workers() = %d after SetWorkers(%d)", m.Workers(), workers)
					}
					grad := make([]float32, m.NumParams())
					loss := c.loss.Grad(m, x, newRand(5, 0), grad)
					if workers == 1 {
						loss0, grad0 = loss, grad
						continue
					}
					if math.Float64bits(loss) != math.Float64bits(loss0) {
						t.Errorf("workers %d: loss %v, one worker %v", workers, loss, loss0)
					}
					for i := range grad {
						if math.Float32bits(grad[i]) != math.Float32bits(grad0[i]) {
							t.Fatalf("workers %d: grad[%d] = %v, one worker %v", workers, i, grad[i], grad0[i])
						}
					}
				}
			})
		}
	}
}

// TestTrainerWorkersSame trains the same model on one and on two
// goroutines: the parameters agree bit for bit after every run, and a
// clone keeps the setting.
func TestTrainerWorkersSame(t *testing.T) {
	cfg := Config{Dim: 2, Hidden: []int{64, 64}, Act: kernel.SiLU, Cond: CondLogSigma, ScaleBySigma: true}
	var params [][]float32
	for _, workers := range []int{1, 2} {
		m, err := New(cfg, 4)
		if err != nil {
			t.Fatal(err)
		}
		m.SetWorkers(workers)
		if c := m.Clone(); c.Workers() != workers {
			t.Errorf("Clone().Workers() = %d, want %d", c.Workers(), workers)
		}
		tr := Trainer{Model: m, Loss: NCDSM{Sigmas: []float64{1, 0.5, 0.1}}, Data: mixture{}, Batch: 200, Steps: 20, Seed: 9}
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		params = append(params, m.Params())
	}
	for i := range params[0] {
		if math.Float32bits(params[0][i]) != math.Float32bits(params[1][i]) {
			t.Fatalf("param %d: %v on two goroutines, %v on one", i, params[1][i], params[0][i])
		}
	}
	var m Model
	if m.Workers() != 1 {
		t.Errorf("zero Model: Workers() = %d, want 1", m.Workers())
	}
	m.SetWorkers(-3)
	if m.Workers() != 1 {
		t.Errorf("SetWorkers(-3): Workers() = %d, want 1", m.Workers())
	}
}
