package refrand

import "testing"

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
