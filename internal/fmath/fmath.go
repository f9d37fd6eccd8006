// Package fmath holds the float64 mathematics that several packages of
// the module share and the standard library does not give them: functions
// it gets wrong on some architecture, and constants it lacks.
package fmath

import "math"

// Log2Pi is log(2π), the constant of every Gaussian log density
// (−½·d·log 2π − …), correctly rounded to float64: math.Log(2*math.Pi),
// the value the packages used before, is an ulp below.
const Log2Pi = 1.8378770664093456

// Log returns the natural logarithm of v, as [math.Log] (−Inf for ±0,
// NaN below 0, +Inf for +Inf, NaN for NaN), but right for subnormal v on
// every architecture: Go's amd64 math.Log (assembly) takes a subnormal's
// exponent for the smallest normal one, so that math.Log(1e-322) is
// −709.09 there instead of −741.44 (golang/go#56600; arm64 and the
// portable code are right). A subnormal v is scaled by 2⁵² into the
// normal range first, and the result is within about an ulp.
func Log(v float64) float64 {
	if v > 0 && v < 0x1p-1022 {
		return math.Log(v*0x1p52) - 52*math.Ln2
	}
	return math.Log(v)
}
