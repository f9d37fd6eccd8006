package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// mul32 and div32 are x·y and x/y rounded once to float32: float64 holds
// the product exactly, and a float64 quotient rounded again to float32 is
// the correctly rounded one (53 ≥ 2·24 + 2).
func mul32(x, y float32) float32 { return float32(float64(x) * float64(y)) }
func div32(x, y float32) float32 { return float32(float64(x) / float64(y)) }

// exactInputs returns n values spread over magnitudes 2⁻²⁰..2²⁰ of both signs.
func exactInputs(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(math.Ldexp(rng.Float64()+0.5, rng.IntN(41)-20))
		if rng.IntN(2) == 0 {
			out[i] = -out[i]
		}
	}
	return out
}

// TestAdamExactOrder holds Adam, on every implementation and every length
// from 1 to 70, bit for bit to the loop in its doc comment evaluated with
// each product, quotient, square root and fma rounded once (exactFMA is
// math/big): the doc promises that order, so a twin that fuses or splits
// an operation differently is wrong even where its error stays within the
// float64 reference's bound.
func TestAdamExactOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, impl := range Available() {
		for _, c := range adamCoefs() {
			for n := 1; n <= 70; n++ {
				g, p := exactInputs(rng, n), exactInputs(rng, n)
				m := exactInputs(rng, n)
				v := exactInputs(rng, n)
				for i := range v {
					v[i] = abs32(v[i])
				}
				wp, wm, wv := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
				for i, gi := range g {
					mi := exactFMA(c.B1, wm[i], mul32(c.C1, gi))
					vi := exactFMA(c.B2, wv[i], mul32(mul32(c.C2, gi), gi))
					wm[i], wv[i] = mi, vi
					den := float32(math.Sqrt(float64(vi))) + c.Eps
					wp[i] = exactFMA(-c.Step, div32(mi, den), mul32(wp[i], c.Decay))
				}
				impl.Adam(c, p, g, m, v)
				for i := range g {
					if bits(p[i]) != bits(wp[i]) || bits(m[i]) != bits(wm[i]) || bits(v[i]) != bits(wv[i]) {
						t.Fatalf("%v n=%d %+v: element %d: p, m, v = %g, %g, %g; want %g, %g, %g",
							impl, n, c, i, p[i], m[i], v[i], wp[i], wm[i], wv[i])
					}
				}
			}
		}
	}
}

// TestElementwiseExact holds Scale, Axpy, Mul and MulAdd, on every
// implementation and length 0 to 70, to their doc loops with each product
// or fma rounded once: exact answers, so no implementation may differ.
func TestElementwiseExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, impl := range Available() {
		for n := 0; n <= 70; n++ {
			x, y, d := exactInputs(rng, n), exactInputs(rng, n), exactInputs(rng, n)
			alpha := exactInputs(rng, 1)[0]
			check := func(name string, got []float32, want func(i int) float32) {
				t.Helper()
				for i := range got {
					if w := want(i); bits(got[i]) != bits(w) {
						t.Fatalf("%v %s n=%d: [%d] = %g, want %g", impl, name, n, i, got[i], w)
					}
				}
			}
			s := append([]float32(nil), x...)
			impl.Scale(alpha, s)
			check("Scale", s, func(i int) float32 { return mul32(x[i], alpha) })
			a := append([]float32(nil), y...)
			impl.Axpy(alpha, x, a)
			check("Axpy", a, func(i int) float32 { return exactFMA(alpha, x[i], y[i]) })
			o := make([]float32, n)
			impl.Mul(o, x, y)
			check("Mul", o, func(i int) float32 { return mul32(x[i], y[i]) })
			o = append(o[:0], d...)
			impl.MulAdd(o, x, y)
			check("MulAdd", o, func(i int) float32 { return exactFMA(x[i], y[i], d[i]) })
		}
	}
}
