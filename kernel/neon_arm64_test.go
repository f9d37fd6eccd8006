//go:build gc && !purego

package kernel

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
)

func samePC(a, b any) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() }

// TestNEONTables asserts that every kernel with a NEON version runs it
// when NEON is available, rather than silently falling back to generic:
// the agreement tests would pass either way.
func TestNEONTables(t *testing.T) {
	if !NEON.Available() {
		t.Skip("NEON switched off (GODEBUG=cpu.asimd=off)")
	}
	l1, g1 := level1Table[NEON], &level1Generic
	for _, c := range []struct {
		name string
		f, g any
	}{
		{"Dot", l1.dot, g1.dot}, {"Axpy", l1.axpy, g1.axpy}, {"Scale", l1.scale, g1.scale}, {"SumSq", l1.sumSq, g1.sumSq},
		{"LangevinUpdate", langevinTable[NEON].update, langevinGeneric.update},
	} {
		if samePC(c.f, c.g) {
			t.Errorf("%s: neon runs the generic kernel", c.name)
		}
	}
	for _, a := range Activations() {
		if a != Identity && samePC(actTable[NEON].fn[a], actGeneric.fn[a]) {
			t.Errorf("Act(%v): neon runs the generic kernel", a)
		}
		if samePC(actTable[NEON].d1[a], actGeneric.d1[a]) {
			t.Errorf("ActDeriv(%v): neon runs the generic kernel", a)
		}
		if samePC(act2Table[NEON].d2[a], act2Generic.d2[a]) {
			t.Errorf("ActDeriv2(%v): neon runs the generic kernel", a)
		}
	}
	if gemmShapes[NEON] == &gemmGenericShape {
		t.Error("GemmMicro: neon runs the generic kernel")
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
