package f32

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/scorekit/scorekit/kernel"
)

// BenchmarkGemm times C = A·op(B) and the backpropagation products per
// implementation, in GFLOP/s and as a percentage of the implementation's
// FMA peak measured in the same run.
//
//	go test ./f32 -run XXX -bench Gemm -count 5 | benchstat -
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, impl := range kernel.Available() {
		if skipGeneric(impl) {
			continue
		}
		pk := peakOf(impl)
		for _, s := range []struct {
			name           string
			tA, tB         bool
			m, n, k        int
			ar, ac, br, bc int
		}{
			{"XWt", false, true, 1024, 256, 256, 1024, 256, 256, 256},
			{"dYtX", true, false, 256, 256, 1024, 1024, 256, 1024, 256},
			{"dYW", false, false, 1024, 256, 256, 1024, 256, 256, 256},
			// The small net's (128-wide hidden layers) training products
			// on one goroutine: a chunk's weight gradient, the output
			// layer's (d = 16) and its adjoint.
			{"dYtX", true, false, 128, 128, 240, 240, 128, 240, 128},
			{"dYtX", true, false, 16, 128, 128, 128, 16, 128, 128},
			{"dYW", false, false, 128, 128, 16, 128, 16, 16, 128},
		} {
			a := randMatrix(rng, s.ar, s.ac, 0)
			bm := randMatrix(rng, s.br, s.bc, 0)
			c := NewMatrix(s.m, s.n)
			b.Run(fmt.Sprintf("%v/%s/%d×%d×%d", impl, s.name, s.m, s.n, s.k), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					GemmWith(impl, 1, s.tA, s.tB, 1, a, bm, 0, c)
				}
				f := 2 * float64(s.m*s.n*s.k) * float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(f/1e9, "GFLOP/s")
				b.ReportMetric(100*f/pk, "%peak")
			})
		}
	}
}

// BenchmarkDenseForward is the fused dense layer (bias + SiLU) per
// implementation at batch 1 (matvec) and 1024 (GEMM).
func BenchmarkDenseForward(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, impl := range kernel.Available() {
		if skipGeneric(impl) {
			continue
		}
		pk := peakOf(impl)
		for _, kn := range []int{128, 256} {
			d := NewDenseImpl(impl, randMatrix(rng, kn, kn, 0), make([]float32, kn), kernel.SiLU)
			for _, m := range []int{1, 1024} {
				x := randMatrix(rng, m, kn, 0)
				y := NewMatrix(m, kn)
				b.Run(fmt.Sprintf("%v/M=%d/K=N=%d", impl, m, kn), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						d.Forward(y, Matrix{}, x)
					}
					f := 2 * float64(m*kn*kn) * float64(b.N) / b.Elapsed().Seconds()
					b.ReportMetric(f/1e9, "GFLOP/s")
					b.ReportMetric(100*f/pk, "%peak")
				})
			}
		}
	}
}

// BenchmarkDenseActivations is Forward of a 1024×128×128 layer with bias
// under each activation whose epilogue cost BENCHMARKS.md compares, the
// identity giving the GEMM alone. Weights N(0, 1/128) make
// pre-activations of order 1; "gelu/wide" has weights N(0, 1), whose
// pre-activations (standard deviation about 11) put GELU's exponential
// below the normal range in nearly every vector: on Intel cores each
// such vector takes a microcode assist (kernel.Impl.Act's doc).
//
//	go test ./f32 -run XXX -bench DenseActivations -count 5 | benchstat -
func BenchmarkDenseActivations(b *testing.B) {
	const m, kn = 1024, 128
	for _, impl := range kernel.Available() {
		if skipGeneric(impl) {
			continue
		}
		for _, c := range []struct {
			name  string
			act   kernel.Activation
			scale float32
		}{
			{"identity", kernel.Identity, 1.0 / 11.3}, {"relu", kernel.ReLU, 1.0 / 11.3}, {"silu", kernel.SiLU, 1.0 / 11.3},
			{"tanh", kernel.Tanh, 1.0 / 11.3}, {"gelu", kernel.GELU, 1.0 / 11.3}, {"gelu/wide", kernel.GELU, 1},
		} {
			rng := rand.New(rand.NewPCG(2, 2))
			w := randMatrix(rng, kn, kn, 0)
			for i := range w.Data {
				w.Data[i] *= c.scale
			}
			d := NewDenseImpl(impl, w, make([]float32, kn), c.act)
			x := randMatrix(rng, m, kn, 0)
			y := NewMatrix(m, kn)
			b.Run(fmt.Sprintf("%v/%s", impl, c.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					d.Forward(y, Matrix{}, x)
				}
			})
		}
	}
}

// BenchmarkDenseNarrow is a layer with few outputs (a score network's
// last, no activation) at batch 1024 per implementation: Forward's
// narrow path.
//
//	go test ./f32 -run XXX -bench DenseNarrow -count 8 | benchstat -
func BenchmarkDenseNarrow(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	const m, k = 1024, 128
	for _, impl := range kernel.Available() {
		if skipGeneric(impl) {
			continue
		}
		for _, n := range []int{2, 16} {
			if _, nr := impl.GemmTile(); n > nr/2 {
				continue // not a narrow layer for impl
			}
			d := NewDenseImpl(impl, randMatrix(rng, n, k, 0), make([]float32, n), kernel.Identity)
			x := randMatrix(rng, m, k, 0)
			y := NewMatrix(m, n)
			b.Run(fmt.Sprintf("%v/M=%d/K=%d/N=%d", impl, m, k, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					d.Forward(y, Matrix{}, x)
				}
				b.ReportMetric(2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkDenseNarrowPaths times the two paths Forward can take for a
// layer with few outputs, the narrow kernel and the GEMM over padded
// panels, on one goroutine, where the kernels have a narrow kernel: the
// evidence for Forward's rules (narrow for Out ≤ nr/2, and narrowGemmRows).
//
// -count repeats each case back to back; to interleave the rounds:
//
//	go test -c -o /tmp/f32.test ./f32
//	for i in $(seq 10); do /tmp/f32.test -test.run XXX -test.bench DenseNarrowPaths -test.cpu 1; done | benchstat -col /path -
func BenchmarkDenseNarrowPaths(b *testing.B) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, impl := range kernel.Available() {
		if !impl.HasDenseNarrow() {
			continue
		}
		for _, k := range []int{128, 256} {
			for _, m := range []int{3, 4, 5, 6, 7, 8, 16, 32, 64, 1024} {
				x := randMatrix(rng, m, k, 0)
				for _, n := range []int{2, 4, 8, 12, 16} {
					d := NewDenseImpl(impl, randMatrix(rng, n, k, 0), make([]float32, n), kernel.Identity)
					y := NewMatrix(m, n)
					for _, p := range []struct {
						name string
						run  func()
					}{
						{"narrow", func() { d.forwardNarrowKernel(y, y, x, d.bias, d.act, false) }},
						{"gemm", func() { d.forwardGemm(1, y, y, x, d.bias, d.act, true) }},
					} {
						b.Run(fmt.Sprintf("%v/K=%d/M=%d/N=%d/path=%s", impl, k, m, n, p.name), func(b *testing.B) {
							for b.Loop() {
								p.run()
							}
						})
					}
				}
			}
		}
	}
}

// skipGeneric reports whether the benchmarks leave impl out: the portable
// kernels, when the build has assembly to time instead (on a portable-only
// build — purego, GODEBUG=cpu.avx2=off, riscv64 — they are all there is).
func skipGeneric(impl kernel.Impl) bool {
	return impl == kernel.Generic && len(kernel.Available()) > 1
}

// peakOf measures impl's FMA peak in FLOP/s: the best of a few short runs.
func peakOf(impl kernel.Impl) float64 {
	best := 0.0
	for range 50 {
		t := time.Now()
		f := impl.PeakFLOPs(20000)
		best = max(best, f/time.Since(t).Seconds())
	}
	return best
}
