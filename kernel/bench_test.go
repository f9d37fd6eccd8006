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

// BenchmarkActLarge times the activations on inputs far out, where their
// exponential's result is tiny: a subnormal or 0. Intel cores take a
// microcode assist for every vector operation whose result underflows
// (Go leaves subnormals on), ten to thirty times the vector's usual cost.
// The forward tanh, elu and gelu (x ≥ 6) clamp the exponential where its
// value cannot reach the result (kernel's expOneMin and geluHi), so their
// cases here run at the speed of ordinary inputs; the others (gelu and
// silu at x < 0, whose results are themselves tiny) still underflow.
//
//	go test ./kernel -run XXX -bench ActLarge
func BenchmarkActLarge(b *testing.B) {
	const n = 4096
	x := make([]float32, n)
	dst := make([]float32, n)
	for _, c := range []struct {
		a Activation
		v float32
	}{{GELU, 1}, {GELU, 11}, {GELU, -11}, {Tanh, 47}, {ELU, -95}, {SiLU, 1}, {SiLU, -95}} {
		for i := range x {
			x[i] = c.v
		}
		for _, impl := range Available() {
			b.Run(fmt.Sprintf("%v/x=%v/%v", c.a, c.v, impl), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					impl.Act(c.a, dst, x)
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
