package nn

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/scorekit/scorekit/internal/poolstat"
	"github.com/scorekit/scorekit/kernel"
)

// TestWorkersSame holds SetWorkers to its promise: every loss gives the
// same loss and gradient, to the bit, on one goroutine or several. The
// nets are wide enough and the batches long enough for the products to
// split into several blocks of rows (exact score matching at d = 16
// reaches the training packs' chunked passes, the unpacked cases the
// passes over whole matrices); on several goroutines
// each runs twice, the second time with every pass between the products
// split too, however small (parMin 1).
func TestWorkersSame(t *testing.T) {
	wide := Config{Dim: 3, Hidden: []int{70, 45}, Act: kernel.SiLU}
	sig := wide
	sig.Cond, sig.Fourier, sig.ScaleBySigma = CondLogSigma, 4, true
	tim := wide
	tim.Cond = CondTime
	en := wide
	en.Energy = true
	d16 := Config{Dim: 16, Hidden: []int{64, 64}, Act: kernel.Tanh}
	d16deep := Config{Dim: 16, Hidden: []int{40, 24, 40}, Act: kernel.SiLU}
	cases := []struct {
		name string
		cfg  Config
		loss Loss
		n    int
	}{
		{"exact", wide, ExactSM{}, 200},
		{"exact/d=16/packs", d16, ExactSM{}, 80},
		{"exact/d=16/deep", d16deep, ExactSM{}, 40}, // a chunked activation above another (redoTangents from ż)
		{"exact/unpacked", wide, ExactSM{}, 60},     // the tangent shortcuts' rows outside the training packs' chunks
		{"ssm/unpacked", wide, SlicedSM{Projections: 1}, 80},
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
				defer func(p int) { parMin = p }(parMin)
				for _, run := range []struct{ workers, parMin int }{{1, parMin}, {2, parMin}, {3, parMin}, {2, 1}, {3, 1}} {
					workers := run.workers
					parMin = run.parMin
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
						t.Errorf("workers %d, parMin %d: loss %v, one worker %v", workers, parMin, loss, loss0)
					}
					for i := range grad {
						if math.Float32bits(grad[i]) != math.Float32bits(grad0[i]) {
							t.Fatalf("workers %d, parMin %d: grad[%d] = %v, one worker %v", workers, parMin, i, grad[i], grad0[i])
						}
					}
				}
			})
		}
	}
}

// TestTrainerWorkersSame trains the same model on one and on two
// goroutines, on two with every pass split (parMin 1: the optimiser's
// update, its clipping, the average's update and the repacking too;
// TestOptimWorkersSame holds them at the default thresholds): the
// parameters and the averages agree bit for bit after every run, and a
// clone keeps the setting.
func TestTrainerWorkersSame(t *testing.T) {
	defer func(p int) { parMin = p }(parMin)
	cfg := Config{Dim: 2, Hidden: []int{64, 64}, Act: kernel.SiLU, Cond: CondLogSigma, ScaleBySigma: true}
	var params, avgs [][]float32
	for _, run := range []struct{ workers, parMin int }{{1, parMin}, {2, 1}} {
		workers := run.workers
		parMin = run.parMin
		m, err := New(cfg, 4)
		if err != nil {
			t.Fatal(err)
		}
		m.SetWorkers(workers)
		if c := m.Clone(); c.Workers() != workers {
			t.Errorf("Clone().Workers() = %d, want %d", c.Workers(), workers)
		}
		opt := NewAdam(m.NumParams(), 1e-3)
		opt.ClipNorm = 0.5
		ema := NewEMA(m.Params(), 0.99)
		tr := Trainer{Model: m, Loss: NCDSM{Sigmas: []float64{1, 0.5, 0.1}}, Opt: opt, EMA: ema, Data: mixture{}, Batch: 200, Steps: 20, Seed: 9}
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		params = append(params, m.Params())
		avgs = append(avgs, ema.Params())
	}
	for r := 1; r < len(params); r++ {
		for i := range params[0] {
			if math.Float32bits(params[0][i]) != math.Float32bits(params[r][i]) {
				t.Fatalf("run %d: param %d: %v on two goroutines, %v on one", r, i, params[r][i], params[0][i])
			}
		}
		if !equalBits(avgs[0], avgs[r]) {
			t.Errorf("run %d: the averages differ from one goroutine's", r)
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

// TestWorkersSplit checks that SetWorkers(2) really puts a training
// step's work on two goroutines, which the gradient cannot show (it is
// the same bits on one): a step, and a pass between the products on its
// own, has one of f32's helpers run a chunk (poolstat counts them) within
// 200 tries and 5 seconds (a helper whose thread waits for a CPU is
// called off), and in 200 tries on one goroutine none does.
func TestWorkersSplit(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS 1: no helpers")
	}
	m, err := New(Config{Dim: 2, Hidden: []int{128, 128}, Act: kernel.SiLU, Cond: CondLogSigma, ScaleBySigma: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := randBatch(newRand(1, 1), 1024, 2)
	grad := make([]float32, m.NumParams())
	loss := NCDSM{Sigmas: []float64{1, 0.1}}
	rng := newRand(2, 2)
	step := func() { loss.Grad(m, x, rng, grad) }
	// A pass alone: the bias gradient's column sums over the last
	// adjoints, 1024×128 (the step has just left them in place).
	w := m.train
	pass := func() {
		g := w.g[1]
		w.job = passJob{m: m, w: w, g: g, gb: grad[m.layers[0].boff : m.layers[0].boff+g.Cols]}
		w.splitCols(passBias, g.Cols, w.n*g.Cols)
	}
	for _, workers := range []int{2, 1} {
		m.SetWorkers(workers)
		step()
		w = m.train
		for _, c := range []struct {
			name string
			call func()
		}{{"step", step}, {"bias pass", pass}} {
			// With two workers, retry (a busy machine's helper may be
			// descheduled for a while); with one, no helper is ever
			// posted, which a few calls show (200 full steps took
			// minutes on the portable kernels under qemu-arm).
			tries := 200
			if workers == 1 {
				tries = 3
			}
			helped := false
			for i, t0 := 0, time.Now(); i < tries || workers > 1 && time.Since(t0) < 5*time.Second; i++ {
				before := poolstat.HelperChunks.Load()
				c.call()
				if poolstat.HelperChunks.Load() > before {
					helped = true
					break
				}
			}
			if helped != (workers > 1) {
				t.Errorf("%s, %d workers: a helper ran a chunk: %v", c.name, workers, helped)
			}
		}
	}
}

// TestWorkersNoAllocs: a training step on two goroutines (Adam with
// clipping, repacking and the average's update included) allocates
// nothing once warm, with the passes split (parMin 1) and not, on the
// unchunked passes and the training packs' (exact score matching at
// d = 16).
func TestWorkersNoAllocs(t *testing.T) {
	defer func(p int) { parMin = p }(parMin)
	for _, c := range []struct {
		cfg  Config
		loss Loss
	}{
		{Config{Dim: 2, Hidden: []int{64, 64}, Act: kernel.SiLU, Cond: CondLogSigma, ScaleBySigma: true}, NCDSM{Sigmas: []float64{1, 0.1}}},
		{Config{Dim: 2, Hidden: []int{64, 64}, Act: kernel.SiLU}, SlicedSM{VR: true}},
		{Config{Dim: 16, Hidden: []int{64, 64}, Act: kernel.Tanh}, ExactSM{}},
	} {
		m, err := New(c.cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		m.SetWorkers(2)
		batch := 300
		if kernel.Active() == kernel.Generic {
			batch = 64 // parMin 1 still splits every pass
		}
		x := randBatch(newRand(1, 1), batch, c.cfg.Dim)
		grad := make([]float32, m.NumParams())
		opt := NewAdam(m.NumParams(), 1e-3)
		opt.ClipNorm, opt.Workers = 0.5, 2
		ema := NewEMA(m.Params(), 0.99)
		ema.Workers = 2
		rng := newRand(1, 2)
		step := func() {
			clear(grad)
			c.loss.Grad(m, x, rng, grad)
			opt.Step(m.Params(), grad)
			m.Repack()
			ema.Update(m.Params())
		}
		// An allocation in every step shows at any count (AllocsPerRun
		// divides in integers); the portable kernels under qemu-arm took
		// 342 s over 20 steps of each case at batch 300.
		runs := 20
		if kernel.Active() == kernel.Generic {
			runs = 4
		}
		for _, p := range []int{1 << 15, 1} {
			parMin = p
			step()
			if a := testing.AllocsPerRun(runs, step); a != 0 {
				t.Errorf("%T, parMin %d: %v allocations per step", c.loss, p, a)
			}
		}
	}
}

// TestOptimWorkersSame: Adam's step (with clipping, whose norm sums
// blocks on the workers, some of them summed again in float64) and
// EMA's update give the same bits on one goroutine and on several, with
// every pass split (parMin 1) and not, for a length that is no multiple
// of a block or a unit.
func TestOptimWorkersSame(t *testing.T) {
	defer func(p int) { parMin = p }(parMin)
	const n = 5*optUnit + 3*clipBlock + 17
	type result struct {
		params, m, v, avg []float32
		norms             []float64
	}
	run := func(workers int) result {
		rng := newRand(6, 1)
		params := randBatch(rng, n, 1)
		opt := NewAdam(n, 1e-2)
		opt.ClipNorm, opt.WeightDecay, opt.Workers = 3, 0.01, workers
		ema := NewEMA(params, 0.9)
		ema.Workers = workers
		var norms []float64
		for step := range 3 {
			grad := randBatch(rng, n, 1)
			for i := range clipBlock { // a block whose float32 squares underflow
				grad[2*clipBlock+i] *= 1e-30
			}
			grad[n-1] *= float32(step + 1)
			norms = append(norms, opt.Step(params, grad))
			ema.Update(params)
		}
		m, v, _ := opt.State()
		return result{params, m, v, ema.Params(), norms}
	}
	want := run(1)
	for _, c := range []struct{ workers, parMin int }{{2, 1 << 15}, {2, 1}, {3, 1}} {
		parMin = c.parMin
		got := run(c.workers)
		for i := range want.norms {
			if math.Float64bits(got.norms[i]) != math.Float64bits(want.norms[i]) {
				t.Errorf("workers %d, parMin %d: norm %d = %v, one worker %v", c.workers, c.parMin, i, got.norms[i], want.norms[i])
			}
		}
		for name, p := range map[string][2][]float32{"params": {got.params, want.params}, "m": {got.m, want.m}, "v": {got.v, want.v}, "average": {got.avg, want.avg}} {
			if !equalBits(p[0], p[1]) {
				t.Errorf("workers %d, parMin %d: %s differ from one worker's", c.workers, c.parMin, name)
			}
		}
	}
}
