package refrand

import (
	"math"
	"testing"
)

// TestSplitMix: the first words of seed 0 are splitmix64's published
// ones (Vigna's splitmix64.c), and the uniforms stay inside (0, 1).
func TestSplitMix(t *testing.T) {
	r := New(0)
	for i, want := range []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f} {
		if got := r.Uint64(); got != want {
			t.Errorf("word %d = %#x, want %#x", i, got, want)
		}
	}
	for range 1000 {
		if u := r.Uniform(); !(u > 0 && u < 1) {
			t.Fatalf("uniform %v outside (0, 1)", u)
		}
	}
}

// TestUniformNormal pins the documented constructions on top of the
// words: Uniform is (k + ½)/2⁵³ for the word's top 53 bits k, and Normal
// is √(−2 log u₁)·cos(2πu₂) of the next two uniforms in that order; and
// the normals have mean 0, variance 1 and fourth moment 3 within 5
// standard errors (√(1/n), √(2/n), √(96/n)) over n draws.
func TestUniformNormal(t *testing.T) {
	words := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	r := New(0)
	for i, w := range words {
		want := (float64(w>>11) + 0.5) / (1 << 53)
		if got := r.Uniform(); got != want {
			t.Errorf("uniform %d = %v, want %v", i, got, want)
		}
	}
	u1 := (float64(words[0]>>11) + 0.5) / (1 << 53)
	u2 := (float64(words[1]>>11) + 0.5) / (1 << 53)
	if got, want := New(0).Normal(), math.Sqrt(-2*math.Log(u1))*math.Cos(2*math.Pi*u2); got != want {
		t.Errorf("first normal = %v, want %v", got, want)
	}
	const n = 200000
	r = New(42)
	var m1, m2, m4 float64
	for range n {
		z := r.Normal()
		m1 += z
		m2 += z * z
		m4 += z * z * z * z
	}
	m1, m2, m4 = m1/n, m2/n, m4/n
	if math.Abs(m1) > 5*math.Sqrt(1.0/n) || math.Abs(m2-1) > 5*math.Sqrt(2.0/n) || math.Abs(m4-3) > 5*math.Sqrt(96.0/n) {
		t.Errorf("normal moments %v, %v, %v; want 0, 1, 3", m1, m2, m4)
	}
}
