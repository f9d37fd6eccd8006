package fmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// bigLog returns log v for v > 0 as log m + e·ln 2 with v = m·2ᵉ and m in
// [½, 1): math.Log is right for normal arguments on every architecture
// (within an ulp), and ln 2 comes from math/big to 200 bits, so the
// reference does not depend on the code it checks.
func bigLog(v float64) float64 {
	m, e := math.Frexp(v)
	ln2, _, err := big.ParseFloat("0.693147180559945309417232121458176568075500134360255254120680009493393621969694715605863326996418687542001481021", 10, 200, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	r := new(big.Float).SetPrec(200).SetInt64(int64(e))
	r.Mul(r, ln2)
	r.Add(r, new(big.Float).SetPrec(200).SetFloat64(math.Log(m)))
	f, _ := r.Float64()
	return f
}

// near reports whether a is within an ulp of b, or 2⁻⁵³ (bigLog's
// rounding of log m, |log m| ≤ ln 2) where b is near 0.
func near(a, b float64) bool {
	return math.Abs(a-b) <= max(math.Nextafter(math.Abs(b), math.Inf(1))-math.Abs(b), 0x1p-53)
}

// TestLogKnown holds Log to values known to 16 digits (arm64's math.Log,
// which is right there, and bigLog agree on them): amd64's math.Log gives
// −709.0895657128241 for the first two and −709.0850815488945 for the
// third.
func TestLogKnown(t *testing.T) {
	for _, c := range []struct{ v, want float64 }{
		{0x1p-1074, -744.4400719213812},
		{1e-322, -741.4443396478273},
		{1e-310, -713.8013788281542},
		{0x1p-1023, -709.0895657128241},
		{0x1p-1022, -708.3964185322641},
		{1, 0},
		{math.E, 1},
		{math.MaxFloat64, 709.782712893384},
	} {
		got := Log(c.v)
		if !near(got, c.want) {
			t.Errorf("Log(%v) = %.17g, want %.17g", c.v, got, c.want)
		}
		if r := bigLog(c.v); !near(r, c.want) {
			t.Errorf("bigLog(%v) = %.17g, want %.17g (the reference is off)", c.v, r, c.want)
		}
	}
}

// TestLogSubnormal holds Log to bigLog within an ulp for random
// subnormals of every exponent, and to math.Log exactly for normal
// arguments, ±0, negatives, infinities and NaN.
func TestLogSubnormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		bits := rng.Uint64() >> (12 + uint(i%52)) // every bit length 1..52
		if bits == 0 {
			continue
		}
		v := math.Float64frombits(bits)
		if got, want := Log(v), bigLog(v); !near(got, want) {
			t.Fatalf("Log(%v) = %.17g, want %.17g", v, got, want)
		}
	}
	for _, v := range []float64{0x1p-1022, 1e-300, 0.5, 1, 2, 1e300, math.MaxFloat64, 0, math.Copysign(0, -1), -1, -0x1p-1074, math.Inf(1), math.Inf(-1), math.NaN()} {
		got, want := Log(v), math.Log(v)
		if !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("Log(%v) = %v, want math.Log's %v", v, got, want)
		}
	}
}

// TestLog2Pi holds Log2Pi to log(2π) from 40 digits, correctly rounded
// (1.8378770664093453, what math.Log(2*math.Pi) gives, is an ulp low).
func TestLog2Pi(t *testing.T) {
	want, _, err := big.ParseFloat("1.837877066409345483560659472811235279723", 10, 200, big.ToNearestEven)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := want.Float64(); Log2Pi != w {
		t.Errorf("Log2Pi = %.17g, want %.17g", Log2Pi, w)
	}
}
