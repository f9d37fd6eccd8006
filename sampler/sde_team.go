package sampler

import (
	"math"

	"github.com/scorekit/scorekit/kernel"
)

// sdeFirstNonFinite returns the index of the first chain (of width d,
// numbered from chain0) in x holding a NaN or an infinity, or −1.
func sdeFirstNonFinite(x []float32, d, chain0 int) int {
	for i, v := range x {
		if v-v != 0 { // NaN or ±Inf
			return chain0 + i/d
		}
	}
	return -1
}

// sdeFirstNonFinite64 is sdeFirstNonFinite for float64 states.
func sdeFirstNonFinite64(x []float64, w, chain0 int) int {
	for i, v := range x {
		if v-v != 0 { // NaN or ±Inf
			return chain0 + i/w
		}
	}
	return -1
}

// sdeNorm returns the Euclidean norm of x, through the kernel for long
// vectors (a kernel call costs more than a short loop).
func sdeNorm(x []float32) float64 {
	if len(x) >= 32 {
		return math.Sqrt(float64(kernel.SumSq(x)))
	}
	var s float32
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(float64(s))
}
