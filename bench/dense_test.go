package bench

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/kernel"
)

// Dense-layer benchmarks: scorekit's fused dense layer and MLP forward
// against gonum's blas32 on the same shapes, each reported in GFLOP/s and
// as a percentage of the implementation's FMA peak measured in this run
// (kernel.Impl.PeakFLOPs).
//
//	go test ./bench -run XXX -bench 'Dense|Net|Peak' -count 5 | benchstat -

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
	gf := flopsPerOp * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(gf/1e9, "GFLOP/s")
	b.ReportMetric(100*gf/peak(impl), "%peak")
}

func randMatrix(rng *rand.Rand, r, c int) f32.Matrix {
	m := f32.NewMatrix(r, c)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64()) * 0.1
	}
	return m
}

var denseMs = []int{1, 16, 256, 1024, 4096}
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

// BenchmarkDense is y = SiLU(x·Wᵀ + b), M×K by K×N with K = N.
func BenchmarkDense(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, impl := range kernel.Available() {
		if impl == kernel.Generic {
			continue // minutes at these sizes
		}
		for _, kn := range denseKNs {
			w := randMatrix(rng, kn, kn)
			bias := make([]float32, kn)
			d := f32.NewDenseImpl(impl, w, bias, kernel.SiLU)
			for _, m := range denseMs {
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
}

// BenchmarkDenseIdentity is BenchmarkDense without the activation: the
// GEMM and its bias epilogue alone.
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
				report(b, impl, 2*float64(1024*kn*kn))
			})
		}
	}
}

// BenchmarkGonum is gonum's blas32 Sgemm (Sgemv at M = 1) on the shapes of
// BenchmarkDense, C = X·Wᵀ without bias or activation.
func BenchmarkGonum(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, kn := range denseKNs {
		w := randMatrix(rng, kn, kn)
		gw := blas32.General{Rows: kn, Cols: kn, Stride: kn, Data: w.Data}
		for _, m := range denseMs {
			x := randMatrix(rng, m, kn)
			y := f32.NewMatrix(m, kn)
			gx := blas32.General{Rows: m, Cols: kn, Stride: kn, Data: x.Data}
			gy := blas32.General{Rows: m, Cols: kn, Stride: kn, Data: y.Data}
			b.Run(fmt.Sprintf("M=%d/K=N=%d", m, kn), func(b *testing.B) {
				b.ReportAllocs()
				if m == 1 {
					vx := blas32.Vector{N: kn, Inc: 1, Data: x.Data}
					vy := blas32.Vector{N: kn, Inc: 1, Data: y.Data}
					for b.Loop() {
						blas32.Gemv(blas.NoTrans, 1, gw, vx, 0, vy)
					}
				} else {
					for b.Loop() {
						blas32.Gemm(blas.NoTrans, blas.Trans, 1, gx, gw, 0, gy)
					}
				}
				report(b, kernel.Active(), 2*float64(m*kn*kn))
			})
		}
	}
}

// mlp is a stack of dense layers, SiLU between them and identity last.
type mlp struct {
	layers []*f32.Dense
	bufs   []f32.Matrix
}

func newMLP(rng *rand.Rand, impl kernel.Impl, widths []int, batch int) *mlp {
	n := &mlp{}
	for i := 0; i+1 < len(widths); i++ {
		act := kernel.SiLU
		if i+2 == len(widths) {
			act = kernel.Identity
		}
		w := randMatrix(rng, widths[i+1], widths[i])
		n.layers = append(n.layers, f32.NewDenseImpl(impl, w, make([]float32, widths[i+1]), act))
		n.bufs = append(n.bufs, f32.NewMatrix(batch, widths[i+1]))
	}
	return n
}

func (n *mlp) forward(x f32.Matrix) f32.Matrix {
	for i, l := range n.layers {
		l.Forward(n.bufs[i], f32.Matrix{}, x)
		x = n.bufs[i]
	}
	return x
}

func flops(widths []int, batch int) float64 {
	var f float64
	for i := 0; i+1 < len(widths); i++ {
		f += 2 * float64(batch*widths[i]*widths[i+1])
	}
	return f
}

// BenchmarkNet is the forward pass of the small (2-128-128-128-2) and
// wide (64-512-512-512-64) SiLU MLPs.
func BenchmarkNet(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	nets := []struct {
		name   string
		widths []int
	}{{"small", []int{2, 128, 128, 128, 2}}, {"wide", []int{64, 512, 512, 512, 64}}}
	for _, impl := range kernel.Available() {
		if impl == kernel.Generic {
			continue
		}
		for _, net := range nets {
			for _, batch := range []int{1, 64, 1024, 8192} {
				n := newMLP(rng, impl, net.widths, batch)
				x := randMatrix(rng, batch, net.widths[0])
				b.Run(fmt.Sprintf("%v/%s/batch=%d", impl, net.name, batch), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						n.forward(x)
					}
					report(b, impl, flops(net.widths, batch))
				})
			}
		}
	}
}
