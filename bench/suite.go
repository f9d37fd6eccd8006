// Package bench is scorekit's standard benchmark set: the kernels, the
// dense layers and networks, the Langevin steps, the annealed run, the
// score-SDE samplers, the training steps and the random normals, for every
// implementation this machine can run, beside gonum's blas32 on the same
// shapes and the machine's FMA peak measured in the same run. `scorekit
// bench` prints it as a table; `go test -bench Suite ./bench` runs the same
// cases as benchmarks.
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// A Case is one benchmark: Run performs n operations.
type Case struct {
	Group string            // kernels, random, dense, networks, langevin, sde, training
	Name  string            // what one operation is
	Impl  string            // the implementation: generic, avx2, avx512, neon; gonum, math/rand/v2 PCG (peers); or active (through nn/sampler)
	Work  float64           // units of Unit per operation
	Unit  string            // FLOP, elem, sample, step
	Run   func(n int) error `json:"-"`
}

// Result is a measured Case.
type Result struct {
	Case
	N       int     // operations per timed repetition
	NsPerOp float64 // nanoseconds per operation
	PerSec  float64 // Work·ops per second
	PeakPct float64 // for FLOP work: percentage of Peak; 0 otherwise
	Peak    float64 // for FLOP work: the FMA peak in FLOP/s, timed between the case's repetitions (see Measure); 0 otherwise
}

// Peaks measures every available implementation's FMA peak in FLOP/s
// with the generated throughput loop, timed by [Measure] like every case
// (the best of Repetitions runs of about target/Repetitions each), so that
// a percentage of it compares like with like: the best of thousands of
// sub-millisecond runs would find windows no case of 0.2 s ever gets on
// a shared machine.
func Peaks(target time.Duration) map[string]float64 {
	out := map[string]float64{}
	for _, impl := range kernel.Available() {
		r, err := Measure(peakCase(impl), target, nil)
		if err != nil {
			panic(err) // the loop cannot fail
		}
		out[impl.String()] = r.PerSec
	}
	return out
}

// peakCase is impl's FMA-throughput loop as a Case: one operation is
// peakIters iterations (0.2 ms with AVX-512 here).
func peakCase(impl kernel.Impl) Case {
	const peakIters = 100000
	return Case{Name: "FMA peak", Impl: impl.String(), Work: impl.PeakFLOPs(1) * peakIters, Unit: "FLOP",
		Run: func(k int) error {
			for range k {
				impl.PeakFLOPs(peakIters)
			}
			return nil
		}}
}

// Repetitions is the number of timed repetitions Measure takes the best
// of, as the peers' script does (bench/peers/torch_suite.py: best of 5).
const Repetitions = 5

// Measure times c over about target: after a warm-up call it finds the
// count of operations that takes about target/Repetitions, as testing.B
// does, then times that count Repetitions times and keeps the fastest
// (the calibration's last run is the first); the fourth and fifth run
// only while the repetitions since the first, with the peak loop beside
// them (below), have taken less than 2·target, so an operation longer
// than target gets three.
// The machines are shared, and the mean of one long run would charge
// other tenants' time to the case.
//
// For FLOP work whose implementation has a peak in peaks (measured by
// Peaks at the start of the run), a repetition of the FMA-throughput loop
// of the same length runs beside each of the case's, alternating with
// them, and the percentage compares the best of the case's repetitions
// with the best of those: the clock of a shared machine's core moves with
// its neighbours' load (this one's AVX-512 peak measured 232 to 260
// GFLOP/s in runs minutes apart), and a peak timed minutes before the case
// would put that drift into the ratio.
func Measure(c Case, target time.Duration, peaks map[string]float64) (Result, error) {
	if err := c.Run(1); err != nil { // warm up: first-call allocations, caches
		return Result{}, fmt.Errorf("%s/%s: %w", c.Name, c.Impl, err)
	}
	rep := max(target/Repetitions, time.Millisecond)
	var beside Case // the FMA loop timed beside c, if c is FLOP work with a peak
	var peakRate float64
	if p := peakFor(c, peaks); p > 0 {
		impl, err := kernel.ParseImpl(peakOf(c.Impl))
		if err != nil {
			return Result{}, fmt.Errorf("%s/%s: %w", c.Name, c.Impl, err)
		}
		beside, peakRate = peakCase(impl), p
	}
	n := 1
	var best time.Duration
	for {
		t := time.Now()
		if err := c.Run(n); err != nil {
			return Result{}, fmt.Errorf("%s/%s: %w", c.Name, c.Impl, err)
		}
		el := time.Since(t)
		if el >= rep || n >= 1<<30 {
			best = el
			break
		}
		// Aim past one repetition's length, at most ×100 per round.
		next := int(float64(n) * 1.2 * float64(rep) / float64(max(el, time.Microsecond)))
		n = min(max(next, n+1), 100*n)
	}
	// The peak loop's repetitions last as long as the case's (calls
	// sized from the calibrated one) and alternate with them: case, peak,
	// case, peak…
	var bestPeak float64
	timePeak := func() {
		if peakRate == 0 {
			return
		}
		calls := max(1, int(best.Seconds()*peakRate/beside.Work))
		t := time.Now()
		beside.Run(calls) // the loop cannot fail
		bestPeak = max(bestPeak, beside.Work*float64(calls)/time.Since(t).Seconds())
	}
	// An operation longer than the target (a whole annealed run) gets at
	// least three repetitions, not five: the suite stays minutes long.
	start := time.Now()
	timePeak() // the calibration's last run was the first repetition
	for k := 1; k < Repetitions && (k < 3 || time.Since(start) < 2*target); k++ {
		t := time.Now()
		if err := c.Run(n); err != nil {
			return Result{}, fmt.Errorf("%s/%s: %w", c.Name, c.Impl, err)
		}
		best = min(best, time.Since(t))
		timePeak()
	}
	r := Result{Case: c, N: n, NsPerOp: float64(best.Nanoseconds()) / float64(n)}
	r.PerSec = c.Work * float64(n) / best.Seconds()
	if bestPeak > 0 {
		r.Peak = bestPeak
		r.PeakPct = 100 * r.PerSec / bestPeak
	}
	return r, nil
}

// peakFor returns the peak in peaks that c's throughput is a percentage
// of: for FLOP work, its implementation's (peakOf); 0 for other work or
// when peaks has none.
func peakFor(c Case, peaks map[string]float64) float64 {
	if c.Unit != "FLOP" {
		return 0
	}
	return peaks[peakOf(c.Impl)]
}

// peakOf names the peak a case is compared with: its own implementation,
// or the active one for cases that run through nn, sampler or gonum; none
// ("") for gonum when the active kernels are the portable ones, whose peak
// is a scalar Go loop's while gonum runs its own assembly.
func peakOf(impl string) string {
	if _, err := kernel.ParseImpl(impl); err == nil {
		return impl
	}
	if impl == "gonum" && kernel.Active() == kernel.Generic {
		return ""
	}
	return kernel.Active().String()
}

// Options choose the size of the set.
type Options struct {
	Quick bool // a reduced set that finishes in well under a minute (with assembly)
}

// portable reports whether the active kernels are the portable Go ones
// (purego, riscv64, GODEBUG=cpu.avx2=off, …), 30–300× slower than the
// assembly (BENCHMARKS.md, generic over avx512: dot 29×, SiLU 254×, a
// dense layer at M=1024, K=N=128 255×): the sampler and training cases,
// which run on the active kernels, then run at reduced sizes (their names
// give them), so that the set still finishes in minutes, not hours.
func portable() bool { return kernel.Active() == kernel.Generic }

// skipGeneric leaves the portable code out of the large products (above
// 10⁸ FLOP, or 10⁷ in the quick set), where one operation of it takes
// seconds, when there is assembly to measure instead.
func skipGeneric(o Options, impl kernel.Impl, flops float64) bool {
	limit := 1e8
	if o.Quick {
		limit = 1e7
	}
	return impl == kernel.Generic && flops > limit && len(kernel.Available()) > 1
}

// Suite returns the standard benchmark set.
func Suite(o Options) []Case {
	var cs []Case
	cs = append(cs, kernelCases()...)
	cs = append(cs, denseCases(o)...)
	cs = append(cs, netCases(o)...)
	cs = append(cs, langevinCases(o)...)
	cs = append(cs, trainingCases(o)...)
	// Group-major, in the order above, implementations in order within.
	rank := map[string]int{}
	for _, c := range cs {
		if _, ok := rank[c.Group]; !ok {
			rank[c.Group] = len(rank)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return rank[cs[i].Group] < rank[cs[j].Group] })
	return cs
}

func suiteRand(n int, scale float32, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64()) * scale
	}
	return x
}

func kernelCases() []Case {
	var cs []Case
	const n = 4096
	x, y := suiteRand(n, 1, 1), suiteRand(n, 1, 2)
	dst := make([]float32, n)
	big := make([]float32, 1<<20)
	grad := suiteRand(1<<20, 1, 3)
	for _, impl := range kernel.Available() {
		cs = append(cs,
			Case{"kernels", "dot n=4096", impl.String(), n, "elem", func(k int) error {
				for range k {
					impl.Dot(x, y)
				}
				return nil
			}},
			Case{"kernels", "axpy n=4096", impl.String(), n, "elem", func(k int) error {
				for range k {
					impl.Axpy(1e-9, x, y)
				}
				return nil
			}},
			Case{"kernels", "silu n=4096", impl.String(), n, "elem", func(k int) error {
				for range k {
					impl.Act(kernel.SiLU, dst, x)
				}
				return nil
			}},
			Case{"kernels", "tanh n=4096", impl.String(), n, "elem", func(k int) error {
				for range k {
					impl.Act(kernel.Tanh, dst, x)
				}
				return nil
			}},
		)
		st := kernel.NewStream(1, 0).Using(impl)
		cs = append(cs,
			Case{"random", "normals n=1M", impl.String(), 1 << 20, "elem", func(k int) error {
				for range k {
					st.Normals(big)
				}
				return nil
			}},
			Case{"random", "fused ULA step n=1M (noise drawn in-register)", impl.String(), 1 << 20, "elem", func(k int) error {
				for range k {
					st.LangevinStep(1e-6, 1e-3, big, grad)
				}
				return nil
			}},
		)
	}
	pcg := rand.New(rand.NewPCG(1, 2))
	cs = append(cs, Case{"random", "normals n=1M", "math/rand/v2 PCG", 1 << 20, "elem", func(k int) error {
		for range k {
			for i := range big {
				big[i] = float32(pcg.NormFloat64())
			}
		}
		return nil
	}})
	return cs
}

func suiteMatrix(r, c int, seed uint64) f32.Matrix {
	m := f32.NewMatrix(r, c)
	copy(m.Data, suiteRand(r*c, 0.1, seed))
	return m
}

// denseCases: the fused dense layer y = silu(x·Wᵀ + b) and gonum's Sgemm
// on the same shape.
func denseCases(o Options) []Case {
	type shape struct{ m, kn int }
	shapes := []shape{{1, 256}, {1024, 128}, {1024, 256}}
	if !o.Quick {
		shapes = []shape{{1, 64}, {1, 256}, {1, 512}, {16, 256}, {256, 256}, {1024, 64}, {1024, 128}, {1024, 256}, {1024, 512}, {4096, 256}}
	}
	var cs []Case
	for _, s := range shapes {
		x := suiteMatrix(s.m, s.kn, 4)
		w := suiteMatrix(s.kn, s.kn, 5)
		bias := suiteRand(s.kn, 0.1, 6)
		y := f32.NewMatrix(s.m, s.kn)
		flops := 2 * float64(s.m) * float64(s.kn) * float64(s.kn)
		name := fmt.Sprintf("dense+bias+silu M=%d K=N=%d", s.m, s.kn)
		for _, impl := range kernel.Available() {
			if skipGeneric(o, impl, flops) {
				continue
			}
			d := f32.NewDenseImpl(impl, w, bias, kernel.SiLU)
			cs = append(cs, Case{"dense", name, impl.String(), flops, "FLOP", func(k int) error {
				for range k {
					d.Forward(y, f32.Matrix{}, x)
				}
				return nil
			}})
		}
		gx := blas32.General{Rows: s.m, Cols: s.kn, Stride: s.kn, Data: x.Data}
		gw := blas32.General{Rows: s.kn, Cols: s.kn, Stride: s.kn, Data: w.Data}
		gy := blas32.General{Rows: s.m, Cols: s.kn, Stride: s.kn, Data: y.Data}
		vx := blas32.Vector{N: s.kn, Inc: 1, Data: x.Data}
		vy := blas32.Vector{N: s.kn, Inc: 1, Data: y.Data}
		m1 := s.m == 1
		cs = append(cs, Case{"dense", name, "gonum", flops, "FLOP", func(k int) error {
			// gonum has no fused epilogue: the product alone, Sgemv for
			// one row, Sgemm otherwise.
			for range k {
				if m1 {
					blas32.Gemv(blas.NoTrans, 1, gw, vx, 0, vy)
				} else {
					blas32.Gemm(blas.NoTrans, blas.Trans, 1, gx, gw, 0, gy)
				}
			}
			return nil
		}})
	}
	return cs
}

// suiteNet is a plain stack of dense layers on one implementation, for the
// network forward benchmarks.
type suiteNet struct {
	layers []*f32.Dense
	bufs   []f32.Matrix
}

func newSuiteNet(impl kernel.Impl, widths []int, batch int) *suiteNet {
	m := &suiteNet{}
	for l := 1; l < len(widths); l++ {
		act := kernel.SiLU
		if l == len(widths)-1 {
			act = kernel.Identity
		}
		m.layers = append(m.layers, f32.NewDenseImpl(impl, suiteMatrix(widths[l], widths[l-1], uint64(l)), suiteRand(widths[l], 0.1, uint64(l)), act))
		m.bufs = append(m.bufs, f32.NewMatrix(batch, widths[l]))
	}
	return m
}

func (m *suiteNet) forward(x f32.Matrix) {
	for l, d := range m.layers {
		d.Forward(m.bufs[l], f32.Matrix{}, x)
		x = m.bufs[l]
	}
}

func suiteNetFlops(widths []int) float64 {
	f := 0.0
	for l := 1; l < len(widths); l++ {
		f += 2 * float64(widths[l-1]*widths[l])
	}
	return f
}

// Small and Wide are the benchmark networks (SiLU).
var (
	Small = []int{2, 128, 128, 128, 2}
	Wide  = []int{64, 512, 512, 512, 64}
)

func netCases(o Options) []Case {
	batches := []int{1, 1024}
	if !o.Quick {
		batches = []int{1, 64, 1024, 8192}
	}
	var cs []Case
	for _, net := range []struct {
		name   string
		widths []int
	}{{"small net 2-128-128-128-2", Small}, {"wide net 64-512-512-512-64", Wide}} {
		for _, b := range batches {
			x := suiteMatrix(b, net.widths[0], 7)
			for _, impl := range kernel.Available() {
				if skipGeneric(o, impl, suiteNetFlops(net.widths)*float64(b)) {
					continue
				}
				m := newSuiteNet(impl, net.widths, b)
				cs = append(cs, Case{"networks", fmt.Sprintf("%s forward, batch %d", net.name, b), impl.String(),
					suiteNetFlops(net.widths) * float64(b), "FLOP", func(k int) error {
						for range k {
							m.forward(x)
						}
						return nil
					}})
			}
		}
	}
	return cs
}

// scoreNet returns the SiLU MLP d-w-w-w-d with conditioning cond; the
// small net is d = 2, w = 128 (its weights are random: speed does not
// depend on them).
func scoreNet(d, width int, cond nn.Conditioning) *nn.Model {
	m, err := nn.New(nn.Config{Dim: d, Hidden: []int{width, width, width}, Act: kernel.SiLU, Cond: cond}, 1)
	if err != nil {
		panic(err)
	}
	return m
}

// repeat returns a Case's Run that calls op k times, stopping at the first
// error: for the cases whose operation is a whole sampler call.
func repeat(op func() error) func(k int) error {
	return func(k int) error {
		for range k {
			if err := op(); err != nil {
				return err
			}
		}
		return nil
	}
}

// ulaStepCase is one ULA step of chains through the net 2-w-w-w-2 on
// workers goroutines: the suite's ULA cases (the small net, w = 128) and
// the scaling series (MeasureScaling).
func ulaStepCase(width, chains, workers int) Case {
	u, err := sampler.NewULA(scoreNet(2, width, nn.CondNone), sampler.ULAConfig{Step: 1e-4, Chain: sampler.ChainConfig{Seed: 1, Steps: 1, Workers: workers}})
	if err != nil {
		panic(err)
	}
	net := "small net"
	if width != 128 {
		net = fmt.Sprintf("net 2-%d-%d-%d-2", width, width, width)
	}
	goroutines := "1 goroutine"
	if workers != 1 {
		goroutines = fmt.Sprintf("%d goroutines", workers)
	}
	x := suiteRand(chains*2, 1, 8)
	ctx := context.Background()
	return Case{"langevin", fmt.Sprintf("ULA step, %s, %d chain(s), %s", net, chains, goroutines), "active", float64(chains), "sample", repeat(func() error {
		_, err := u.Run(ctx, x)
		return err
	})}
}

// annealedCase is an annealed Langevin run (levels × steps, geometric σ
// from 1 to 0.01) of 1024 chains through the σ-conditional net
// d-w-w-w-d, named netName, on workers goroutines.
func annealedCase(netName string, d, width, levels, steps, workers int, seed uint64) Case {
	const chains = 1024
	an, err := sampler.NewAnnealed(scoreNet(d, width, nn.CondLogSigma), sampler.AnnealedConfig{
		Sigmas: sampler.GeometricSigmas(1, 0.01, levels), StepsPerLevel: steps, Eps: 1e-6,
		Chain: sampler.ChainConfig{Seed: 1, Workers: workers},
	})
	if err != nil {
		panic(err)
	}
	x := suiteRand(chains*d, 1, seed)
	ctx := context.Background()
	return Case{"langevin", fmt.Sprintf("annealed run, %s, %d chains, %d×%d steps, %d goroutine(s)", netName, chains, levels, steps, workers),
		"active", chains, "sample", repeat(func() error {
			_, err := an.Run(ctx, x)
			return err
		})}
}

func langevinCases(o Options) []Case {
	cs := []Case{ulaStepCase(128, 1, 1), ulaStepCase(128, 1024, 1)}
	levels, steps := 10, 100
	if o.Quick {
		steps = 10
	}
	if portable() {
		levels, steps = 2, 5
	}
	for _, workers := range []int{1, 2} {
		cs = append(cs, annealedCase("small net", 2, 128, levels, steps, workers, 9))
	}
	if !o.Quick && !portable() {
		// The wide net's annealed run: 64-dimensional data, 64-512-512-512-64.
		cs = append(cs, annealedCase("wide net", 64, 512, levels, steps, 1, 12))
	}
	cs = append(cs, sdeCases(o)...)
	return cs
}

// sdeCases: the score-SDE samplers with a time-conditional small net,
// its output divided by the VP SDE's σ(t) as scorekit train's default
// (-scale-by-sigma) makes it (one multiply per output more), at batch
// 1024 — predictor–corrector (N = 1000, one corrector step; 100 with
// -quick) and the probability-flow ODE (Heun, 100 steps); N = 25 and 10
// Heun steps on the portable kernels.
func sdeCases(o Options) []Case {
	var cs []Case
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{128, 128, 128}, Act: kernel.SiLU, Cond: nn.CondTime, Fourier: 16, FourierScale: 4, ScaleBySigma: true}, 1)
	if err != nil {
		panic(err)
	}
	n, heun := 1000, 100
	if o.Quick {
		n = 100
	}
	if portable() {
		n, heun = 25, 10 // N > β_max = 20, as VP requires
	}
	sde := sampler.VP{BetaMin: 0.1, BetaMax: 20, N: n}
	m.SetPerturbation(sde)
	ctx := context.Background()
	const chains = 1024
	for _, workers := range []int{1, 2} {
		x := make([]float32, 2*chains)
		pc, err := sampler.NewPCSampler(sde, m, sampler.PCConfig{Seed: 1, Workers: workers})
		if err != nil {
			panic(err)
		}
		cs = append(cs, Case{"sde", fmt.Sprintf("PC sampler (reverse diffusion + Langevin corrector), VP, N=%d, small net, %d chains, %d goroutine(s)", n, chains, workers),
			"active", chains, "sample", repeat(func() error {
				_, err := pc.Sample(ctx, x)
				return err
			})})
		y := make([]float32, 2*chains)
		ode, err := sampler.NewODESampler(sde, m, sampler.ODEConfig{Method: sampler.ODEHeun, Steps: heun, Seed: 1, Workers: workers})
		if err != nil {
			panic(err)
		}
		cs = append(cs, Case{"sde", fmt.Sprintf("probability-flow ODE (Heun, %d steps), VP, small net, %d chains, %d goroutine(s)", heun, chains, workers),
			"active", chains, "sample", repeat(func() error {
				_, err := ode.Sample(ctx, y)
				return err
			})})
	}
	return cs
}

func trainingCases(o Options) []Case {
	var cs []Case
	type tc struct {
		name string
		d    int
		loss nn.Loss
		cond nn.Conditioning
	}
	list := []tc{
		{"DSM", 2, nn.DSM{Sigma: 0.1}, nn.CondNone},
		{"SSM-VR", 2, nn.SlicedSM{VR: true}, nn.CondNone},
		{"exact SM", 2, nn.ExactSM{}, nn.CondNone},
	}
	if !o.Quick && !portable() {
		list = append(list, tc{"exact SM", 16, nn.ExactSM{}, nn.CondNone})
	}
	for _, t := range list {
		for _, workers := range []int{1, 2} {
			if workers > runtime.GOMAXPROCS(0) {
				continue
			}
			m, err := nn.New(nn.Config{Dim: t.d, Hidden: []int{128, 128, 128}, Act: kernel.SiLU, Cond: t.cond}, 1)
			if err != nil {
				panic(err)
			}
			m.SetWorkers(workers)
			x := suiteRand(128*t.d, 1, 10)
			grad := make([]float32, m.NumParams())
			opt := nn.NewAdam(m.NumParams(), 1e-4)
			rng := rand.New(rand.NewPCG(1, 1))
			name := fmt.Sprintf("%s step (forward, backward, Adam), d=%d, batch 128", t.name, t.d)
			if workers > 1 {
				name += fmt.Sprintf(", %d goroutines", workers)
			}
			cs = append(cs, Case{"training", name, "active", 1, "step", func(k int) error {
				for range k {
					clear(grad)
					t.loss.Grad(m, x, rng, grad)
					opt.Step(m.Params(), grad)
					m.Repack()
				}
				return nil
			}})
		}
	}
	return cs
}
