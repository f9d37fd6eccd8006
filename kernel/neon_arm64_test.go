//go:build gc && !purego

package kernel

import (
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
)

// TestNEONTables asserts that the NEON peak loop is NEON's own rather than
// the generic one: the agreement tests would pass either way. (The other
// kernels dispatch by a switch that names each NEON kernel and panics for
// an implementation without a case, and a missing GEMM shape stops the
// package's initialisation: see Dispatch in impl.go.)
func TestNEONTables(t *testing.T) {
	if !NEON.Available() {
		t.Skip("NEON switched off (GODEBUG=cpu.asimd=off)")
	}
	if peakArch(NEON, 1) != 4 {
		t.Error("PeakFLOPs: neon has no peak loop")
	}
}

// TestNEONActDeriv2 holds the NEON second derivatives to generic bit for
// bit over every length to 3×8+1 and a long one, every offset, inputs
// mixing normals of several scales and special values, with guards.
func TestNEONActDeriv2(t *testing.T) {
	if !NEON.Available() {
		t.Skip("NEON switched off (GODEBUG=cpu.asimd=off)")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, a := range Activations() {
		for _, n := range append(kerneltest.Lengths(8)[:26], 1000) {
			for _, off := range kerneltest.Offsets {
				x := make([]float32, n)
				kerneltest.Fill(rng, x, []float32{0.3, 3, 30}[rng.IntN(3)], 0.2)
				want := make([]float32, n)
				Generic.ActDeriv2(a, want, x)
				g := kerneltest.NewGuarded(n, off, nil)
				NEON.ActDeriv2(a, g.S(), x)
				g.Check(t, "ActDeriv2("+a.String()+") "+kerneltest.Desc(NEON, n, off))
				for i, v := range g.S() {
					if !kerneltest.Same(v, want[i]) {
						t.Fatalf("ActDeriv2(%v) n=%d off=%d: element %d (x=%g) = %g (%#x), generic %g (%#x)",
							a, n, off, i, x[i], v, bits(v), want[i], bits(want[i]))
					}
				}
			}
		}
	}
}
