package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
)

// hadamardKernels are Mul and MulAdd with their float64 references: the
// exact value, which the result must equal rounded once to float32.
var hadamardKernels = []struct {
	name string
	run  func(i Impl, dst, x, y []float32)
	ref  func(d, x, y float64) float64
}{
	{"Mul", Impl.Mul, func(_, x, y float64) float64 { return x * y }},
	{"MulAdd", Impl.MulAdd, func(d, x, y float64) float64 { return x*y + d }},
}

// checkHadamard runs kernel k of impl on guarded copies at offset off,
// with dst aliasing x or y if alias says so (1: x, 2: y), and fails
// unless the result is generic's bit for bit.
func checkHadamard(t *testing.T, impl Impl, k int, init, x, y []float32, off, alias int) {
	t.Helper()
	kk := hadamardKernels[k]
	n := len(init)
	want := append([]float32(nil), init...)
	wx, wy := x, y
	switch alias {
	case 1:
		wx = want
	case 2:
		wy = want
	}
	kk.run(Generic, want, wx, wy)
	d := kerneltest.NewGuarded(n, off, init)
	gx := kerneltest.NewGuarded(n, (off+3)%8, x)
	gy := kerneltest.NewGuarded(n, 7-off%8, y)
	ax, ay := gx.S(), gy.S()
	switch alias {
	case 1:
		ax = d.S()
	case 2:
		ay = d.S()
	}
	kk.run(impl, d.S(), ax, ay)
	desc := fmt.Sprintf("%s %s alias=%d", kk.name, kerneltest.Desc(impl, n, off), alias)
	d.Check(t, desc)
	gx.Check(t, desc+" x")
	gy.Check(t, desc+" y")
	for i, v := range d.S() {
		if !kerneltest.Same(v, want[i]) {
			t.Fatalf("%s: element %d: got %g (%#x), generic %g (%#x); dst %g x %g y %g",
				desc, i, v, bits(v), want[i], bits(want[i]), init[i], x[i], y[i])
		}
	}
}

// TestHadamardImplsAgree holds every implementation of Mul and MulAdd to
// the generic one, bit for bit, over every length up to 3 × the widest
// unroll + 1 and some large ones, every offset, with dst separate or the
// same slice as x or y, inputs mixing normals and special values.
func TestHadamardImplsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, impl := range Available()[1:] {
		for k := range hadamardKernels {
			for _, n := range kerneltest.Lengths(widestUnroll) {
				for _, off := range kerneltest.Offsets {
					for alias := range 3 {
						init, x, y := make([]float32, n), make([]float32, n), make([]float32, n)
						kerneltest.Fill(rng, init, 3, 0.2)
						kerneltest.Fill(rng, x, 3, 0.2)
						kerneltest.Fill(rng, y, 3, 0.2)
						checkHadamard(t, impl, k, init, x, y, off, alias)
					}
				}
			}
		}
	}
}

// TestHadamardReference holds every implementation to the exact result
// rounded once: within half an ulp of it for normal results.
func TestHadamardReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, impl := range Available() {
		for _, kk := range hadamardKernels {
			n := 4099
			d, x, y := make([]float32, n), make([]float32, n), make([]float32, n)
			kerneltest.Fill(rng, d, 3, 0)
			kerneltest.Fill(rng, x, 3, 0)
			kerneltest.Fill(rng, y, 3, 0)
			init := append([]float32(nil), d...)
			kk.run(impl, d, x, y)
			for i, v := range d {
				exact := kk.ref(float64(init[i]), float64(x[i]), float64(y[i]))
				if math.Abs(float64(v)-exact) > 0x1p-24*math.Abs(exact) {
					t.Fatalf("%s %v: element %d = %g, exact %g", kk.name, impl, i, v, exact)
				}
			}
		}
	}
}

// TestHadamardPageFence runs Mul and MulAdd on slices that end at, and
// start at, an inaccessible page.
func TestHadamardPageFence(t *testing.T) {
	for _, impl := range Available() {
		for _, n := range kerneltest.Lengths(widestUnroll) {
			t.Run(fmt.Sprintf("%v/%d", impl, n), func(t *testing.T) {
				for _, fence := range []func(testing.TB, int) []float32{kerneltest.FenceEnd, kerneltest.FenceStart} {
					d, x, y := fence(t, n), fence(t, n), fence(t, n)
					for _, kk := range hadamardKernels {
						kk.run(impl, d, x, y)
					}
				}
			})
		}
	}
}

func TestHadamardLengths(t *testing.T) {
	for _, kk := range hadamardKernels {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with mismatched lengths did not panic", kk.name)
				}
			}()
			kk.run(Active(), make([]float32, 3), make([]float32, 3), make([]float32, 2))
		}()
	}
}

// FuzzHadamard holds every implementation of Mul and MulAdd to the
// generic one, bit for bit, on fuzzer-chosen inputs, kernel, offset and
// aliasing.
func FuzzHadamard(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte, which, off uint8) {
		all := floatsFrom(b)
		n := len(all) / 3
		k := int(which) % len(hadamardKernels)
		alias := int(which/2) % 3
		for _, impl := range Available()[1:] {
			checkHadamard(t, impl, k, all[:n], all[n:2*n], all[2*n:3*n], int(off%8), alias)
		}
	})
}
