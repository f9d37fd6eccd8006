package kernel

import (
	"fmt"
	"math"
	"strings"
)

// Activation names an elementwise activation function.
type Activation uint8

// The activations. LeakyReLU has slope 0.01 below zero and ELU has α = 1,
// PyTorch's defaults.
const (
	Identity Activation = iota
	ReLU
	LeakyReLU
	Tanh
	Sigmoid
	SiLU
	Softplus
	ELU
	GELU // tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
	numActs
)

var actNames = [numActs]string{"identity", "relu", "leakyrelu", "tanh", "sigmoid", "silu", "softplus", "elu", "gelu"}

// String returns the activation's name as ParseActivation accepts it.
func (a Activation) String() string {
	if a < numActs {
		return actNames[a]
	}
	return fmt.Sprintf("Activation(%d)", uint8(a))
}

// ParseActivation returns the activation with the given name
// (case-insensitive; "swish" is SiLU).
func ParseActivation(name string) (Activation, error) {
	if strings.EqualFold(name, "swish") {
		return SiLU, nil
	}
	for i, n := range actNames {
		if strings.EqualFold(name, n) {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("kernel: unknown activation %q (want one of %s)", name, strings.Join(actNames[:], ", "))
}

// Valid reports whether a is one of the activations the kernels have
// (those of [Activations]).
func (a Activation) Valid() bool { return a < numActs }

func (a Activation) must(kern string) {
	if !a.Valid() {
		panic(fmt.Sprintf("kernel: %s: unknown activation %v", kern, a))
	}
}

// Activations returns every activation, in order.
func Activations() []Activation {
	out := make([]Activation, numActs)
	for i := range out {
		out[i] = Activation(i)
	}
	return out
}

// The activation kernels run through actImpl and actDerivImpl (and
// actDeriv2Impl, act2.go): per architecture, a switch on the
// implementation and then on the activation (act_amd64.go, act_arm64.go,
// act_noasm.go; see Dispatch in impl.go). The generic kernels are
// actGeneric and actDerivGeneric, below.

// Act sets dst[i] = f(x[i]) for the activation f = a, with i's kernels.
// dst and x may be the same slice.
//
//	for i, v := range x { dst[i] = f(v) }
//
// Error bounds against float64 math, measured by TestActAccuracy over
// every float32 in a wide range, with |Δ| ≤ rel·|f(x)| + abs:
//
//	identity, relu, leakyrelu   exact (leakyrelu: to the rounding of 0.01·x)
//	sigmoid, tanh, softplus     rel 3 ulp
//	silu                        rel 3 ulp
//	elu                         rel 3 ulp
//	gelu                        rel 3 + 2·|2u| ulp, 2u = 2√(2/π)(x + 0.044715x³):
//	                            for x < 0, σ(2u) inherits the rounding of 2u
//	                            (at x = −4.5, gelu = −4.9e-6 to 9 ulp)
//
// Results below the smallest normal float32 (|f(x)| < 1.2e-38, where
// subnormals carry fewer bits) are within 1e-37 absolute.
//
// Speed: on Intel cores, an operation whose result underflows (to a
// subnormal or to 0) takes a microcode assist, since Go runs with
// subnormals on; a vector holding such a lane costs ten to thirty times
// the usual. The forward tanh, elu and gelu avoid it where the tiny value
// cannot reach the result (x ≥ 6 for gelu). It remains where the result
// itself is tiny: silu, sigmoid and softplus below x ≈ −87, gelu below x
// ≈ −10, and the derivatives there (BenchmarkActLarge: gelu at x = −11
// and silu at x = −95, measured on an Intel Xeon; other cores were not
// measured).
//
// Special values: NaN gives NaN; f(±Inf) and f'(±Inf) are the limits.
// Which NaN is not promised: its sign and payload may differ among
// implementations, and a signalling NaN may come back quiet (neon's ReLU
// and leaky ReLU return an sNaN x with its quiet bit set, as Arm's FMAX
// and FMUL do, where generic returns it as it is; TestActNaN).
func (i Impl) Act(a Activation, dst, x []float32) {
	if len(dst) != len(x) {
		panicLen("Act("+a.String()+")", "len(dst), len(x)", len(dst), len(x))
	}
	i.must("Act")
	a.must("Act")
	actImpl(i, a, dst, x)
}

// ActDeriv sets dst[i] = f'(x[i]) for the activation f = a, with i's
// kernels. dst and x may be the same slice.
//
//	for i, v := range x { dst[i] = f'(v) }
//
// Error bounds, as for Act (TestActAccuracy), with |Δ| ≤ rel·|f'(x)| + abs:
//
//	identity, relu, leakyrelu   exact (relu'(0) = 0; leakyrelu' below 0 is float32(0.01))
//	sigmoid, tanh               rel 4 ulp
//	silu                        rel 4 ulp, abs 1e-7 (f' crosses 0 at x ≈ −1.278)
//	softplus                    rel 3 ulp (it is sigmoid)
//	elu                         rel 3 ulp
//	gelu                        rel 4 ulp, abs 1e-7 (f' crosses 0 at x ≈ −0.75)
func (i Impl) ActDeriv(a Activation, dst, x []float32) {
	if len(dst) != len(x) {
		panicLen("ActDeriv("+a.String()+")", "len(dst), len(x)", len(dst), len(x))
	}
	i.must("ActDeriv")
	a.must("ActDeriv")
	actDerivImpl(i, a, dst, x)
}

// Act sets dst[i] = f(x[i]) with the active implementation; see [Impl.Act].
func Act(a Activation, dst, x []float32) { active.Act(a, dst, x) }

// ActDeriv sets dst[i] = f'(x[i]) with the active implementation; see
// [Impl.ActDeriv].
func ActDeriv(a Activation, dst, x []float32) { active.ActDeriv(a, dst, x) }

// The scalar definitions below are the oracle: every implementation
// computes each element with this sequence of operations.

// sigmoidParts returns e = exp(−|x|) and r = 1/(1+e), from which
// σ(x) = r (x ≥ 0) or e·r (x < 0) and σ'(x) = e·r·r without cancellation.
func sigmoidParts(x float32) (e, r float32) {
	e = exp32(-abs32(x))
	r = 1 / (1 + e)
	return e, r
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func copysign32(x, s float32) float32 {
	return math.Float32frombits(math.Float32bits(x)&^(1<<31) | math.Float32bits(s)&(1<<31))
}

func isNaN32(x float32) bool { return x != x }

func relu32(x float32) float32 {
	if x > 0 || isNaN32(x) {
		return x
	}
	return 0
}

func reluDeriv32(x float32) float32 {
	switch {
	case isNaN32(x):
		return x
	case x > 0:
		return 1
	}
	return 0
}

const leakySlope = 0.01

func leaky32(x float32) float32 {
	if x > 0 || isNaN32(x) {
		return x
	}
	return leakySlope * x
}

func leakyDeriv32(x float32) float32 {
	switch {
	case isNaN32(x):
		return x
	case x > 0:
		return 1
	}
	return leakySlope
}

func sigmoid32(x float32) float32 {
	e, r := sigmoidParts(x)
	if x >= 0 {
		return r
	}
	return e * r
}

func sigmoidDeriv32(x float32) float32 {
	e, r := sigmoidParts(x)
	return e * r * r
}

// actClamp bounds x where it multiplies a factor that is exactly 0 for
// |x| > 104 (σ(x) below −104, σ'(x) beyond ±104), so that ±Inf gives the
// limit instead of Inf·0 = NaN. Finite results do not change.
const actClamp = 128

func clampLo(x float32) float32 { return max(x, -actClamp) }

func clamp(x float32) float32 { return min(max(x, -actClamp), actClamp) }

// Bounds that keep an exponential from underflowing where its value
// cannot reach the result: an exp whose result is a subnormal or rounds
// to 0 costs a microcode assist per vector on Intel cores (Go runs with
// subnormals on), ten to thirty times the vector's usual cost (gelu at
// x = 11 took 22 µs per 4096 values against 1.8 µs at x = 1 on a Xeon
// with AVX-512 before these bounds; BenchmarkActLarge). Where e = exp(·)
// enters only through 1 ± e, every e below 2⁻²⁵ gives the bits that 0
// gives, so these bounds change no result (checked against the unbounded
// functions for every float32 in ±[4, 64] for tanh, [−256, −4] for elu,
// [1, 256] for gelu and every 97th bit pattern, 2026-12-06):
//   - tanh32 and elu32 take exp of max(·, −18): e ≥ exp(−18) ≈ 1.5e-8,
//     and 1 − e, 1 + e and e − 1 round to ±1 for every e ≤ that;
//   - gelu32 clamps x above at 6, where 2u ≈ 25: σ(2u) = 1/(1 + e) is
//     exactly 1 for every x ≥ 6, so gelu(x) = x there as before.
//
// The bounds do not reach derivatives, which need e itself, nor x < 0
// in gelu, silu, sigmoid and softplus, where e·… is the result: those
// still underflow where their results do. neon leaves the bounds out
// (its code is as before): the same bits.
const (
	expOneMin = -18
	geluHi    = 6
)

// floorOne is max(x, expOneMin) with a NaN passed through as it is.
func floorOne(x float32) float32 {
	if x < expOneMin {
		return expOneMin
	}
	return x
}

// silu32 is x·σ(x) as one quotient: with e = exp(−|x|), x/(1+e) for
// x ≥ 0 and x·e/(1+e) below, x clamped below so that −Inf gives 0. One
// division and no σ first (one rounding fewer than x·σ(x)). The avx512
// kernels take that clamp from exp's own, max(x, −104), the same bits:
// below −104, e = 0 and the product is −0 either way (gen/amd64/acts).
func silu32(x float32) float32 {
	e := exp32(-abs32(x))
	c := clampLo(x)
	if !(x >= 0) {
		c *= e
	}
	return c / (1 + e)
}

func siluDeriv32(x float32) float32 {
	e, r := sigmoidParts(x)
	s := r
	if !(x >= 0) {
		s = e * r
	}
	return fma32(clamp(x), e*r*r, s)
}

// Odd Taylor coefficients of tanh, used for |x| < tanhSmall, where the
// next term is below 1e-8 relative.
const (
	tanhSmall = 0.25
	tanhC3    = -1.0 / 3
	tanhC5    = 2.0 / 15
	tanhC7    = -17.0 / 315
	tanhC9    = 62.0 / 2835
	tanhC11   = -1382.0 / 155925
)

// tanh32: with a = |x|, e = exp(−2a), r = 1/(1+e):
// tanh(a) = (1−e)·r for a ≥ 0.25 and a + a³·q(a²) below, sign restored.
func tanh32(x float32) float32 {
	a := abs32(x)
	e := exp32(floorOne(a * -2))
	r := 1 / (1 + e)
	t := (1 - e) * r
	if a < tanhSmall {
		a2 := a * a
		q := float32(tanhC11)
		q = fma32(q, a2, tanhC9)
		q = fma32(q, a2, tanhC7)
		q = fma32(q, a2, tanhC5)
		q = fma32(q, a2, tanhC3)
		t = fma32(a*a2, q, a)
	}
	return copysign32(t, x)
}

// tanhDeriv32: 1 − tanh² = 4e/(1+e)² with e = exp(−2|x|), free of the
// cancellation of 1 − t·t.
func tanhDeriv32(x float32) float32 {
	e := exp32(abs32(x) * -2)
	r := 1 / (1 + e)
	return 4 * e * r * r
}

// Coefficients of 2·atanh(s) = log1p(e) with s = e/(2+e) ∈ [0, 1/3]:
// 2(s + s³/3 + … + s¹⁵/15), the next term below 2e-8 relative.
const (
	atanhC3  = 1.0 / 3
	atanhC5  = 1.0 / 5
	atanhC7  = 1.0 / 7
	atanhC9  = 1.0 / 9
	atanhC11 = 1.0 / 11
	atanhC13 = 1.0 / 13
	atanhC15 = 1.0 / 15
)

// softplus32: log(1+eˣ) = max(x, 0) + log1p(e), e = exp(−|x|), with
// log1p(e) = 2·atanh(e/(2+e)): a sum of two non-negative terms, so no
// cancellation anywhere.
func softplus32(x float32) float32 {
	e := exp32(-abs32(x))
	s := e / (2 + e)
	s2 := s * s
	q := float32(atanhC15)
	q = fma32(q, s2, atanhC13)
	q = fma32(q, s2, atanhC11)
	q = fma32(q, s2, atanhC9)
	q = fma32(q, s2, atanhC7)
	q = fma32(q, s2, atanhC5)
	q = fma32(q, s2, atanhC3)
	s += s
	l := fma32(s*s2, q, s)
	return max(x, 0) + l
}

// mapSlice sets dst[i] = f(x[i]) for every i < len(x). The slices do
// not escape (f sees only elements), and where f is a known function the
// call inlines.
func mapSlice(f func(float32) float32, dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = f(v)
	}
}

func identityDeriv32(x float32) float32 {
	if isNaN32(x) {
		return x
	}
	return 1
}

// expm1Small is the Taylor polynomial of eˣ − 1 to x⁸/8!, used for
// |x| < 0.25 where exp(x) − 1 would cancel.
func expm1Small(x float32) float32 {
	q := float32(1.0 / 40320)
	q = fma32(q, x, expC7)
	q = fma32(q, x, expC6)
	q = fma32(q, x, expC5)
	q = fma32(q, x, expC4)
	q = fma32(q, x, expC3)
	q = fma32(q, x, expC2)
	return fma32(x*x, q, x)
}

// elu32: x for x ≥ 0, eˣ − 1 below (α = 1). ELU(−0) is −0, as PyTorch's
// elu gives (expm1(−0) = −0): −0 takes the x branch, which keeps its sign.
func elu32(x float32) float32 {
	if !(x < 0) { // x ≥ 0 or NaN
		return x
	}
	if x > -0.25 {
		return expm1Small(x)
	}
	return exp32(floorOne(x)) - 1
}

func eluDeriv32(x float32) float32 {
	if x > 0 || isNaN32(x) {
		return identityDeriv32(x)
	}
	return exp32(x)
}

// GELU, tanh form, written as x·σ(2u) with u = √(2/π)(x + 0.044715x³),
// since ½(1 + tanh u) = σ(2u) and σ does not cancel for negative u.
const (
	geluC  = 0.7978845608028654 // √(2/π)
	geluK  = 0.044715
	geluC2 = 2 * geluC         // 2√(2/π)
	geluK2 = 2 * geluC * geluK // 2√(2/π)·0.044715
)

// geluArg returns 2u = x·(2c + 2ck·x²).
func geluArg(x float32) float32 { return x * fma32(geluK2, x*x, geluC2) }

func gelu32(x float32) float32 {
	return clampLo(x) * sigmoid32(geluArg(min(max(x, -actClamp), geluHi)))
}

// geluDeriv32: σ(2u) + x·σ'(2u)·(2u)', (2u)' = 2c + 3·2ck·x², all with x
// clamped to ±128 (where σ' is already exactly 0).
func geluDeriv32(x float32) float32 {
	x = clamp(x)
	v := geluArg(x)
	e, r := sigmoidParts(v)
	s := r
	if !(v >= 0) {
		s = e * r
	}
	dv := fma32(3*geluK2, x*x, geluC2)
	return fma32(x*dv, e*r*r, s)
}

// actGeneric is the portable Act: the scalar definitions above, element
// by element.
func actGeneric(a Activation, dst, x []float32) {
	switch a {
	case Identity:
		copy(dst, x)
	case ReLU:
		mapSlice(relu32, dst, x)
	case LeakyReLU:
		mapSlice(leaky32, dst, x)
	case Tanh:
		mapSlice(tanh32, dst, x)
	case Sigmoid:
		mapSlice(sigmoid32, dst, x)
	case SiLU:
		mapSlice(silu32, dst, x)
	case Softplus:
		mapSlice(softplus32, dst, x)
	case ELU:
		mapSlice(elu32, dst, x)
	case GELU:
		mapSlice(gelu32, dst, x)
	default:
		panic(noKernel("Act", Generic, a))
	}
}

// actDerivGeneric is the portable ActDeriv.
func actDerivGeneric(a Activation, dst, x []float32) {
	switch a {
	case Identity:
		mapSlice(identityDeriv32, dst, x)
	case ReLU:
		mapSlice(reluDeriv32, dst, x)
	case LeakyReLU:
		mapSlice(leakyDeriv32, dst, x)
	case Tanh:
		mapSlice(tanhDeriv32, dst, x)
	case Sigmoid:
		mapSlice(sigmoidDeriv32, dst, x)
	case SiLU:
		mapSlice(siluDeriv32, dst, x)
	case Softplus:
		mapSlice(sigmoid32, dst, x) // softplus′ = σ
	case ELU:
		mapSlice(eluDeriv32, dst, x)
	case GELU:
		mapSlice(geluDeriv32, dst, x)
	default:
		panic(noKernel("ActDeriv", Generic, a))
	}
}

// noKernel is the panic of an activation switch with no case for a: every
// activation has one, and the panic makes a missing case fail every test
// that runs it, instead of running some other implementation's kernel
// unnoticed (as noAsm does for implementations).
func noKernel(kern string, i Impl, a Activation) string {
	return "kernel: " + kern + "(" + a.String() + "): no " + i.String() + " kernel"
}
