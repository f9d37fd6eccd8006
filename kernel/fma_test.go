package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFMA is a·b + c rounded once to float32 (to nearest even, to ±Inf
// past MaxFloat32), from math/big: 400 bits hold any a·b + c exactly.
func exactFMA(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(400).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

// TestFMA32 checks fma32 against a*b+c computed exactly and rounded once,
// including the double-rounding cases a plain float64 FMA gets wrong.
func TestFMA32(t *testing.T) {
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
	// Ties in float64: a = 1 + 2⁻¹², b = 1 + 2⁻¹² + k·2⁻²³, products with
	// bits far below float32's, against small c of either sign.
	for k := range 4096 {
		a := float32(1 + 0x1p-12)
		b := float32(1+0x1p-12) + float32(k)*0x1p-23
		for _, c := range []float32{0x1p-30, -0x1p-30, 0x1p-40, -0x1p-40, 0x1p-24, -0x1p-24, 1e-9, 3} {
			cases = append(cases, [3]float32{a, b, c})
		}
	}
	// A constructed double-rounding case: a·b = 2⁻²⁴ − 2⁻⁷⁰, c = 1 + 2⁻²³.
	// The float64 sum rounds up to the tie 1 + 3·2⁻²⁴, which would round to
	// even (1 + 2⁻²²), but the exact sum is below the tie: 1 + 2⁻²³.
	a, b, c := float32(1+0x1p-23), float32(0x1p-24*(1-0x1p-23)), float32(1+0x1p-23)
	if naive := float32(float64(a)*float64(b) + float64(c)); naive == c {
		t.Fatalf("tie case is not one: float64 rounding gives %g", naive)
	}
	if exactFMA(a, b, c) != c {
		t.Fatalf("tie case: exact %g, want %g", exactFMA(a, b, c), c)
	}
	cases = append(cases, [3]float32{a, b, c})
	for _, k := range cases {
		got, want := fma32(k[0], k[1], k[2]), exactFMA(k[0], k[1], k[2])
		if got != want {
			t.Fatalf("fma32(%g, %g, %g) = %g, exact %g", k[0], k[1], k[2], got, want)
		}
	}
}

// TestFMA32Wide checks fma32 over inputs of every magnitude (random bit
// patterns, results among the subnormals, overflow to ±Inf, signed zeros)
// against the exact value rounded once, and its special values.
func TestFMA32Wide(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	finite := func() float32 {
		for {
			if v := math.Float32frombits(rng.Uint32()); !math.IsInf(float64(v), 0) && v == v {
				return v
			}
		}
	}
	sub := func() float32 { return math.Float32frombits(rng.Uint32() & 0x807fffff) } // ±subnormal or ±0
	var cases [][3]float32
	for range 100000 {
		cases = append(cases, [3]float32{finite(), finite(), finite()})
		// a·b near the subnormal range, c subnormal: results that round to
		// a subnormal float32.
		a := float32(math.Ldexp(1+rng.Float64(), -60-rng.IntN(30)))
		b := float32(math.Ldexp(-1+rng.Float64()*2, -60-rng.IntN(30)))
		cases = append(cases, [3]float32{a, b, sub()})
		// a·b near MaxFloat32: overflow and the tie at 2¹²⁸ − 2¹⁰³.
		a = float32(math.Ldexp(1+rng.Float64(), 64))
		b = float32(math.Ldexp(1+rng.Float64(), 63))
		cases = append(cases, [3]float32{a, b, -math.MaxFloat32 * float32(rng.Float64())})
		// a·b exactly halfway between two float32s, (1+2⁻ʲ)(1+2ʲ⁻²⁴) =
		// 1 + 2⁻ʲ + 2ʲ⁻²⁴ + 2⁻²⁴, scaled and signed, with c a tiny tie-breaker
		// of either sign (or 0): the double-rounding cases. u | 1 instead of
		// rounding to odd fails here.
		j := 1 + rng.IntN(23)
		ea, eb := rng.IntN(120)-60, rng.IntN(120)-60
		a = float32(math.Ldexp(1+math.Ldexp(1, -j), ea))
		b = float32(math.Ldexp(1+math.Ldexp(1, j-24), eb))
		if rng.IntN(2) == 0 {
			a = -a
		}
		tie := float64(a) * float64(b)
		c := float32(tie * math.Ldexp(float64(rng.IntN(3)-1), -30-rng.IntN(60)))
		cases = append(cases, [3]float32{a, b, c})
	}
	// fmaAxpy is fma32 written out over slices; both must round exactly.
	fmas := []struct {
		name string
		f    func(a, b, c float32) float32
	}{
		{"fma32", fma32},
		{"fmaAxpy", func(a, b, c float32) float32 {
			y := []float32{c}
			fmaAxpy(a, []float32{b}, y)
			return y[0]
		}},
	}
	for _, k := range cases {
		want := exactFMA(k[0], k[1], k[2])
		for _, f := range fmas {
			got := f.f(k[0], k[1], k[2])
			if math.Float32bits(got) != math.Float32bits(want) && !(want == 0 && got == 0 && math.Signbit(float64(got)) == math.Signbit(float64(want))) {
				t.Fatalf("%s(%g, %g, %g) = %g (%#08x), exact %g (%#08x)", f.name, k[0], k[1], k[2], got, math.Float32bits(got), want, math.Float32bits(want))
			}
		}
	}
	// The slice form over many elements at once, as the kernels call it.
	as, bs, cs := make([]float32, len(cases)), make([]float32, len(cases)), make([]float32, len(cases))
	for i, k := range cases {
		as[i], bs[i], cs[i] = k[0], k[1], k[2]
	}
	fmaAxpy(as[0], bs, cs)
	for i, k := range cases {
		if want := fma32(as[0], k[1], k[2]); math.Float32bits(cs[i]) != math.Float32bits(want) {
			t.Fatalf("fmaAxpy element %d: %g, fma32 %g", i, cs[i], want)
		}
	}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	for _, c := range []struct{ a, b, c, want float32 }{
		{1, negZero, negZero, negZero}, {1, negZero, 0, 0}, {-1, 1, 1, 0}, {negZero, negZero, negZero, 0},
		{inf, 1, 1, inf}, {inf, -1, math.MaxFloat32, -inf}, {1, 1, -inf, -inf},
		{inf, 0, 1, nan}, {inf, 1, -inf, nan}, {nan, 1, 1, nan}, {1, 1, nan, nan},
		{math.MaxFloat32, 2, -math.MaxFloat32, math.MaxFloat32},
		{math.MaxFloat32, 1.5, 0, inf}, {1e-45, 0.5, 0, 0}, {1e-45, 0.75, 0, 1e-45},
	} {
		for _, f := range fmas {
			got := f.f(c.a, c.b, c.c)
			if got != got || c.want != c.want {
				if (got != got) != (c.want != c.want) {
					t.Errorf("%s(%g, %g, %g) = %g, want %g", f.name, c.a, c.b, c.c, got, c.want)
				}
				continue
			}
			if math.Float32bits(got) != math.Float32bits(c.want) {
				t.Errorf("%s(%g, %g, %g) = %g, want %g", f.name, c.a, c.b, c.c, got, c.want)
			}
		}
	}
}
