package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var benchSizes = []int{64, 4096, 1 << 20}

func benchInput(n int) []float32 {
	rng := rand.New(rand.NewPCG(7, 8))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64()) * 3
	}
	return x
}

// BenchmarkLevel1 times the level-1 kernels of every available
// implementation; bytes are the bytes read.
func BenchmarkLevel1(b *testing.B) {
	for _, n := range benchSizes {
		x, y := benchInput(n), benchInput(n)
		for _, impl := range Available() {
			name := fmt.Sprintf("%v/n=%d", impl, n)
			b.Run("Dot/"+name, func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					impl.Dot(x, y)
				}
			})
			b.Run("Axpy/"+name, func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					impl.Axpy(1e-9, x, y)
				}
			})
			b.Run("Scale/"+name, func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				b.ReportAllocs()
				for b.Loop() {
					impl.Scale(1, y)
				}
			})
			b.Run("SumSq/"+name, func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				b.ReportAllocs()
				for b.Loop() {
					impl.SumSq(x)
				}
			})
		}
	}
}

// BenchmarkAct times each activation and derivative of every available
// implementation over 4096 elements, reporting elements per second, beside
// a plain Go loop over float64 math.Exp computing SiLU (the baseline a
// user would write).
func BenchmarkAct(b *testing.B) {
	const n = 4096
	x := benchInput(n)
	dst := make([]float32, n)
	b.Run("SiLU/mathExpLoop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i, v := range x {
				dst[i] = float32(float64(v) / (1 + math.Exp(-float64(v))))
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
	})
	for _, a := range Activations() {
		for _, impl := range Available() {
			b.Run(fmt.Sprintf("%v/%v", a, impl), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					impl.Act(a, dst, x)
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
			})
			b.Run(fmt.Sprintf("%vDeriv/%v", a, impl), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					impl.ActDeriv(a, dst, x)
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
			})
		}
	}
}

// BenchmarkLangevinUpdate times x += a·s + b·z; bytes are those moved
// (three reads, one write).
func BenchmarkLangevinUpdate(b *testing.B) {
	for _, n := range benchSizes {
		x, s, z := benchInput(n), benchInput(n), benchInput(n)
		for _, impl := range Available() {
			b.Run(fmt.Sprintf("%v/n=%d", impl, n), func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				b.ReportAllocs()
				for b.Loop() {
					impl.LangevinUpdate(1e-9, 1e-9, x, s, z)
				}
			})
		}
	}
}
