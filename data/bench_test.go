package data

import (
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
