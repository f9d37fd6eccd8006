// Package rngconst holds the constants of scorekit's random-number
// kernels, in one place for the Go code in package kernel and for the
// programs in gen/ that emit the AVX2, AVX-512 and NEON kernels. They are
// untyped constant expressions, so each rounds to the same float32 in
// every package that uses it: the generated kernels compute the same bits
// as the portable ones.
package rngconst

import "math"

// Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers:
// as easy as 1, 2, 3", SC 2011).
const (
	PhiloxM0     = 0xD2511F53 // multipliers
	PhiloxM1     = 0xCD9E8D57
	PhiloxW0     = 0x9E3779B9 // key increments (golden ratio, √3 − 1)
	PhiloxW1     = 0xBB67AE85
	PhiloxRounds = 10
)

// GroupLen is the number of 32-bit outputs in one group: 16 Philox blocks
// of 4, the unit every implementation computes at once.
const GroupLen = 64

// The uniform construction u = (w>>9)·2⁻²³ + 2⁻²⁴.
const (
	UniScale = 1.0 / (1 << 23) // 2⁻²³
	UniHalf  = 1.0 / (1 << 24) // 2⁻²⁴: half a step, so u is never 0 or 1
)

// The logarithm ln u = e·ln2 + 2·atanh(s), s = (m−1)/(m+1), and the
// Box–Muller sine and cosine.
const (
	LogSqrtHalf = 0x3f3504f3     // float32 bits of √½ (rounded down): m ∈ [√½, √2)
	LogMant     = 0x007fffff     // mantissa field
	LogC3       = 1.0 / 3        // the series 2·atanh(s) = 2s(1 + s²/3 + s⁴/5 + …)
	LogC5       = 1.0 / 5        // truncated after s⁸/9: |s| ≤ 3−2√2 ≈ 0.1716, so
	LogC7       = 1.0 / 7        // the first omitted term is below 2.1e-9
	LogC9       = 1.0 / 9        // relative to 2s
	LogLn2Hi    = 0.693359375    // ln 2 in 9 bits, so e·LogLn2Hi is exact
	LogLn2Lo    = -2.12194440e-4 // ln 2 − LogLn2Hi
	BMMinusTwo  = -2.0           // r = √(−2 ln u₁)
	SinCosQuart = 0.25           // quarter turn
	SinCosFour  = 4.0            // turns to quarter turns
	TwoPi       = 2 * math.Pi    // exact untyped constant; each coefficient below is
	SinS0       = TwoPi          // rounded once to float32 where it is used
	SinS1       = -TwoPi * TwoPi * TwoPi / 6
	SinS2       = TwoPi * TwoPi * TwoPi * TwoPi * TwoPi / 120
	SinS3       = -TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi / 5040
	SinS4       = TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi / 362880
	CosC1       = -TwoPi * TwoPi / 2
	CosC2       = TwoPi * TwoPi * TwoPi * TwoPi / 24
	CosC3       = -TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi / 720
	CosC4       = TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi / 40320
	CosC5       = -TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi * TwoPi / 3628800
)
