package kernel

import "math"

// Constants of the vectorised exponential, shared by every implementation
// (the generators in gen/ emit the same values).
const (
	expMin = -104.0              // exp(x) for x ≤ expMin is below half the least subnormal: 0
	expMax = 89.0                // exp(x) for x ≥ expMax overflows: +Inf
	log2e  = 1.44269504088896341 // rounded to float32 where used
	ln2Hi  = 0.693359375         // 0x3f318000: few bits, so n·ln2Hi is exact
	ln2Lo  = -2.12194440e-4      // ln 2 − ln2Hi
	// exp's polynomial 1 + r + p₂r² + … + p₆r⁶ on |r| ≤ ln2/2 + 1e-4: a
	// minimax fit of eʳ with 1 and r fixed, coefficients rounded to
	// float32 (exact values, given by their bits); relative error 5.6e-9
	// before rounding, against 1.6e-7 for the Taylor polynomial of the same
	// degree and 7.3e-9 for the degree-7 one (one fused multiply-add more)
	// it replaced.
	expP2 = 0x1.fffffep-2 // 0x3effffff
	expP3 = 0x1.55547ep-3 // 0x3e2aaa3f
	expP4 = 0x1.555638p-5 // 0x3d2aab1c
	expP5 = 0x1.124708p-7 // 0x3c092384
	expP6 = 0x1.6c351p-10 // 0x3ab61a88
	// Taylor coefficients 1/k! of eˣ − 1 (expm1Small).
	expC2    = 1.0 / 2
	expC3    = 1.0 / 6
	expC4    = 1.0 / 24
	expC5    = 1.0 / 120
	expC6    = 1.0 / 720
	expC7    = 1.0 / 5040
	expBias  = 127 // float32 exponent bias
	expShift = 23  // float32 mantissa bits
)

// exp32 is the exponential every implementation computes, element by
// element and operation by operation:
//
//	x  = min(max(x, −104), 89)                  NaN passes through
//	n  = roundeven(x·log2e)                     x·log2e rounded to float32 first
//	r  = fma(−n, ln2Lo, fma(−n, ln2Hi, x))      |r| ≤ ln2/2 + tiny
//	p  = 1 + r(1 + r(p₂ + r(p₃ + … + r·p₆)))     Horner, one fma per step
//	e  = p · 2^⌊n/2⌋ · 2^(n−⌊n/2⌋)              two exact-exponent scalings
//
// The scaling in two halves makes the results that fall among the
// subnormals (x < −87.3) round once, correctly, and makes x ≥ 88.73 overflow
// to +Inf and x ≤ −103.98 underflow to 0 without special cases. (The
// AVX-512 kernels scale with one VSCALEFPS, which rounds p·2ⁿ once too: the
// same bits.)
//
// Error against float64 math.Exp rounded to float32, measured over every
// float32 in [−104, 89] by TestExpULP: at most 1 ulp for normal results,
// at most 1 ulp for subnormal results. exp(±0) = 1, exp(+Inf) = +Inf,
// exp(−Inf) = 0, exp(NaN) = NaN.
func exp32(x float32) float32 {
	if x != x {
		return x
	}
	x = min(max(x, expMin), expMax)
	n := float32(math.RoundToEven(float64(x * float32(log2e))))
	r := fma32(-n, ln2Hi, x)
	r = fma32(-n, ln2Lo, r)
	p := float32(expP6)
	p = fma32(p, r, expP5)
	p = fma32(p, r, expP4)
	p = fma32(p, r, expP3)
	p = fma32(p, r, expP2)
	p = fma32(p, r, 1)
	p = fma32(p, r, 1)
	ni := int32(n)
	n1 := ni >> 1
	n2 := ni - n1
	p *= math.Float32frombits(uint32(n1+expBias) << expShift)
	return p * math.Float32frombits(uint32(n2+expBias)<<expShift)
}
