package data

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkScore is the batched float32 score of each target over 256
// points, reported per point.
func BenchmarkScore(b *testing.B) {
	g3, _ := NewGaussian([]float64{0, 0, 0}, []float64{2, 0.5, 0, 0.5, 1, 0, 0, 0, 1})
	for _, tc := range []struct {
		name string
		t    interface {
			Dim() int
			Score(dst, x []float32)
		}
	}{
		{"gaussian-d3", g3},
		{"ncsn-mixture", NCSNMixture()},
		{"banana", NewBanana()},
		{"funnel-d10", NewFunnel(10)},
		{"rosenbrock-d10", NewRosenbrock(10)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			const n = 256
			d := tc.t.Dim()
			x, s := make([]float32, n*d), make([]float32, n*d)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				tc.t.Score(s, x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/point")
		})
	}
}

// BenchmarkMMD2 is MMD2 (median heuristic included) and MedianSqDist
// alone on two samples of n rows of N(0, I₂), n = 1000 being the most
// rows of each sample the median uses (at n = 3000 MedianSqDist costs
// what it does at 1000, MMD2's sums 9 times as much).
func BenchmarkMMD2(b *testing.B) {
	for _, n := range []int{100, 1000, 3000} {
		const d = 2
		rng := rand.New(rand.NewPCG(3, 4))
		x, y := make([]float32, n*d), make([]float32, n*d)
		for i := range x {
			x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		for _, f := range []struct {
			name string
			f    func(x, y []float32, d int) float64
		}{{"MMD2", MMD2}, {"MedianSqDist", MedianSqDist}} {
			b.Run(fmt.Sprintf("%s/n=%d", f.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					f.f(x, y, d)
				}
			})
		}
	}
}
