package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
)

// widestUnroll is the most elements any implementation's main loop of
// these families consumes per iteration (AVX-512 Dot: 4 × 16).
const widestUnroll = 64

// elementwise names one elementwise kernel: it fills out from ins, all of
// length n, with the implementation impl.
type elementwise struct {
	name string
	nin  int
	run  func(impl Impl, out []float32, ins [][]float32)
}

func elementwiseKernels() []elementwise {
	ks := []elementwise{
		{"Axpy", 1, func(i Impl, out []float32, in [][]float32) { i.Axpy(0.75, in[0], out) }},
		{"Scale", 0, func(i Impl, out []float32, in [][]float32) { i.Scale(-1.5, out) }},
		{"LangevinUpdate", 2, func(i Impl, out []float32, in [][]float32) { i.LangevinUpdate(0.01, 0.1414, out, in[0], in[1]) }},
	}
	for _, a := range Activations() {
		ks = append(ks,
			elementwise{"Act(" + a.String() + ")", 1, func(i Impl, out []float32, in [][]float32) { i.Act(a, out, in[0]) }},
			elementwise{"ActDeriv(" + a.String() + ")", 1, func(i Impl, out []float32, in [][]float32) { i.ActDeriv(a, out, in[0]) }},
		)
	}
	return ks
}

// TestElementwiseImplsAgree holds every available implementation of every
// elementwise kernel to the generic one, bit for bit, over every length up
// to 3 × the widest unroll + 1 and some large ones, every offset 0–7,
// inputs mixing normals and special values, with guard sentinels around
// the output.
func TestElementwiseImplsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range elementwiseKernels() {
		for _, impl := range Available()[1:] {
			for _, n := range kerneltest.Lengths(widestUnroll) {
				for _, off := range kerneltest.Offsets {
					ins := make([][]float32, k.nin)
					for j := range ins {
						ins[j] = make([]float32, n)
						kerneltest.Fill(rng, ins[j], 3, 0.2)
					}
					init := make([]float32, n)
					kerneltest.Fill(rng, init, 3, 0.2)
					want := append([]float32(nil), init...)
					k.run(Generic, want, ins)
					g := kerneltest.NewGuarded(n, off, init)
					k.run(impl, g.S(), ins)
					desc := k.name + " " + kerneltest.Desc(impl, n, off)
					g.Check(t, desc)
					for i, v := range g.S() {
						if !kerneltest.Same(v, want[i]) {
							in := make([]float32, k.nin)
							for j := range ins {
								in[j] = ins[j][i]
							}
							t.Fatalf("%s: element %d: got %g (%#x), generic %g (%#x); inputs %v, out before %g",
								desc, i, v, bits(v), want[i], bits(want[i]), in, init[i])
						}
					}
				}
			}
		}
	}
}

// TestReductionsImplsAgree holds Dot and SumSq of every implementation to
// the exact result within the documented bound n·2⁻²³·Σ|xᵢyᵢ|.
func TestReductionsImplsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, impl := range Available() {
		for _, n := range kerneltest.Lengths(widestUnroll) {
			for _, off := range kerneltest.Offsets {
				x := kerneltest.NewGuarded(n, off, nil)
				y := kerneltest.NewGuarded(n, 7-off, nil)
				kerneltest.Fill(rng, x.S(), 2, 0)
				kerneltest.Fill(rng, y.S(), 2, 0)
				var exact, mag, exact2, mag2 float64
				for i := range n {
					p := float64(x.S()[i]) * float64(y.S()[i])
					exact += p
					mag += abs64(p)
					exact2 += float64(x.S()[i]) * float64(x.S()[i])
				}
				mag2 = exact2
				desc := kerneltest.Desc(impl, n, off)
				if got := impl.Dot(x.S(), y.S()); abs64(float64(got)-exact) > dotBound(n, mag) {
					t.Fatalf("Dot %s = %g, exact %g, bound %g", desc, got, exact, dotBound(n, mag))
				}
				if got := impl.SumSq(x.S()); abs64(float64(got)-exact2) > dotBound(n, mag2) {
					t.Fatalf("SumSq %s = %g, exact %g, bound %g", desc, got, exact2, dotBound(n, mag2))
				}
				x.Check(t, "Dot x "+desc)
				y.Check(t, "Dot y "+desc)
			}
		}
	}
}

// TestReductionsSpecials checks that NaN and Inf reach the result of the
// reductions in every implementation, as they do in the generic loop.
func TestReductionsSpecials(t *testing.T) {
	for _, impl := range Available() {
		for _, n := range []int{1, 7, 8, 9, 63, 64, 65, 200} {
			for _, pos := range []int{0, n / 2, n - 1} {
				for _, sv := range kerneltest.Specials {
					x := make([]float32, n)
					y := make([]float32, n)
					for i := range x {
						x[i], y[i] = 1, 1
					}
					x[pos] = sv
					want, got := Generic.Dot(x, y), impl.Dot(x, y)
					if isNaN32(want) != isNaN32(got) || (isInf32(want) && want != got) {
						t.Fatalf("Dot %v n=%d x[%d]=%g: got %g, generic %g", impl, n, pos, sv, got, want)
					}
					want, got = Generic.SumSq(x), impl.SumSq(x)
					if isNaN32(want) != isNaN32(got) || (isInf32(want) && want != got) {
						t.Fatalf("SumSq %v n=%d x[%d]=%g: got %g, generic %g", impl, n, pos, sv, got, want)
					}
				}
			}
		}
	}
}

func dotBound(n int, mag float64) float64 {
	return float64(n)*0x1p-23*mag + float64(n)*0x1p-148
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func isInf32(x float32) bool { return x > 3.4028235e38 || x < -3.4028235e38 }

func bits(x float32) uint32 { return math.Float32bits(x) }

// TestPageFence runs every kernel of every implementation on slices that
// end at, and start at, an inaccessible page: reading or writing one
// element too far crashes the test.
func TestPageFence(t *testing.T) {
	for _, impl := range Available() {
		for _, n := range kerneltest.Lengths(widestUnroll) {
			// A subtest per length, so its mappings are released before
			// the next one (the kernel limits the number of mappings).
			t.Run(fmt.Sprintf("%v/%d", impl, n), func(t *testing.T) {
				for _, fence := range []func(testing.TB, int) []float32{kerneltest.FenceEnd, kerneltest.FenceStart} {
					out, x, y := fence(t, n), fence(t, n), fence(t, n)
					for _, k := range elementwiseKernels() {
						k.run(impl, out, [][]float32{x, y}[:k.nin])
					}
					impl.Dot(x, y)
					impl.SumSq(x)
				}
			})
		}
	}
}
