package kernel

import (
	"math"
	"testing"
)

// Float64 references of the activations and their derivatives.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func gelu64Arg(x float64) float64 { return 2 * 0.7978845608028654 * (x + 0.044715*x*x*x) }

var actRef = map[Activation][2]func(float64) float64{
	ReLU:      {func(x float64) float64 { return max(x, 0) }, func(x float64) float64 { return b2f(x > 0) }},
	LeakyReLU: {func(x float64) float64 { return max(x, 0.01*x) }, func(x float64) float64 { return 0.01 + 0.99*b2f(x > 0) }},
	Identity:  {func(x float64) float64 { return x }, func(x float64) float64 { return 1 }},
	Sigmoid:   {sigmoid64, func(x float64) float64 { s := sigmoid64(x); return s * sigmoid64(-x) }},
	Tanh:      {math.Tanh, func(x float64) float64 { c := math.Cosh(x); return 1 / (c * c) }},
	SiLU: {func(x float64) float64 { return x * sigmoid64(x) },
		func(x float64) float64 { return sigmoid64(x) + x*sigmoid64(x)*sigmoid64(-x) }},
	Softplus: {func(x float64) float64 { return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }, sigmoid64},
	ELU: {func(x float64) float64 {
		if x > 0 {
			return x
		}
		return math.Expm1(x)
	}, func(x float64) float64 {
		if x > 0 {
			return 1
		}
		return math.Exp(x)
	}},
	GELU: {func(x float64) float64 { return x * sigmoid64(gelu64Arg(x)) },
		func(x float64) float64 {
			v := gelu64Arg(x)
			dv := 2 * 0.7978845608028654 * (1 + 3*0.044715*x*x)
			return sigmoid64(v) + x*dv*sigmoid64(v)*sigmoid64(-v)
		}},
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// actBounds are the bounds of Act's and ActDeriv's doc comments: |Δ| ≤
// rel·2⁻²³·|f(x)| + abs, rel in ulps of the result.
var actBounds = map[Activation][2]struct{ rel, abs float64 }{
	Identity:  {{0, 0}, {0, 0}},
	ReLU:      {{0, 0}, {0, 0}},
	LeakyReLU: {{1, 0}, {1, 0}}, // the reference's 0.01 is not a float32
	Sigmoid:   {{3, 1e-37}, {4, 1e-37}},
	Tanh:      {{3, 1e-37}, {4, 1e-37}},
	SiLU:      {{3, 1e-37}, {4, 1e-7}},
	Softplus:  {{3, 1e-37}, {3, 1e-37}},
	ELU:       {{3, 1e-37}, {3, 1e-37}},
	GELU:      {{3, 0}, {4, 1e-7}}, // plus 2|2u| ulp for Act: see its doc
}

// TestActAccuracy measures every activation and derivative of the generic
// implementation (which every other one matches bit for bit) against its
// float64 reference over float32 values from −120 to 120 (every 3001st
// bit pattern, plus every one in [−2, 2] at a finer step), and fails past
// the documented bound. -v prints the measured worst errors.
func TestActAccuracy(t *testing.T) {
	var xs []float32
	for b := uint32(0); b < math.Float32bits(120); b += 3001 {
		xs = append(xs, math.Float32frombits(b), -math.Float32frombits(b))
	}
	for x := float32(-2); x < 2; x += 1.0 / 4096 {
		xs = append(xs, x)
	}
	for _, a := range Activations() {
		for d, name := range []string{"Act", "ActDeriv"} {
			ref := actRef[a][d]
			bound := actBounds[a][d]
			dst := make([]float32, len(xs))
			if d == 0 {
				Generic.Act(a, dst, xs)
			} else {
				Generic.ActDeriv(a, dst, xs)
			}
			var worst float64
			var worstX float32
			for i, x := range xs {
				want := ref(float64(x))
				if math.IsNaN(want) || math.IsInf(want, 0) || math.Abs(want) > math.MaxFloat32 {
					continue
				}
				err := math.Abs(float64(dst[i]) - want)
				if err <= bound.abs {
					continue
				}
				ulps := (err - bound.abs) / (0x1p-23 * math.Max(math.Abs(want), 0x1p-126))
				if a == GELU && d == 0 {
					ulps -= 2 * math.Abs(gelu64Arg(float64(x)))
				}
				if ulps > worst {
					worst, worstX = ulps, x
				}
			}
			t.Logf("%s(%v): worst %.2f ulp at x = %g", name, a, worst, worstX)
			if worst > bound.rel {
				t.Errorf("%s(%v): error %.2f ulp at x = %g (got %g, want %g), bound %v ulp + %g",
					name, a, worst, worstX, evalAct(a, d, worstX), ref(float64(worstX)), bound.rel, bound.abs)
			}
		}
	}
}

func evalAct(a Activation, d int, x float32) float32 {
	in, out := []float32{x}, []float32{0}
	if d == 0 {
		Generic.Act(a, out, in)
	} else {
		Generic.ActDeriv(a, out, in)
	}
	return out[0]
}

// TestActSpecials checks the documented special values: NaN in, NaN out,
// and the limits at ±Inf.
func TestActSpecials(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	for _, impl := range Available() {
		for _, a := range Activations() {
			out := []float32{0}
			impl.Act(a, out, []float32{nan})
			if !isNaN32(out[0]) {
				t.Errorf("%v Act(%v)(NaN) = %g", impl, a, out[0])
			}
			impl.ActDeriv(a, out, []float32{nan})
			if !isNaN32(out[0]) {
				t.Errorf("%v ActDeriv(%v)(NaN) = %g", impl, a, out[0])
			}
		}
		for _, c := range []struct {
			a       Activation
			x, f, d float32
		}{
			{Sigmoid, inf, 1, 0}, {Sigmoid, -inf, 0, 0}, {Tanh, inf, 1, 0}, {Tanh, -inf, -1, 0},
			{Softplus, inf, inf, 1}, {Softplus, -inf, 0, 0}, {ReLU, inf, inf, 1}, {ReLU, -inf, 0, 0},
			{SiLU, inf, inf, 1}, {SiLU, -inf, 0, 0}, {ELU, -inf, -1, 0}, {ELU, inf, inf, 1},
			{GELU, inf, inf, 1}, {GELU, -inf, 0, 0},
		} {
			f, d := []float32{0}, []float32{0}
			impl.Act(c.a, f, []float32{c.x})
			impl.ActDeriv(c.a, d, []float32{c.x})
			if f[0] != c.f || d[0] != c.d {
				t.Errorf("%v %v(%g) = %g, %g; want %g, %g", impl, c.a, c.x, f[0], d[0], c.f, c.d)
			}
		}
	}
}

// TestActNaN holds every implementation's activations and derivatives to
// a NaN for every kind of NaN input (signalling, quiet, either sign), the
// documented promise; which NaN is not promised (see [Impl.Act]).
func TestActNaN(t *testing.T) {
	in := []float32{math.Float32frombits(0x7f800001), math.Float32frombits(0xff812345),
		math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00007)}
	for _, impl := range Available() {
		for _, a := range Activations() {
			for _, k := range []struct {
				name string
				f    func(Activation, []float32, []float32)
			}{{"Act", impl.Act}, {"ActDeriv", impl.ActDeriv}, {"ActDeriv2", impl.ActDeriv2}} {
				out := make([]float32, len(in))
				k.f(a, out, in)
				for i, v := range out {
					if v == v {
						t.Errorf("%v %s(%v)(%#x) = %g, want a NaN", impl, k.name, a, math.Float32bits(in[i]), v)
					}
				}
			}
		}
	}
}

// TestActSignedZeros pins f(±0) bit for bit on every implementation:
// the functions that are odd, or x times an even positive factor, near 0
// (identity, tanh, SiLU, GELU, leaky ReLU) keep the sign of zero, as
// float64 math does, and so does ELU, as PyTorch's (expm1(−0) = −0); ReLU gives +0 for both, as max(x, 0) does; and
// the derivatives at ±0 are their values at 0 (ReLU' and leaky ReLU'
// take the left limit: 0 and 0.01).
func TestActSignedZeros(t *testing.T) {
	negz := float32(math.Copysign(0, -1))
	cases := []struct {
		a       Activation
		x, f, d float32
	}{
		{Identity, negz, negz, 1}, {Identity, 0, 0, 1},
		{ReLU, negz, 0, 0}, {ReLU, 0, 0, 0},
		{LeakyReLU, negz, negz, float32(leakySlope)}, {LeakyReLU, 0, 0, float32(leakySlope)},
		{Tanh, negz, negz, 1}, {Tanh, 0, 0, 1},
		{SiLU, negz, negz, 0.5}, {SiLU, 0, 0, 0.5},
		{GELU, negz, negz, 0.5}, {GELU, 0, 0, 0.5},
		{Sigmoid, negz, 0.5, 0.25}, {Sigmoid, 0, 0.5, 0.25},
		{ELU, negz, negz, 1}, {ELU, 0, 0, 1},
	}
	out := []float32{0}
	for _, impl := range Available() {
		for _, c := range cases {
			impl.Act(c.a, out, []float32{c.x})
			if bits(out[0]) != bits(c.f) {
				t.Errorf("%v Act(%v)(%g) = %g, want %g", impl, c.a, c.x, out[0], c.f)
			}
			impl.ActDeriv(c.a, out, []float32{c.x})
			if bits(out[0]) != bits(c.d) {
				t.Errorf("%v ActDeriv(%v)(%g) = %g, want %g", impl, c.a, c.x, out[0], c.d)
			}
		}
	}
}
