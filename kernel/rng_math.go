package kernel

import (
	"math"

	"github.com/scorekit/scorekit/internal/rngconst"
)

// The arithmetic of the random-number kernels: the uniform construction,
// the Box–Muller transform with its vectorised logarithm, square root and
// sine/cosine, and a correctly rounded float32 fused multiply-add. Every
// implementation (generic, avx2, avx512, neon) performs exactly the
// operations written here, in this order, each correctly rounded to
// float32, so all of them produce the same bits. The constants are those
// of internal/rngconst, which the generators of the assembly use too.

// uniform maps a 32-bit output to a float32 in (0, 1):
//
//	u = (w>>9)·2⁻²³ + 2⁻²⁴
//
// the centre of one of the 2²³ equal cells of [0, 1), so u ∈ [2⁻²⁴, 1−2⁻²⁴],
// never 0 or 1, with mean exactly ½. Every operation is exact.
func uniform(w uint32) float32 {
	return fma32(float32(w>>9), rngconst.UniScale, rngconst.UniHalf)
}

// logU is the natural logarithm of a uniform u ∈ [2⁻²⁴, 1) (positive and
// normal), by the operation sequence every implementation follows:
//
//	d  = bits(u) − bits(√½)                      int32
//	e  = d >> 23 (arithmetic);  m = float(d & 0x7fffff + bits(√½)) ∈ [√½, √2)
//	f  = m − 1                                   exact
//	s  = f / (m + 1);  s2 = s + s;  w = s·s
//	P  = fma(fma(fma(1/9, w, 1/7), w, 1/5), w, 1/3)
//	l  = fma(s2·w, P, s2)                        2·atanh(s) = ln m
//	ln = fma(e, ln2Hi, fma(e, ln2Lo, l))
//
// Its error, measured by TestBoxMullerAccuracy over all 2²³ uniforms, is
// given there and in [Stream.Normals].
func logU(u float32) float32 {
	d := int32(math.Float32bits(u)) - rngconst.LogSqrtHalf
	e := float32(d >> 23)
	m := math.Float32frombits(uint32(d&rngconst.LogMant + rngconst.LogSqrtHalf))
	f := m - 1
	s := f / (m + 1)
	s2 := s + s
	w := s * s
	p := fma32(rngconst.LogC9, w, rngconst.LogC7)
	p = fma32(p, w, rngconst.LogC5)
	p = fma32(p, w, rngconst.LogC3)
	l := fma32(s2*w, p, s2)
	y := fma32(e, rngconst.LogLn2Lo, l)
	return fma32(e, rngconst.LogLn2Hi, y)
}

// sinCosTurn returns cos 2πu and sin 2πu for a uniform u ∈ (0, 1), by
// reduction to the nearest quarter turn, which is exact:
//
//	q  = roundeven(4u) ∈ {0,…,4};  t = fma(q, −¼, u) ∈ [−⅛, ⅛];  w = t·t
//	S  = t·(2π + w(s1 + w(s2 + w(s3 + w·s4))))   sin 2πt, Taylor to (2πt)⁹
//	C  = 1 + w(c1 + w(c2 + … + w·c5))            cos 2πt, Taylor to (2πt)¹⁰
//	(cos, sin) = q odd ? (S, C) : (C, S), then cos negated if (q+1)&2,
//	sin negated if q&2
//
// Horner steps are fmas; the coefficients are (−1)ᵏ(2π)ⁿ/n! rounded once
// to float32.
func sinCosTurn(u float32) (c, s float32) {
	q := int32(math.RoundToEven(float64(u * rngconst.SinCosFour)))
	t := fma32(float32(q), -rngconst.SinCosQuart, u)
	w := t * t
	sp := fma32(rngconst.SinS4, w, rngconst.SinS3)
	sp = fma32(sp, w, rngconst.SinS2)
	sp = fma32(sp, w, rngconst.SinS1)
	sp = fma32(sp, w, rngconst.SinS0)
	sn := t * sp
	cp := fma32(rngconst.CosC5, w, rngconst.CosC4)
	cp = fma32(cp, w, rngconst.CosC3)
	cp = fma32(cp, w, rngconst.CosC2)
	cp = fma32(cp, w, rngconst.CosC1)
	cs := fma32(cp, w, 1)
	if q&1 != 0 {
		cs, sn = sn, cs
	}
	if (q+1)&2 != 0 {
		cs = -cs
	}
	if q&2 != 0 {
		sn = -sn
	}
	return cs, sn
}

// boxMuller turns two 32-bit outputs into two standard normals:
//
//	u1 = uniform(w1), u2 = uniform(w2)
//	r  = sqrt(ln(u1) · −2)                     correctly rounded
//	z1 = r·cos 2πu2,  z2 = r·sin 2πu2
//
// with ln and cos/sin as in logU and sinCosTurn. Since u1 ≥ 2⁻²⁴, |z| ≤
// √(48 ln 2) ≈ 5.77.
func boxMuller(w1, w2 uint32) (z1, z2 float32) {
	l := logU(uniform(w1))
	r := float32(math.Sqrt(float64(l * rngconst.BMMinusTwo)))
	c, s := sinCosTurn(uniform(w2))
	return r * c, r * s
}
