// Package kerneltest is the test harness every kernel implementation is
// held to: the lengths, offsets and special values to try, guard
// sentinels around outputs, slices that end at an inaccessible page, and
// float comparisons in ulps. It is imported only by tests.
package kerneltest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Lengths returns every length from 0 to 3·unroll+1, where unroll is the
// widest number of elements a kernel's main loop consumes per iteration,
// and a few large ones that are not multiples of it.
func Lengths(unroll int) []int {
	var ns []int
	for n := 0; n <= 3*unroll+1; n++ {
		ns = append(ns, n)
	}
	return append(ns, 255, 1000, 4099)
}

// Offsets are the element offsets at which test slices start, so every
// alignment of a 32-byte vector is tried.
var Offsets = []int{0, 1, 2, 3, 4, 5, 6, 7}

// Specials are the float32 special values every kernel is tried on.
var Specials = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1,
	float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, // subnormals
	1e-40, -1e-40, 1.1754942e-38, // subnormal, largest subnormal
	math.MaxFloat32, -math.MaxFloat32, 1e30, -1e30, 3e19, -3e19, // huge
	88.72, 88.73, -87.33, -103.97, -104, 89, // exp's edges
	0.25, -0.25, 0.2499999, 1e-8, -1e-8,
}

// Fill sets x to random values: mostly moderate normals, with a fraction
// frac of special values mixed in.
func Fill(rng *rand.Rand, x []float32, scale float32, frac float64) {
	for i := range x {
		if rng.Float64() < frac {
			x[i] = Specials[rng.IntN(len(Specials))]
			continue
		}
		x[i] = float32(rng.NormFloat64()) * scale
	}
}

// sentinel is written around guarded slices: a signalling-NaN pattern no
// kernel produces.
const sentinel = 0x7fa5a5a5

// guardLen is the number of sentinel elements on each side.
const guardLen = 16

// Guarded is a slice with sentinels before and after it, to catch writes
// out of bounds.
type Guarded struct {
	buf  []float32
	from int
	n    int
}

// NewGuarded returns a guarded slice of n elements starting off elements
// into its buffer (after the leading sentinels), its contents a copy of
// init (zero if init is nil).
func NewGuarded(n, off int, init []float32) *Guarded {
	g := &Guarded{buf: make([]float32, guardLen+off+n+guardLen), from: guardLen + off, n: n}
	for i := range g.buf {
		g.buf[i] = math.Float32frombits(sentinel)
	}
	s := g.S()
	for i := range s {
		s[i] = 0
	}
	copy(s, init)
	return g
}

// S returns the guarded slice, with capacity ending at its length so that
// appending cannot reach the sentinels either.
func (g *Guarded) S() []float32 { return g.buf[g.from : g.from+g.n : g.from+g.n] }

// Check fails t if a sentinel was overwritten.
func (g *Guarded) Check(t testing.TB, what string) {
	t.Helper()
	for i, v := range g.buf {
		if i >= g.from && i < g.from+g.n {
			continue
		}
		if math.Float32bits(v) != sentinel {
			t.Fatalf("%s: write out of bounds at index %d (slice is [%d, %d) of the buffer)", what, i-g.from, 0, g.n)
		}
	}
}

// ULP returns the distance between a and b in units in the last place:
// the number of float32 values between them. Two NaNs are 0 apart; a NaN
// and a number are MaxUint32 apart. +0 and −0 are 0 apart.
func ULP(a, b float32) uint32 {
	an, bn := a != a, b != b
	if an || bn {
		if an && bn {
			return 0
		}
		return math.MaxUint32
	}
	ia, ib := ordered(a), ordered(b)
	if ia > ib {
		return uint32(ia - ib)
	}
	return uint32(ib - ia)
}

// ordered maps float32 bits to integers in the order of the values.
func ordered(x float32) int64 {
	b := int64(math.Float32bits(x))
	if b&(1<<31) != 0 {
		return -(b &^ (1 << 31))
	}
	return b
}

// Same reports whether a and b are the same float32, treating all NaNs as
// the same and +0 as different from −0.
func Same(a, b float32) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

// Desc describes a test case for failure messages.
func Desc(impl fmt.Stringer, n, off int) string {
	return fmt.Sprintf("%v n=%d off=%d", impl, n, off)
}
