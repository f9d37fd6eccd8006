package kernel

import "math"

// fma32 returns a*b+c rounded once to float32, as the vector FMA
// instructions compute it. a*b is exact in float64; the float64 sum s can
// be off the exact value only by its own rounding error e, and rounding s
// to float32 then differs from rounding the exact value only when s lies
// exactly halfway between two float32s and e ≠ 0: then the exact value is
// on e's side of the halfway point.
func fma32(a, b, c float32) float32 {
	// a·b is exact in float64, so the sum s has one rounding whether or
	// not the compiler fuses it. Unless the 29 bits of s below float32's
	// precision are exactly a half (100…0), rounding s is rounding the
	// exact value; the test is exact where the result is a normal float32,
	// and smaller results take the careful path. Small enough to inline.
	s := float64(a)*float64(b) + float64(c)
	if b := math.Float64bits(s); b&(1<<29-1) != 1<<28 && b&(0x7ff<<52) >= (1023-126)<<52 {
		return float32(s)
	}
	return fma32Slow(a, b, c, s)
}

// fma32Slow corrects the double rounding of s = a·b + c where it can
// occur.
//
//go:noinline
func fma32Slow(a, b, c float32, s float64) float32 {
	p := float64(a) * float64(b)
	r := float32(s)
	if float64(r) == s || math.IsInf(float64(r), 0) || s != s {
		return r
	}
	// e = (p + c) − s exactly (Knuth's TwoSum).
	bp := s - float64(c)
	e := (p - bp) + (float64(c) - (s - bp))
	if e == 0 {
		return r
	}
	o := math.Nextafter32(r, float32(math.Copysign(math.Inf(1), s-float64(r))))
	if float64(r)+float64(o) != 2*s {
		return r // s is not halfway: float32(s) is the correct rounding
	}
	lo, hi := min(r, o), max(r, o)
	if e > 0 {
		return hi
	}
	return lo
}

func mathFloat32bits(x float32) uint32 { return math.Float32bits(x) }
