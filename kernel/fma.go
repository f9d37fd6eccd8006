package kernel

import "math"

// fma32 returns a*b+c computed with one rounding to float32, as the vector
// FMA instructions do. a*b is exact in float64 and the float64 sum is then
// rounded to float32; the double rounding differs from a single one only
// when the float64 sum lands exactly halfway between two float32 values,
// which the tests tolerate as 1 ulp.
func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}
