package kernel

// math/bits under another name: the tests have a helper called bits.
import mbits "math/bits"

// The extent checks of the strided kernels. A matrix of r+1 rows with
// row stride ld and c columns spans r·ld + c elements; in int
// arithmetic that product (or the sum) wraps for a large enough stride,
// to a small or negative extent that passes a length check, and the
// assembly then reads and writes at the true offsets, outside the
// slice. fits and fits2 compute the extent exactly: a product of 2⁶² or
// more (2³⁰ on 32 bits) fits no slice of float32, and below that the
// sums cannot wrap a uint. Both inline, and cost a multiply each.

// fits reports whether n ≥ r·ld + c exactly, for r, ld, c ≥ 0 and n
// the length of a slice of float32 (under 2⁶², 2³⁰ on 32 bits).
func fits(n, r, ld, c int) bool {
	hi, lo := mbits.Mul(uint(r), uint(ld))
	return hi|lo>>(mbits.UintSize-2) == 0 && lo+uint(c) <= uint(n)
}

// fits2 reports whether n ≥ r·rs + p·ps + c exactly, for r, rs, p, ps,
// c ≥ 0 and n the length of a slice of float32.
func fits2(n, r, rs, p, ps, c int) bool {
	h1, l1 := mbits.Mul(uint(r), uint(rs))
	h2, l2 := mbits.Mul(uint(p), uint(ps))
	return h1|h2|(l1|l2)>>(mbits.UintSize-2) == 0 && l1+l2+uint(c) <= uint(n)
}
