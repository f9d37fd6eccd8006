package nn

import (
	"fmt"
	"slices"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// benchNet is the small net of the performance goals: d-128-128-128-d
// SiLU (a DSM net takes log σ as one more input).
func benchNet(b *testing.B, d int, cond Conditioning) *Model {
	cfg := Config{Dim: d, Hidden: []int{128, 128, 128}, Act: kernel.SiLU, Cond: cond, ScaleBySigma: cond != CondNone}
	m, err := New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// trainBenchCases are the losses of the training benchmarks, with the
// conditioning of the net each trains.
var trainBenchCases = []struct {
	name string
	cond Conditioning
	loss Loss
}{
	{"dsm", CondLogSigma, NCDSM{Sigmas: []float64{0.01, 1}, Continuous: true}},
	{"ssm-vr", CondNone, SlicedSM{VR: true}},
	{"exact", CondNone, ExactSM{}},
}

// BenchmarkTrainStep times one training step (loss, gradient, Adam,
// repack) on one goroutine: DSM with σ log-uniform in [0.01, 1] and the
// net divided by σ, SSM-VR with one Gaussian projection, exact score
// matching. bench/peers/torch_suite.py times the last two in PyTorch, and
// DSM there at one σ = 0.1 on an unconditional net.
func BenchmarkTrainStep(b *testing.B) {
	for _, d := range []int{2, 16} {
		for _, c := range trainBenchCases {
			for _, bs := range []int{128, 1024} {
				for _, impl := range kernel.Available() {
					if impl == kernel.Generic && bs > 128 {
						continue // seconds per step: keep smoke runs short
					}
					b.Run(fmt.Sprintf("%v/%s/d=%d/batch=%d", impl, c.name, d, bs), func(b *testing.B) {
						m := benchNet(b, d, c.cond)
						m.SetImpl(impl)
						benchTrain(b, m, c.loss, bs, true)
					})
				}
			}
		}
	}
}

// benchTrain times training steps of m (loss, gradient, Adam, repack)
// on a fixed batch of bs points, reporting samples/s and, with cpu, the
// thread's CPU time per step.
func benchTrain(b *testing.B, m *Model, loss Loss, bs int, cpu bool) {
	d := m.Dim()
	x := randBatch(newRand(1, 1), bs, d)
	grad := make([]float32, m.NumParams())
	opt := NewAdam(m.NumParams(), 1e-3)
	opt.Workers = m.Workers() // as Trainer.Run does
	rng := newRand(2, 2)
	step := func() {
		clear(grad)
		loss.Grad(m, x, rng, grad)
		opt.Step(m.Params(), grad)
		m.Repack()
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		step()
	}
	if cpu {
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/step")
	}
	b.ReportMetric(float64(bs*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkTrainWorkers times BenchmarkTrainStep's steps with the
// active kernels on one and two goroutines (Model.SetWorkers), for
// benchstat to compare: the gradients are the same bits on both.
func BenchmarkTrainWorkers(b *testing.B) {
	for _, d := range []int{2, 16} {
		for _, c := range trainBenchCases {
			for _, bs := range []int{128, 1024} {
				for _, workers := range []int{1, 2} {
					b.Run(fmt.Sprintf("%s/d=%d/batch=%d/workers=%d", c.name, d, bs, workers), func(b *testing.B) {
						m := benchNet(b, d, c.cond)
						m.SetWorkers(workers)
						benchTrain(b, m, c.loss, bs, false)
					})
				}
			}
		}
	}
}

// BenchmarkScore times inference of the small net (batch 1 is the
// latency path).
func BenchmarkScore(b *testing.B) {
	for _, bs := range []int{1, 128, 1024} {
		for _, impl := range kernel.Available() {
			b.Run(fmt.Sprintf("%v/batch=%d", impl, bs), func(b *testing.B) {
				m := benchNet(b, 2, CondNone)
				m.SetImpl(impl)
				x := randBatch(newRand(1, 1), bs, 2)
				s := make([]float32, len(x))
				b.ReportAllocs()
				b.SetBytes(int64(4 * len(x)))
				cpu0 := cpuTime()
				for b.Loop() {
					m.Score(s, x)
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkSetInput times the writing of a chunk of input rows (x and
// log σ, d = 2: setInput's element-by-element path), as every Score
// call of a σ-conditional model does per chunk.
func BenchmarkSetInput(b *testing.B) {
	m := benchNet(b, 2, CondLogSigma)
	n := chunkRows(m.impl)
	x := randBatch(newRand(1, 1), n, 2)
	w := m.trainWork()
	w.prepare(m, n, 0)
	b.ReportAllocs()
	for b.Loop() {
		m.setInput(w, x, true, 0.5)
	}
}

// BenchmarkAdam times one Adam step over the small net's parameters.
func BenchmarkAdam(b *testing.B) {
	m := benchNet(b, 2, CondNone)
	g := make([]float32, m.NumParams())
	for i := range g {
		g[i] = 0.01 * float32(i%7)
	}
	opt := NewAdam(m.NumParams(), 1e-3)
	b.ReportAllocs()
	b.SetBytes(int64(4 * len(g)))
	for b.Loop() {
		opt.Step(m.Params(), g)
	}
}

// BenchmarkClipEMA times the optimiser's other passes over a flat
// parameter vector, the small net's and a million: the gradient norm
// alone (norm: ClipGradNorm below its limit), clipping (clip: a fresh
// copy of a gradient above the limit, then ClipGradNorm, so the copy is
// in the time) and one EMA update (ema).
func BenchmarkClipEMA(b *testing.B) {
	small := benchNet(b, 2, CondNone).NumParams()
	for _, n := range []int{small, 1 << 20} {
		g0 := make([]float32, n)
		rng := newRand(3, 3)
		for i := range g0 {
			g0[i] = float32(rng.NormFloat64())
		}
		g := slices.Clone(g0)
		size := fmt.Sprintf("n=%d", n)
		b.Run("norm/"+size, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				ClipGradNorm(g, 1e30)
			}
		})
		b.Run("clip/"+size, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				copy(g, g0)
				ClipGradNorm(g, 1)
			}
		})
		b.Run("ema/"+size, func(b *testing.B) {
			e := NewEMA(g0, 0.999)
			b.ReportAllocs()
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				e.Update(g)
			}
		})
	}
}
