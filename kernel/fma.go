package kernel

import "math"

// fma32 returns a*b+c rounded once to float32, as the vector FMA
// instructions compute it, for the generic kernels.
//
// a·b is exact in float64, so the float64 sum s has a single rounding
// (whether or not the compiler fuses it into an FMA), and TwoSum recovers
// its error e = a·b + c − s exactly. Rounding the exact value to odd in
// float64 (s when e = 0; otherwise s truncated towards zero with its last
// bit set) and then to float32 rounds the exact value correctly: float64
// has more than the 2·24 + 2 bits that double rounding through
// round-to-odd needs (Boldo and Melquiond, "Emulation of FMA and correctly
// rounded sums: proved algorithms using rounding to odd", IEEE TC 2008).
// s truncated towards zero is s one ulp nearer zero when e and s have
// opposite signs, else s.
//
// e is a multiple of 2⁻²⁹⁸ (as a·b and c are), so e·e > 0 exactly when
// e ≠ 0, and is false when e is NaN (an input is ±Inf or NaN: s is then
// the answer). No call and no branch on rare cases: the inlining cost is
// 79 of the compiler's budget of 80, so fma32 inlines into the generic
// kernels' loops. TestFMA32 holds it to math/big.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	s := p + float64(c)
	bp := s - float64(c)
	e := (p - bp) + (float64(c) - (s - bp))
	u := math.Float64bits(s)
	if e*e > 0 {
		u = (u - (math.Float64bits(e)^u)>>63) | 1
	}
	return float32(math.Float64frombits(u))
}

// fmaAxpy sets y[i] = fma32(alpha, x[i], y[i]) for every i < len(x):
// the generic kernels' inner loop (axpy, and one step of K of the GEMM
// microkernel's and the matvec's chains). Same bits as fma32, with the
// odd bit set without a branch: on real data the float64 sum is exact
// (e = 0) for a good fraction of the elements, unpredictably, and
// fma32's branch then costs more than the arithmetic (scorekit bench,
// generic dense+bias+SiLU M=1024 K=N=128: 97.9 ms in BENCHMARKS.md's
// 13:12 sitting, 45.3 ms in the 15:50 one). Written out here because the
// branch-free form is above the inliner's budget as a function of its
// own; TestFMA32Wide holds it to math/big as it does fma32.
func fmaAxpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	a := float64(alpha)
	for i, v := range x {
		p, c := a*float64(v), float64(y[i])
		s := p + c
		bp := s - c
		e := (p - bp) + (c - (s - bp))
		u := math.Float64bits(s)
		var odd uint64
		if e*e > 0 {
			odd = 1
		}
		y[i] = float32(math.Float64frombits((u - (math.Float64bits(e)^u)>>63&odd) | odd))
	}
}
