package kernel

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
)

// floatsFrom decodes little-endian float32s from b, so the fuzzer reaches
// every bit pattern: NaNs with payloads, subnormals, infinities.
func floatsFrom(b []byte) []float32 {
	x := make([]float32, len(b)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x
}

func fuzzSeeds(f *testing.F) {
	for _, n := range []int{0, 1, 7, 8, 9, 17, 33, 65} {
		b := make([]byte, 4*n)
		for i := range n {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(kerneltest.Specials[i%len(kerneltest.Specials)]))
		}
		f.Add(b, uint8(n), uint8(n%8))
	}
}

// FuzzElementwise holds every implementation of every elementwise kernel
// to the generic one, bit for bit, on fuzzer-chosen inputs, kernel and
// offset.
func FuzzElementwise(f *testing.F) {
	fuzzSeeds(f)
	ks := elementwiseKernels()
	f.Fuzz(func(t *testing.T, b []byte, which, off uint8) {
		k := ks[int(which)%len(ks)]
		all := floatsFrom(b)
		n := len(all) / (k.nin + 1)
		ins := make([][]float32, k.nin)
		for j := range ins {
			ins[j] = all[(j+1)*n : (j+2)*n]
		}
		init := all[:n]
		want := append([]float32(nil), init...)
		k.run(Generic, want, ins)
		for _, impl := range Available()[1:] {
			g := kerneltest.NewGuarded(n, int(off%8), init)
			k.run(impl, g.S(), ins)
			g.Check(t, k.name)
			for i, v := range g.S() {
				if !kerneltest.Same(v, want[i]) {
					t.Fatalf("%s %v n=%d: element %d: got %g, generic %g", k.name, impl, n, i, v, want[i])
				}
			}
		}
	})
}

// FuzzReductions holds Dot and SumSq of every implementation to the exact
// float64 result within the documented bound, on fuzzer-chosen finite
// inputs (the bound is meaningless once a product overflows).
func FuzzReductions(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte, _, off uint8) {
		all := floatsFrom(b)
		for i, v := range all {
			if v != v || math.Abs(float64(v)) > 1e15 {
				all[i] = 1
			}
		}
		n := len(all) / 2
		x, y := all[:n], all[n:2*n]
		var exact, mag, exact2 float64
		for i := range n {
			p := float64(x[i]) * float64(y[i])
			exact += p
			mag += math.Abs(p)
			exact2 += float64(x[i]) * float64(x[i])
		}
		for _, impl := range Available() {
			if got := impl.Dot(x, y); math.Abs(float64(got)-exact) > dotBound(n, mag) {
				t.Fatalf("Dot %v n=%d = %g, exact %g, bound %g", impl, n, got, exact, dotBound(n, mag))
			}
			if got := impl.SumSq(x); math.Abs(float64(got)-exact2) > dotBound(n, exact2) {
				t.Fatalf("SumSq %v n=%d = %g, exact %g", impl, n, got, exact2)
			}
		}
	})
}
