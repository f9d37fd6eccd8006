package kernel_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

// deriv2Ref is f” in float64, with σ′ and tanh′ written as e/(1+e)² and
// 4e/(1+e)², e = exp(−|v|) and exp(−2|x|): the textbook s(1−s) and 1 − t²
// cancel for large positive arguments (1 − t² at x = 12.4 is 13 float32
// ulps off), which TestActDeriv2Tails would charge to the kernels.
func deriv2Ref(a kernel.Activation, x float64) float64 {
	sp := func(v float64) float64 { e := math.Exp(-math.Abs(v)); return e / ((1 + e) * (1 + e)) }
	spp := func(v float64) float64 { return -sp(v) * math.Tanh(v/2) }
	switch a {
	case kernel.Tanh:
		e := math.Exp(-2 * math.Abs(x))
		return -2 * math.Tanh(x) * 4 * e / ((1 + e) * (1 + e))
	case kernel.Sigmoid:
		return spp(x)
	case kernel.Softplus:
		return sp(x)
	case kernel.SiLU:
		return 2*sp(x) + x*spp(x)
	case kernel.ELU:
		if x > 0 {
			return 0
		}
		return math.Exp(x)
	case kernel.GELU:
		const c, k = 0.7978845608028654, 0.044715
		v := 2 * c * (x + k*x*x*x)
		dv := 2 * c * (1 + 3*k*x*x)
		ddv := 2 * c * 6 * k * x
		return 2*sp(v)*dv + x*spp(v)*dv*dv + x*sp(v)*ddv
	}
	return 0
}

func TestActDeriv2Accuracy(t *testing.T) {
	type bound struct{ ulps, abs float64 }
	bounds := map[kernel.Activation]bound{
		kernel.Tanh: {8, 1e-7}, kernel.Sigmoid: {8, 1e-7}, kernel.Softplus: {8, 1e-7},
		kernel.ELU: {2, 0}, kernel.SiLU: {16, 2e-7}, kernel.GELU: {16, 2e-7},
	}
	var xs []float32
	for v := -30.0; v <= 30; v += 0.0137 {
		xs = append(xs, float32(v))
	}
	xs = append(xs, 0, 1e-8, -1e-8, 0.25, -0.25)
	for _, impl := range kernel.Available() {
		for _, a := range kernel.Activations() {
			got := make([]float32, len(xs))
			impl.ActDeriv2(a, got, xs)
			b := bounds[a]
			for i, x := range xs {
				want := deriv2Ref(a, float64(x))
				tol := b.ulps*0x1p-23*math.Abs(want) + b.abs
				if d := math.Abs(float64(got[i]) - want); !(d <= tol) {
					t.Fatalf("%v %v: f''(%g) = %g, want %g (|Δ| %g > %g)", impl, a, x, got[i], want, d, tol)
				}
			}
		}
	}
}

func TestActDeriv2Specials(t *testing.T) {
	for _, impl := range kernel.Available() {
		for _, a := range kernel.Activations() {
			x := append([]float32(nil), kerneltest.Specials...)
			got := make([]float32, len(x))
			impl.ActDeriv2(a, got, x)
			gen := make([]float32, len(x))
			kernel.Generic.ActDeriv2(a, gen, x)
			for i, v := range x {
				g := got[i]
				switch {
				case v != v:
					if g == g {
						t.Errorf("%v %v: f''(NaN) = %g", impl, a, g)
					}
				case math.IsInf(float64(v), 0):
					if g != 0 {
						t.Errorf("%v %v: f''(%g) = %g, want 0", impl, a, v, g)
					}
				case g != g:
					t.Errorf("%v %v: f''(%g) = NaN", impl, a, v)
				}
				if !kerneltest.Same(g, gen[i]) {
					t.Errorf("%v %v: f''(%g) = %g, generic %g", impl, a, v, g, gen[i])
				}
			}
		}
	}
}

// TestActDeriv2Guards: lengths, offsets and sentinels for every kernel.
func TestActDeriv2Guards(t *testing.T) {
	for _, impl := range kernel.Available() {
		for _, a := range kernel.Activations() {
			for _, n := range kerneltest.Lengths(16) {
				for _, off := range kerneltest.Offsets[:3] {
					x := make([]float32, n)
					for i := range x {
						x[i] = float32(i%17) - 8
					}
					g := kerneltest.NewGuarded(n, off, nil)
					impl.ActDeriv2(a, g.S(), x)
					g.Check(t, kerneltest.Desc(impl, n, off)+" "+a.String())
				}
			}
		}
	}
}

func FuzzActDeriv2(f *testing.F) {
	f.Add(float32(0.5), uint8(5))
	f.Fuzz(func(t *testing.T, x float32, a8 uint8) {
		a := kernel.Activation(int(a8) % len(kernel.Activations()))
		want := make([]float32, 1)
		kernel.Generic.ActDeriv2(a, want, []float32{x})
		for _, impl := range kernel.Available() {
			got := make([]float32, 1)
			impl.ActDeriv2(a, got, []float32{x})
			if !kerneltest.Same(got[0], want[0]) {
				t.Fatalf("%v %v: f''(%g) = %g, generic %g", impl, a, x, got[0], want[0])
			}
		}
	})
}

func BenchmarkActDeriv2(b *testing.B) {
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(i%200)/20 - 5
	}
	y := make([]float32, len(x))
	for _, impl := range kernel.Available() {
		for _, a := range kernel.Activations() {
			b.Run(impl.String()+"/"+a.String(), func(b *testing.B) {
				b.SetBytes(4 * int64(len(x)))
				for b.Loop() {
					impl.ActDeriv2(a, y, x)
				}
			})
		}
	}
}

// TestActDeriv2SameAsGeneric holds every implementation's second
// derivatives to the generic bits over random values of every magnitude.
func TestActDeriv2SameAsGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	x := make([]float32, 20000)
	for i := range x {
		switch i % 3 {
		case 0:
			x[i] = float32(rng.NormFloat64() * 4)
		case 1:
			x[i] = float32(rng.Float64()*200 - 100)
		default:
			x[i] = math.Float32frombits(rng.Uint32()) // any bit pattern
		}
	}
	want := make([]float32, len(x))
	got := make([]float32, len(x))
	for _, a := range kernel.Activations() {
		kernel.Generic.ActDeriv2(a, want, x)
		for _, impl := range kernel.Available() {
			for _, off := range []int{0, 3} {
				impl.ActDeriv2(a, got[off:], x[off:])
				for i := off; i < len(x); i++ {
					if !kerneltest.Same(got[i], want[i]) {
						t.Fatalf("%v %v: f″(%g) = %g, generic %g", impl, a, x[i], got[i], want[i])
					}
				}
			}
		}
	}
}

func TestActDeriv2NoAllocs(t *testing.T) {
	x := make([]float32, 1000)
	y := make([]float32, 1000)
	for _, impl := range kernel.Available() {
		impl.ActDeriv2(kernel.SiLU, y, x)
		if a := testing.AllocsPerRun(20, func() { impl.ActDeriv2(kernel.SiLU, y, x) }); a != 0 {
			t.Errorf("%v: %g allocations per call", impl, a)
		}
	}
}

// TestActInPlace holds Act, ActDeriv and ActDeriv2 with dst the same
// slice as x, as their doc comments allow, to the generic result computed
// into a separate slice, for every implementation and activation, over
// lengths on both sides of the amd64 compositions' chunk of 256.
func TestActInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	kinds := []struct {
		name string
		f    func(kernel.Impl, kernel.Activation, []float32, []float32)
	}{
		{"Act", kernel.Impl.Act},
		{"ActDeriv", kernel.Impl.ActDeriv},
		{"ActDeriv2", kernel.Impl.ActDeriv2},
	}
	for _, n := range []int{1, 37, 256, 1000} {
		x := make([]float32, n)
		kerneltest.Fill(rng, x, 4, 0.2)
		want := make([]float32, n)
		for _, k := range kinds {
			for _, a := range kernel.Activations() {
				k.f(kernel.Generic, a, want, x)
				for _, impl := range kernel.Available() {
					got := append([]float32(nil), x...)
					k.f(impl, a, got, got)
					for i := range got {
						if !kerneltest.Same(got[i], want[i]) {
							t.Fatalf("%s(%v) %v in place, n=%d: element %d (x=%g) = %g, generic %g",
								k.name, a, impl, n, i, x[i], got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestActDeriv2Tails measures f″ away from its zeros, on 4 ≤ |x| ≤ 100,
// with the relative bounds of ActDeriv2's doc and no absolute slack above
// the subnormals: there f″ falls from about 1e-2 to 1e-41, far below the
// grid test's abs 1e-7 and 2e-7, so that test cannot see a tail set to 0
// early (silu's and gelu's σ′ = 0 guard, for one).
func TestActDeriv2Tails(t *testing.T) {
	rel := map[kernel.Activation]float64{
		kernel.Tanh: 8, kernel.Sigmoid: 8, kernel.Softplus: 8,
		kernel.ELU: 2, kernel.SiLU: 16, kernel.GELU: 16,
	}
	var xs []float32
	for v := 4.0; v <= 100; v += 0.0731 {
		xs = append(xs, float32(v), float32(-v))
	}
	got := make([]float32, len(xs))
	for _, impl := range kernel.Available() {
		for a, ulps := range rel {
			impl.ActDeriv2(a, got, xs)
			for i, x := range xs {
				want := deriv2Ref(a, float64(x))
				// below the least normal float32, subnormal spacing 2⁻¹⁴⁹,
				// times the few roundings of the product
				u, arg := ulps, math.Abs(float64(x))
				switch a {
				case kernel.Tanh:
					arg *= 2
				case kernel.GELU: // σ′(v) inherits v's rounding, as gelu's Act bound says
					arg = math.Abs(1.5957691216057308 * (float64(x) + 0.044715*float64(x)*float64(x)*float64(x)))
					u += 2 * arg
				}
				if arg > 87 && a != kernel.ELU {
					continue // exp(−arg) subnormal: fewer bits, times a factor up to |x|³
				}
				tol := u*0x1p-23*math.Abs(want) + 8*0x1p-149
				if d := math.Abs(float64(got[i]) - want); !(d <= tol) {
					t.Fatalf("%v %v: f''(%g) = %g, want %g (|Δ| %g > %g)", impl, a, x, got[i], want, d, tol)
				}
			}
		}
	}
}
