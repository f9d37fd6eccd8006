// Package acts describes scorekit's activation functions once for the
// amd64 generators: the body of each activation and of its derivative, as
// the sequence of operations of its scalar Go twin in kernel/act.go, for
// the elementwise kernels (gen/amd64/act) and the GEMM microkernels'
// epilogue (gen/amd64/gemm).
package acts

import (
	"math/big"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/vec"
)

// Constants of kernel/act.go, rounded once to float32 as Go rounds them.
var (
	tanhSmall, tanhC3, tanhC5, tanhC7, tanhC9, tanhC11 Mem
	atanhC                                             [16]Mem
	four, slope, negQuarter, expm1C8                   Mem
	negClamp, posClamp                                 Mem
	expOneMin, geluHi                                  Mem
	geluC2, geluK2, geluK2x3                           Mem
)

// Declare emits the activations' constants (and, through vec, the exp
// sequence's); call it once per generated file, before the first TEXT. A
// file whose loops have tails also needs vec.DeclareTables.
func Declare() {
	vec.DeclareExp()
	tanhSmall = vec.F("tanh_small", "0.25")
	tanhC3 = vec.F("tanh_c3", "-1/3")
	tanhC5 = vec.F("tanh_c5", "2/15")
	tanhC7 = vec.F("tanh_c7", "-17/315")
	tanhC9 = vec.F("tanh_c9", "62/2835")
	tanhC11 = vec.F("tanh_c11", "-1382/155925")
	for k := 3; k <= 15; k += 2 {
		atanhC[k] = vec.FRat("atanh_c"+itoa(k), big.NewRat(1, int64(k)))
	}
	four = vec.F("four", "4")
	negClamp = vec.F("neg_clamp", "-128")
	posClamp = vec.F("pos_clamp", "128")
	expOneMin = vec.F("exp_one_min", "-18")
	geluHi = vec.F("gelu_hi", "6")
	slope = vec.F("leaky_slope", "0.01")
	negQuarter = vec.F("neg_quarter", "-0.25")
	expm1C8 = vec.F("expm1_c8", "1/40320")
	c := rat("0.7978845608028654")
	k := rat("0.044715")
	two := big.NewRat(2, 1)
	c2 := new(big.Rat).Mul(two, c)
	k2 := new(big.Rat).Mul(c2, k)
	geluC2 = vec.FRat("gelu_c2", c2)
	geluK2 = vec.FRat("gelu_k2", k2)
	geluK2x3 = vec.FRat("gelu_k2x3", new(big.Rat).Mul(big.NewRat(3, 1), k2))
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func itoa(k int) string { return big.NewInt(int64(k)).String() }

// Kernel is one elementwise function: its kernel name (SiLU, SiLUDeriv),
// the scalar Go function of kernel/act.go whose operation sequence it is,
// and the body that emits that sequence for one vector x.
type Kernel struct {
	Name string
	Doc  string
	Body func(a *vec.ISA, x VecVirtual) VecVirtual
}

// Kernels lists every activation and its first derivative.
var Kernels = []Kernel{
	{"ReLU", "relu32", relu},
	{"ReLUDeriv", "reluDeriv32", reluDeriv},
	{"LeakyReLU", "leaky32", leaky},
	{"LeakyReLUDeriv", "leakyDeriv32", leakyDeriv},
	{"Sigmoid", "sigmoid32", sigmoid},
	{"SigmoidDeriv", "sigmoidDeriv32", sigmoidDeriv},
	{"SiLU", "silu32", silu},
	{"SiLUDeriv", "siluDeriv32", siluDeriv},
	{"Tanh", "tanh32", tanh},
	{"TanhDeriv", "tanhDeriv32", tanhDeriv},
	{"Softplus", "softplus32", softplus},
	{"ELU", "elu32", elu},
	{"ELUDeriv", "eluDeriv32", eluDeriv},
	{"GELU", "gelu32", gelu},
	{"GELUDeriv", "geluDeriv32", geluDeriv},
}

// Forward lists the activations' kernel names in the order of
// kernel.Activation: Forward[i] is activation i (Forward[0], the identity,
// has no body). The GEMM epilogue dispatches on these numbers, and kernel's
// tests compare every activation's epilogue with the generic code, so a
// wrong order fails them.
var Forward = []string{"", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "SiLU", "Softplus", "ELU", "GELU"}

// Body returns the body of the kernel named name.
func Body(name string) func(a *vec.ISA, x VecVirtual) VecVirtual {
	for _, k := range Kernels {
		if k.Name == name {
			return k.Body
		}
	}
	panic("acts: no kernel " + name)
}

func zero(a *vec.ISA) VecVirtual {
	z := a.Vec()
	VXORPS(z, z, z)
	return z
}

// parts returns e = exp(−|x|) and r = 1/(1+e) (kernel's sigmoidParts).
func parts(a *vec.ISA, x VecVirtual) (e, r VecVirtual) {
	na := a.Vec()
	VORPS(a.C(vec.SignMask), x, na)
	e = a.ExpNonPos(na)
	t := a.Vec()
	VADDPS(a.C(vec.One), e, t)
	r = a.Load(vec.One)
	VDIVPS(t, r, r)
	return e, r
}

// sig returns σ(x) = x ≥ 0 ? r : e·r (on AVX-512, r multiplied by e
// where !(x ≥ 0): no blend).
func sig(a *vec.ISA, x, e, r VecVirtual) VecVirtual {
	s := a.Vec()
	if a.AVX512 {
		neg := a.Cmp(vec.NGE_UQ, x, zero(a))
		VMOVAPS(r, s)
		a.MulWhere(neg, e, r, s)
		return s
	}
	VMULPS(r, e, s)
	a.Select(a.Cmp(vec.GE_OQ, x, zero(a)), r, s, s)
	return s
}

// err2 returns (e·r)·r.
func err2(a *vec.ISA, e, r VecVirtual) VecVirtual {
	d := a.Vec()
	VMULPS(r, e, d)
	VMULPS(r, d, d)
	return d
}

// nanTo sets d = x where x is NaN.
func nanTo(a *vec.ISA, x, d VecVirtual) {
	a.Select(a.Cmp(vec.UNORD, x, x), x, d, d)
}

func relu(a *vec.ISA, x VecVirtual) VecVirtual {
	z := zero(a)
	a.Select(a.Cmp(vec.NLE_UQ, x, z), x, z, z)
	return z
}

func reluDeriv(a *vec.ISA, x VecVirtual) VecVirtual {
	z := zero(a)
	d := a.Vec()
	a.Select(a.Cmp(vec.GT_OQ, x, z), a.Load(vec.One), z, d)
	nanTo(a, x, d)
	return d
}

func leaky(a *vec.ISA, x VecVirtual) VecVirtual {
	sx := a.Vec()
	VMULPS(a.C(slope), x, sx)
	a.Select(a.Cmp(vec.NLE_UQ, x, zero(a)), x, sx, sx)
	return sx
}

func leakyDeriv(a *vec.ISA, x VecVirtual) VecVirtual {
	d := a.Load(slope)
	a.Select(a.Cmp(vec.GT_OQ, x, zero(a)), a.Load(vec.One), d, d)
	nanTo(a, x, d)
	return d
}

func sigmoid(a *vec.ISA, x VecVirtual) VecVirtual {
	e, r := parts(a, x)
	return sig(a, x, e, r)
}

func sigmoidDeriv(a *vec.ISA, x VecVirtual) VecVirtual {
	e, r := parts(a, x)
	return err2(a, e, r)
}

// clampLo returns max(x, −128) and clamp min(max(x, −128), 128), NaN
// passing through (kernel's clampLo and clamp).
func clampLo(a *vec.ISA, x VecVirtual) VecVirtual {
	t := a.Load(negClamp)
	VMAXPS(x, t, t)
	return t
}

func clamp(a *vec.ISA, x VecVirtual) VecVirtual {
	t := clampLo(a, x)
	h := a.Load(posClamp)
	VMINPS(t, h, t)
	return t
}

// silu is kernel's silu32: x ≥ 0 gives x/(1+e), anything else (NaN too)
// clampLo(x)·e/(1+e). On AVX-512 that clampLo is exp's own clamped
// argument, max(−|x|, −104) = max(x, −104) there: the same as max(x,
// −128) down to −104, and below it, where e = exp(−104) = 0, a product of
// −0 either way; and the product goes into x's lanes by a masked
// multiply, not a blend. AVX2's 16 registers do not hold that clamp
// through exp in the interleaved loops: it computes clampLo and blends.
func silu(a *vec.ISA, x VecVirtual) VecVirtual {
	na := a.Vec()
	VORPS(a.C(vec.SignMask), x, na)
	ce := a.Vec()
	var e VecVirtual
	if a.AVX512 {
		var c VecVirtual
		e, c = a.ExpNonPosClamped(na)
		neg := a.Cmp(vec.NGE_UQ, x, zero(a))
		VMOVAPS(x, ce)
		a.MulWhere(neg, c, e, ce)
	} else {
		e = a.ExpNonPos(na)
		c := clampLo(a, x)
		VMULPS(e, c, ce)
		a.Select(a.Cmp(vec.GE_OQ, x, zero(a)), c, ce, ce)
	}
	d := a.Vec()
	VADDPS(a.C(vec.One), e, d)
	VDIVPS(d, ce, ce)
	return ce
}

func siluDeriv(a *vec.ISA, x VecVirtual) VecVirtual {
	e, r := parts(a, x)
	s := sig(a, x, e, r)
	VFMADD231PS(clamp(a, x), err2(a, e, r), s)
	return s
}

// tanhParts returns |x|, e = exp(−2|x|) and r = 1/(1+e). For the
// forward tanh (forward), exp's argument is clamped below at kernel's
// expOneMin: e enters tanh only through 1 ± e, so the bits are the same
// and exp does not underflow. The derivative needs e itself: no clamp.
func tanhParts(a *vec.ISA, x VecVirtual, forward bool) (ax, e, r VecVirtual) {
	ax = a.Vec()
	VANDPS(a.C(vec.AbsMask), x, ax)
	m := a.Vec()
	VMULPS(a.C(vec.Neg2), ax, m)
	if forward {
		e = a.ExpNonPosAbove(m, expOneMin)
	} else {
		e = a.ExpNonPos(m)
	}
	t := a.Vec()
	VADDPS(a.C(vec.One), e, t)
	r = a.Load(vec.One)
	VDIVPS(t, r, r)
	return ax, e, r
}

func tanh(a *vec.ISA, x VecVirtual) VecVirtual {
	ax, e, r := tanhParts(a, x, true)
	t := a.Load(vec.One)
	VSUBPS(e, t, t)
	VMULPS(r, t, t)
	Comment("|x| < 0.25: odd Taylor polynomial")
	a2 := a.Vec()
	VMULPS(ax, ax, a2)
	q := a.Load(tanhC11)
	for _, c := range []Mem{tanhC9, tanhC7, tanhC5, tanhC3} {
		VFMADD213PS(a.C(c), a2, q)
	}
	a3 := a.Vec()
	VMULPS(a2, ax, a3)
	VFMADD213PS(ax, q, a3)
	a.Select(a.Cmp(vec.LT_OQ, ax, a.C(tanhSmall)), a3, t, t)
	sgn := a.Vec()
	VANDPS(a.C(vec.SignMask), x, sgn)
	VORPS(sgn, t, t)
	return t
}

func tanhDeriv(a *vec.ISA, x VecVirtual) VecVirtual {
	_, e, r := tanhParts(a, x, false)
	d := a.Vec()
	VMULPS(a.C(four), e, d)
	VMULPS(r, d, d)
	VMULPS(r, d, d)
	return d
}

func softplus(a *vec.ISA, x VecVirtual) VecVirtual {
	na := a.Vec()
	VORPS(a.C(vec.SignMask), x, na)
	e := a.ExpNonPos(na)
	t := a.Vec()
	VADDPS(a.C(vec.Two), e, t)
	s := a.Vec()
	VDIVPS(t, e, s)
	s2 := a.Vec()
	VMULPS(s, s, s2)
	q := a.Load(atanhC[15])
	for k := 13; k >= 3; k -= 2 {
		VFMADD213PS(a.C(atanhC[k]), s2, q)
	}
	VADDPS(s, s, s)
	l := a.Vec()
	VMULPS(s2, s, l)
	VFMADD213PS(s, q, l)
	m := zero(a)
	VMAXPS(x, m, m)
	VADDPS(l, m, m)
	return m
}

func elu(a *vec.ISA, x VecVirtual) VecVirtual {
	Comment("|x| < 0.25: Taylor polynomial of eˣ − 1")
	q := a.Load(expm1C8)
	VFMADD213PS(a.C(vec.ExpC(7)), x, q)
	for k := 6; k >= 2; k-- {
		VFMADD213PS(a.C(vec.ExpC(k)), x, q)
	}
	x2 := a.Vec()
	VMULPS(x, x, x2)
	VFMADD213PS(x, q, x2)
	e := a.ExpAbove(x, expOneMin)
	VSUBPS(a.C(vec.One), e, e)
	neg := a.Load(negQuarter)
	a.Select(a.Cmp(vec.GT_OQ, x, neg), x2, e, e)
	a.Select(a.Cmp(vec.NLT_UQ, x, zero(a)), x, e, e) // x ≥ 0 (−0 too) or NaN: x
	return e
}

func eluDeriv(a *vec.ISA, x VecVirtual) VecVirtual {
	e := a.Exp(x)
	a.Select(a.Cmp(vec.GT_OQ, x, zero(a)), a.Load(vec.One), e, e)
	return e
}

// geluArg returns x² and v = 2u = x·fma(k2, x², c2).
func geluArg(a *vec.ISA, x VecVirtual) (x2, v VecVirtual) {
	x2 = a.Vec()
	VMULPS(x, x, x2)
	v = a.Load(geluK2)
	VFMADD213PS(a.C(geluC2), x2, v)
	VMULPS(x, v, v)
	return x2, v
}

func gelu(a *vec.ISA, x VecVirtual) VecVirtual {
	Comment("x clamped to [−128, 6]: kernel's geluHi (NaN passes)")
	lo := clampLo(a, x)
	xc := a.Load(geluHi)
	VMINPS(lo, xc, xc)
	_, v := geluArg(a, xc)
	e, r := parts(a, v)
	s := sig(a, v, e, r)
	VMULPS(lo, s, s)
	return s
}

func geluDeriv(a *vec.ISA, x VecVirtual) VecVirtual {
	x = clamp(a, x)
	x2, v := geluArg(a, x)
	e, r := parts(a, v)
	s := sig(a, v, e, r)
	dv := a.Load(geluK2x3)
	VFMADD213PS(a.C(geluC2), x2, dv)
	VMULPS(x, dv, dv)
	VFMADD231PS(dv, err2(a, e, r), s)
	return s
}
