package bench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/kernel"
)

// Dense-layer benchmarks beyond the standard set (BenchmarkSuite, which
// has the fused layers, the networks and gonum on the same shapes): the FMA
// peak itself, the layer without an activation (what the epilogue costs),
// and the layer on 1 and 2 workers. Each reports GFLOP/s and the percentage
// of the implementation's FMA peak measured in this run.
//
//	go test ./bench -run XXX -bench 'Peak|DenseIdentity|DenseWorkers' -count 5 | benchstat -

var (
	peakOnce sync.Once
	peaks    map[string]float64
)

// peak returns impl's FMA peak in FLOP/s, measured once per process by
// Peaks, as scorekit bench measures it.
func peak(impl kernel.Impl) float64 {
	peakOnce.Do(func() { peaks = Peaks(200 * time.Millisecond) })
	return peaks[impl.String()]
}

func report(b *testing.B, impl kernel.Impl, flopsPerOp float64) {
	reportOn(b, impl, flopsPerOp, 1)
}

// reportOn is report for a case on cores goroutines: %peak is of cores
// times one core's peak.
func reportOn(b *testing.B, impl kernel.Impl, flopsPerOp float64, cores int) {
	gf := flopsPerOp * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(gf/1e9, "GFLOP/s")
	b.ReportMetric(100*gf/(float64(cores)*peak(impl)), "%peak")
}

func randMatrix(rng *rand.Rand, r, c int) f32.Matrix {
	m := f32.NewMatrix(r, c)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64()) * 0.1
	}
	return m
}

var denseKNs = []int{64, 128, 256, 512}

// BenchmarkPeak is the FMA-throughput loop of each implementation: the
// reference of every %peak figure.
func BenchmarkPeak(b *testing.B) {
	for _, impl := range kernel.Available() {
		b.Run(impl.String(), func(b *testing.B) {
			var flops float64
			for b.Loop() {
				flops += impl.PeakFLOPs(100000)
			}
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkDenseIdentity is the standard set's dense+bias+silu case
// (BenchmarkSuite's "dense" group) without the activation: the GEMM and
// its bias epilogue alone.
func BenchmarkDenseIdentity(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	impl := kernel.Active()
	for _, kn := range denseKNs {
		w := randMatrix(rng, kn, kn)
		d := f32.NewDenseImpl(impl, w, make([]float32, kn), kernel.Identity)
		for _, m := range []int{1, 1024} {
			x := randMatrix(rng, m, kn)
			y := f32.NewMatrix(m, kn)
			b.Run(fmt.Sprintf("%v/M=%d/K=N=%d", impl, m, kn), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					d.Forward(y, f32.Matrix{}, x)
				}
				report(b, impl, 2*float64(m*kn*kn))
			})
		}
	}
}

// BenchmarkDenseWorkers is the fused dense layer at M = 1024 on one and two
// goroutines.
func BenchmarkDenseWorkers(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	impl := kernel.Active()
	for _, kn := range []int{128, 256, 512} {
		w := randMatrix(rng, kn, kn)
		d := f32.NewDenseImpl(impl, w, make([]float32, kn), kernel.SiLU)
		x := randMatrix(rng, 1024, kn)
		y := f32.NewMatrix(1024, kn)
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%v/workers=%d/M=1024/K=N=%d", impl, workers, kn), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					d.ForwardParallel(workers, y, f32.Matrix{}, x)
				}
				reportOn(b, impl, 2*float64(1024*kn*kn), min(workers, runtime.GOMAXPROCS(0)))
			})
		}
	}
}
