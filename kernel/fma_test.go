package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestFMA32 checks fma32 against a*b+c computed exactly and rounded once,
// including the double-rounding cases a plain float64 FMA gets wrong.
func TestFMA32(t *testing.T) {
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetFloat64(float64(c)))
		f, _ := x.Float32()
		return f
	}
	cases := [][3]float32{
		{0.75, -2.7802253, -1e-45}, // a tie in float64 that the tiny c breaks
		{1, 1, 0}, {-1, 1, 1}, {3, 1.0 / 3, -1},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 50000 {
		a := float32(rng.NormFloat64())
		b := float32(rng.NormFloat64())
		p := float64(a) * float64(b)
		// c tiny against a·b, of either sign: the case double rounding breaks
		c := float32(p * math.Ldexp(rng.Float64()-0.5, -rng.IntN(60)))
		cases = append(cases, [3]float32{a, b, c})
	}
	for _, k := range cases {
		got, want := fma32(k[0], k[1], k[2]), exact(k[0], k[1], k[2])
		if got != want {
			t.Fatalf("fma32(%g, %g, %g) = %g, exact %g", k[0], k[1], k[2], got, want)
		}
	}
}
