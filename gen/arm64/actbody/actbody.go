// Package actbody describes, once, the NEON sequences of scorekit's
// activations and their first and second derivatives, for every generator
// that emits them: gen/arm64/act (the elementwise kernels of package
// kernel) and gen/arm64/gemm (the GEMM microkernel's epilogue). Each body
// computes every lane with the operation sequence of its scalar twin in
// kernel/act.go or kernel/act2.go, so results agree bit for bit.
package actbody

import (
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

// The constants of kernel/act.go, as untyped constants so that each
// converts to float32 exactly as there.
const (
	leakySlope = 0.01
	tanhSmall  = 0.25
	tanhC3     = -1.0 / 3
	tanhC5     = 2.0 / 15
	tanhC7     = -17.0 / 315
	tanhC9     = 62.0 / 2835
	tanhC11    = -1382.0 / 155925
	atanhC3    = 1.0 / 3
	atanhC5    = 1.0 / 5
	atanhC7    = 1.0 / 7
	atanhC9    = 1.0 / 9
	atanhC11   = 1.0 / 11
	atanhC13   = 1.0 / 13
	atanhC15   = 1.0 / 15
	geluC      = 0.7978845608028654
	geluK      = 0.044715
	geluC2     = 2 * geluC
	geluK2     = 2 * geluC * geluK
	geluK3     = 3 * geluK2
	geluK6     = 6 * geluK2
	expm1C8    = 1.0 / 40320 // eˣ − 1's Taylor coefficients 1/k! (kernel's expm1Small)
	expm1C7    = 1.0 / 5040
	expm1C6    = 1.0 / 720
	expm1C5    = 1.0 / 120
	expm1C4    = 1.0 / 24
	expm1C3    = 1.0 / 6
	expm1C2    = 1.0 / 2
	actClamp   = 128
)

func f32bits(v float32) uint32 { return neon.F32(float64(v)) }

// Body is one elementwise function: the scalar function of package kernel
// whose operation sequence it follows, the number of vectors a loop should
// take at a time (as many as its registers allow), and Setup, which loads
// the constants (call it before the loops) and returns the computation of
// one group (it allocates the result, which the caller frees, and frees
// everything else; x is not changed).
type Body struct {
	Scalar string
	Unroll int
	Setup  func(g *neon.Gen) func(x neon.G) neon.G
}

// expNegAbs returns a new group holding exp32(−|v|), as kernel's
// sigmoidParts and silu32 begin.
func expNegAbs(g *neon.Gen, ec *neon.ExpConsts, v neon.G) neon.G {
	a := g.New()
	g.FABS(a, v)
	g.FNEG(a, a)
	e := g.Exp(ec, a)
	g.Free(a)
	return e
}

// sigmoidParts returns e = exp32(−|v|) and r = 1/(1+e), as
// kernel.sigmoidParts.
func sigmoidParts(g *neon.Gen, ec *neon.ExpConsts, one emit.V, v neon.G) (e, r neon.G) {
	e = expNegAbs(g, ec, v)
	r = g.New()
	g.FADD(r, g.B(one), e)
	g.FDIV(r, g.B(one), r)
	return e, r
}

// sigmoidOf returns σ(v) = v ≥ 0 ? r : e·r, freeing e and r.
func sigmoidOf(g *neon.Gen, e, r, v neon.G) neon.G {
	g.FMUL(e, e, r)
	m := g.New()
	g.FCMGEZ(m, v)
	g.VBIT(e, r, m)
	g.Free(r, m)
	return e
}

// tanhK holds tanh32's constants.
type tanhK struct {
	negTwo, small, sign, c11 emit.V
	c9, c7, c5, c3           neon.Coef
}

func loadTanh(g *neon.Gen) *tanhK {
	g.E.Comment("constants of tanh32")
	return &tanhK{
		negTwo: g.Const(neon.F32(-2)), small: g.Const(f32bits(tanhSmall)), sign: g.Const(0x80000000),
		c11: g.Const(f32bits(tanhC11)),
		c9:  g.Coef(f32bits(tanhC9)), c7: g.Coef(f32bits(tanhC7)), c5: g.Coef(f32bits(tanhC5)), c3: g.Coef(f32bits(tanhC3)),
	}
}

// tanhOf returns tanh32(x).
func tanhOf(g *neon.Gen, ec *neon.ExpConsts, tk *tanhK, one emit.V, x neon.G) neon.G {
	t, _, _ := tanhParts(g, ec, tk, one, x, false)
	return t
}

// tanhParts returns tanh32(x) and, if keep, the e = exp(−2|x|) and
// r = 1/(1+e) it was computed from (which tanhDeriv32 shares; the caller
// frees them). Without keep they are freed as soon as they are used, so
// that the series' registers can reuse theirs.
func tanhParts(g *neon.Gen, ec *neon.ExpConsts, tk *tanhK, one emit.V, x neon.G, keep bool) (t, e, r neon.G) {
	a := g.New()
	g.FABS(a, x)
	t = g.New()
	g.FMUL(t, a, g.B(tk.negTwo))
	e = g.Exp(ec, t)
	r = g.New()
	g.FADD(r, g.B(one), e)
	g.FDIV(r, g.B(one), r)
	g.FSUB(t, g.B(one), e)
	g.FMUL(t, t, r) // t = (1−e)·r
	if !keep {
		g.Free(e, r)
		e, r = nil, nil
	}
	a2 := g.New()
	g.FMUL(a2, a, a)
	q := g.Fresh(tk.c9)
	g.FMLA(q, g.B(tk.c11), a2)
	for _, c := range []neon.Coef{tk.c7, tk.c5, tk.c3} {
		q = g.Horner(q, a2, c)
	}
	g.FMUL(a2, a, a2) // a·a²
	ts := g.Copy(a)
	g.FMLA(ts, a2, q) // fma(a·a², q, a)
	m := g.New()
	g.FCMGT(m, g.B(tk.small), a)
	g.VBIT(t, ts, m) // a < 0.25: the series
	g.VBIT(t, x, g.B(tk.sign))
	g.Free(a, a2, q, ts, m)
	return t, e, r
}

// sigmoidPrime returns σ'(v) = e·r·r, as kernel.sigmoidPrime.
func sigmoidPrime(g *neon.Gen, ec *neon.ExpConsts, one emit.V, v neon.G) neon.G {
	e, r := sigmoidParts(g, ec, one, v)
	g.FMUL(e, e, r)
	g.FMUL(e, e, r)
	g.Free(r)
	return e
}

// zeroWhere sets d to +0 where m's lanes are zero-valued floats.
func zeroWhere(g *neon.Gen, d, m neon.G, zero emit.V) {
	z := g.New()
	g.FCMEQZ(z, m)
	g.VBIT(d, g.B(zero), z)
	g.Free(z)
}

// selectNaN sets d to x where x is NaN.
func selectNaN(g *neon.Gen, d, x neon.G) {
	nn := g.New()
	g.FCMEQ(nn, x, x)
	g.VBIF(d, x, nn)
	g.Free(nn)
}

// ReLU: FMAX(x, 0), +0 for ±0. A NaN x comes back with its quiet bit
// set (relu32 returns an sNaN as it is): kernel.Impl.Act promises a NaN,
// not which.
var ReLU = &Body{Scalar: "relu32", Unroll: 4, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	zero := g.Const(0)
	return func(x neon.G) neon.G {
		d := g.New()
		g.FMAX(d, x, g.B(zero))
		return d
	}
}}

// ReLUDeriv: relu′.
var ReLUDeriv = &Body{Scalar: "reluDeriv32", Unroll: 4, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	return func(x neon.G) neon.G {
		d := g.New()
		g.FCMGTZ(d, x)
		g.VAND(d, d, g.B(one))
		selectNaN(g, d, x)
		return d
	}
}}

// LeakyReLU: x > 0 ? x : 0.01·x; a NaN x gives FMUL's NaN, x quieted.
var LeakyReLU = &Body{Scalar: "leaky32", Unroll: 4, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	slope := g.Const(f32bits(leakySlope))
	return func(x neon.G) neon.G {
		d, m := g.New(), g.New()
		g.FMUL(d, x, g.B(slope))
		g.FCMGTZ(m, x)
		g.VBIT(d, x, m)
		g.Free(m)
		return d
	}
}}

// LeakyReLUDeriv: leaky relu′.
var LeakyReLUDeriv = &Body{Scalar: "leakyDeriv32", Unroll: 4, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	slope := g.Const(f32bits(leakySlope))
	return func(x neon.G) neon.G {
		d := g.New()
		g.FCMGTZ(d, x)
		g.VBSL(d, g.B(one), g.B(slope))
		selectNaN(g, d, x)
		return d
	}
}}

// IdentityDeriv: 1 (NaN kept).
var IdentityDeriv = &Body{Scalar: "identityDeriv32", Unroll: 4, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	return func(x neon.G) neon.G {
		d := g.Copy(g.B(one))
		selectNaN(g, d, x)
		return d
	}
}}

// Sigmoid: σ(x).
var Sigmoid = &Body{Scalar: "sigmoid32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	return func(x neon.G) neon.G {
		e, r := sigmoidParts(g, ec, one, x)
		return sigmoidOf(g, e, r, x)
	}
}}

// SigmoidDeriv: σ′(x), also softplus″.
var SigmoidDeriv = &Body{Scalar: "sigmoidDeriv32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	return func(x neon.G) neon.G {
		return sigmoidPrime(g, ec, one, x)
	}
}}

// SiLU: x·σ(x).
var SiLU = &Body{Scalar: "silu32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	lo := g.Const(neon.F32(-actClamp))
	return func(x neon.G) neon.G {
		ex := expNegAbs(g, ec, x)
		c, ce, m := g.New(), g.New(), g.New()
		g.FMAX(c, x, g.B(lo))
		g.FMUL(ce, c, ex)
		g.FCMGEZ(m, x)
		g.VBIT(ce, c, m) // x ≥ 0 ? clampLo(x) : clampLo(x)·e
		g.FADD(ex, g.B(one), ex)
		g.FDIV(ce, ce, ex)
		g.Free(c, m, ex)
		return ce
	}
}}

// SiLUDeriv: silu′.
var SiLUDeriv = &Body{Scalar: "siluDeriv32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	lo, hi := g.Const(neon.F32(-actClamp)), g.Const(neon.F32(actClamp))
	return func(x neon.G) neon.G {
		e, r := sigmoidParts(g, ec, one, x)
		g.FMUL(e, e, r) // e·r
		s, m := g.Copy(e), g.New()
		g.FCMGEZ(m, x)
		g.VBIT(s, r, m) // s = x ≥ 0 ? r : e·r
		g.FMUL(e, e, r) // e·r·r
		g.FMAX(m, x, g.B(lo))
		g.FMIN(m, m, g.B(hi))
		g.FMLA(s, m, e) // fma(clamp(x), e·r·r, s)
		g.Free(e, r, m)
		return s
	}
}}

// Tanh: tanh(x).
var Tanh = &Body{Scalar: "tanh32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	tk := loadTanh(g)
	return func(x neon.G) neon.G {
		return tanhOf(g, ec, tk, one, x)
	}
}}

// TanhDeriv: tanh′.
var TanhDeriv = &Body{Scalar: "tanhDeriv32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	negTwo := g.Const(neon.F32(-2))
	four := g.Const(neon.F32(4))
	return func(x neon.G) neon.G {
		t := g.New()
		g.FABS(t, x)
		g.FMUL(t, t, g.B(negTwo))
		e := g.Exp(ec, t)
		r := t
		g.FADD(r, g.B(one), e)
		g.FDIV(r, g.B(one), r)
		g.FMUL(e, g.B(four), e)
		g.FMUL(e, e, r)
		g.FMUL(e, e, r)
		g.Free(r)
		return e
	}
}}

// Softplus: log(1 + eˣ).
var Softplus = &Body{Scalar: "softplus32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	g.E.Comment("constants of softplus32")
	two := g.Const(neon.F32(2))
	zero := g.Const(0)
	c15 := g.Const(f32bits(atanhC15))
	cs := []neon.Coef{g.Coef(f32bits(atanhC13)), g.Coef(f32bits(atanhC11)), g.Coef(f32bits(atanhC9)),
		g.Coef(f32bits(atanhC7)), g.Coef(f32bits(atanhC5)), g.Coef(f32bits(atanhC3))}
	return func(x neon.G) neon.G {
		a := g.New()
		g.FABS(a, x)
		g.FNEG(a, a)
		e := g.Exp(ec, a)
		s := a
		g.FADD(s, g.B(two), e)
		g.FDIV(s, e, s) // s = e/(2+e)
		s2 := e
		g.FMUL(s2, s, s)
		q := g.Fresh(cs[0])
		g.FMLA(q, g.B(c15), s2)
		for _, c := range cs[1:] {
			q = g.Horner(q, s2, c)
		}
		g.FADD(s, s, s)
		g.FMUL(s2, s, s2) // s·s²
		g.FMLA(s, s2, q)  // l = fma(s·s², q, s)
		g.FMAX(s2, x, g.B(zero))
		g.FADD(s, s2, s)
		g.Free(s2, q)
		return s
	}
}}

// ELU: x ≥ 0 ? x : eˣ − 1 (so ELU(−0) = −0).
var ELU = &Body{Scalar: "elu32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	g.E.Comment("constants of elu32")
	negQuarter := g.Const(neon.F32(-0.25))
	c8 := g.Const(f32bits(expm1C8))
	c7 := g.Coef(f32bits(expm1C7))
	var taylor []neon.Coef // 1/6!, …, 1/2!
	for _, c := range []float32{expm1C6, expm1C5, expm1C4, expm1C3, expm1C2} {
		taylor = append(taylor, g.Coef(f32bits(c)))
	}
	return func(x neon.G) neon.G {
		d := g.Exp(ec, x)
		g.FSUB(d, d, g.B(one)) // exp32(x) − 1
		q := g.Fresh(c7)
		g.FMLA(q, g.B(c8), x)
		for _, c := range taylor {
			q = g.Horner(q, x, c)
		}
		xx := g.New()
		g.FMUL(xx, x, x)
		sm := g.Copy(x)
		g.FMLA(sm, xx, q) // expm1Small: fma(x·x, q, x)
		g.FCMGT(xx, x, g.B(negQuarter))
		g.VBIT(d, sm, xx) // x > −0.25: the series
		g.FCMLTZ(xx, x)
		g.VBIF(d, x, xx) // x ≥ 0 (−0 too) or NaN: x
		g.Free(q, xx, sm)
		return d
	}
}}

// ELUDeriv: elu′.
var ELUDeriv = &Body{Scalar: "eluDeriv32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	return func(x neon.G) neon.G {
		d := g.Exp(ec, x)
		m := g.New()
		g.FCMGTZ(m, x)
		g.VBIT(d, g.B(one), m)
		g.Free(m)
		selectNaN(g, d, x)
		return d
	}
}}

// GELU: gelu, tanh form.
var GELU = &Body{Scalar: "gelu32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	g.E.Comment("constants of gelu32")
	k2 := g.Const(f32bits(geluK2))
	c2 := g.Coef(f32bits(geluC2))
	lo, hi := g.Const(neon.F32(-actClamp)), g.Const(neon.F32(actClamp))
	return func(x neon.G) neon.G {
		xc := g.New()
		g.FMAX(xc, x, g.B(lo)) // clampLo(x)
		v, xx := g.Fresh(c2), g.New()
		g.FMIN(xx, xc, g.B(hi)) // clamp(x)
		g.FMUL(xx, xx, xx)
		g.FMLA(v, g.B(k2), xx)
		g.FMIN(xx, xc, g.B(hi))
		g.FMUL(v, xx, v) // v = clamp(x)·fma(2ck, clamp(x)², 2c)
		g.Free(xx)
		e, r := sigmoidParts(g, ec, one, v)
		s := sigmoidOf(g, e, r, v)
		g.FMUL(s, xc, s)
		g.Free(v, xc)
		return s
	}
}}

// GELUDeriv: gelu′.
var GELUDeriv = &Body{Scalar: "geluDeriv32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	g.E.Comment("constants of geluDeriv32")
	k2 := g.Const(f32bits(geluK2))
	k3 := g.Const(f32bits(geluK3))
	c2 := g.Coef(f32bits(geluC2))
	lo, hi := g.Const(neon.F32(-actClamp)), g.Const(neon.F32(actClamp))
	return func(in neon.G) neon.G {
		x := g.New()
		g.FMAX(x, in, g.B(lo))
		g.FMIN(x, x, g.B(hi)) // x = clamp(x)
		v := g.Fresh(c2)
		xx := g.New()
		g.FMUL(xx, x, x)
		g.FMLA(v, g.B(k2), xx)
		g.FMUL(v, x, v)
		e, r := sigmoidParts(g, ec, one, v)
		g.FMUL(e, e, r) // e·r
		s, m := g.Copy(e), g.New()
		g.FCMGEZ(m, v)
		g.VBIT(s, r, m) // s = v ≥ 0 ? r : e·r
		g.FMUL(e, e, r) // e·r·r
		dv := g.Fresh(c2)
		g.FMLA(dv, g.B(k3), xx)
		g.FMUL(dv, x, dv) // x·fma(3·2ck, x², 2c)
		g.FMLA(s, dv, e)
		g.Free(x, v, xx, e, r, m, dv)
		return s
	}
}}

// ZeroDeriv2: 0 (NaN kept): the second derivative of identity, relu and leaky relu.
var ZeroDeriv2 = &Body{Scalar: "zeroDeriv2", Unroll: 4, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	return func(x neon.G) neon.G {
		d := g.New()
		for _, v := range d {
			g.E.VEOR(v, v, v)
		}
		selectNaN(g, d, x)
		return d
	}
}}

// SigmoidDeriv2: σ″.
var SigmoidDeriv2 = &Body{Scalar: "sigmoidDeriv2_32", Unroll: 1, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	tk := loadTanh(g)
	half := g.Const(neon.F32(0.5))
	return func(x neon.G) neon.G {
		sp := sigmoidPrime(g, ec, one, x)
		h := g.New()
		g.FMUL(h, x, g.B(half))
		t := tanhOf(g, ec, tk, one, h)
		g.FNEG(sp, sp)
		g.FMUL(sp, sp, t) // −σ'·tanh(x/2)
		g.Free(h, t)
		return sp
	}
}}

// TanhDeriv2: tanh″.
var TanhDeriv2 = &Body{Scalar: "tanhDeriv2_32", Unroll: 1, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	tk := loadTanh(g)
	four := g.Const(neon.F32(4))
	return func(x neon.G) neon.G {
		t, e, r := tanhParts(g, ec, tk, one, x, true)
		g.FMUL(e, g.B(four), e)
		g.FMUL(e, e, r)
		g.FMUL(e, e, r) // tanh' = 4·e·r·r
		g.FMUL(t, t, g.B(tk.negTwo))
		g.FMUL(t, t, e) // −2·tanh·tanh'
		g.Free(e, r)
		return t
	}
}}

// SiLUDeriv2: silu″.
var SiLUDeriv2 = &Body{Scalar: "siluDeriv2_32", Unroll: 1, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	tk := loadTanh(g)
	half, two, zero := g.Const(neon.F32(0.5)), g.Const(neon.F32(2)), g.Const(0)
	return func(x neon.G) neon.G {
		sp := sigmoidPrime(g, ec, one, x)
		h := g.New()
		g.FMUL(h, x, g.B(half))
		t := tanhOf(g, ec, tk, one, h)
		q := g.Copy(g.B(two))
		g.FMLS(q, x, t) // fma(−x, tanh(x/2), 2)
		g.FMUL(q, sp, q)
		zeroWhere(g, q, sp, zero)
		g.Free(h, t, sp)
		return q
	}
}}

// ELUDeriv2: elu″.
var ELUDeriv2 = &Body{Scalar: "eluDeriv2_32", Unroll: 2, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	return func(x neon.G) neon.G {
		d := g.Exp(ec, x)
		m := g.New()
		g.FCMLEZ(m, x)
		g.VAND(d, d, m) // x > 0: 0
		g.Free(m)
		selectNaN(g, d, x)
		return d
	}
}}

// GELUDeriv2: gelu″.
var GELUDeriv2 = &Body{Scalar: "geluDeriv2_32", Unroll: 1, Setup: func(g *neon.Gen) func(neon.G) neon.G {
	one := g.Const(neon.F32(1))
	ec := g.LoadExp(one)
	tk := loadTanh(g)
	g.E.Comment("constants of geluDeriv2_32")
	k2, k3, k6 := g.Const(f32bits(geluK2)), g.Const(f32bits(geluK3)), g.Const(f32bits(geluK6))
	half, zero := g.Const(neon.F32(0.5)), g.Const(0)
	c2 := g.Coef(f32bits(geluC2))
	return func(x neon.G) neon.G {
		x2 := g.New()
		g.FMUL(x2, x, x)
		v := g.Fresh(c2)
		g.FMLA(v, g.B(k2), x2)
		g.FMUL(v, x, v) // v = geluArg(x)
		sp := sigmoidPrime(g, ec, one, v)
		dv := g.Fresh(c2)
		g.FMLA(dv, g.B(k3), x2) // v'
		g.FMUL(x2, x, g.B(k6))  // v'' = 6·2ck·x
		q := g.New()
		g.FADD(q, dv, dv)
		g.FMLA(q, x, x2) // fma(x, v'', 2v')
		g.FNEG(x2, x)
		g.FMUL(x2, x2, dv)
		g.FMUL(x2, x2, dv) // −x·v'·v'
		g.FMUL(v, v, g.B(half))
		t := tanhOf(g, ec, tk, one, v)
		g.FMLA(q, x2, t)
		g.FMUL(q, sp, q)
		zeroWhere(g, q, sp, zero)
		g.Free(x2, v, sp, dv, t)
		return q
	}
}}

// Activation is one activation of package kernel: its name (as
// kernel.Activation's String) and the body of the function itself (nil
// for identity).
type Activation struct {
	Name string
	Body *Body
}

// Activations are kernel's activations in the order of kernel.Activation,
// so that an index is an Activation value.
var Activations = []Activation{
	{"identity", nil}, {"relu", ReLU}, {"leakyrelu", LeakyReLU}, {"tanh", Tanh}, {"sigmoid", Sigmoid},
	{"silu", SiLU}, {"softplus", Softplus}, {"elu", ELU}, {"gelu", GELU},
}
