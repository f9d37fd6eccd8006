package kernel_test

import (
	"fmt"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// Sizes of the stack arrays of TestKernelsNoAllocs.
const (
	naN  = 67 // 8·8 + 3: whole vectors of every width and a tail
	naK  = 5  // GEMM and matvec depth
	naMR = 16 // at least every implementation's mr
	naNR = 32 // at least every implementation's nr
	naR  = 19 // transpose rows: one 16×16 block, then every smaller tier
	naC  = 21 // transpose columns
)

var (
	sinkF32 float32
	sinkF64 float64
	sinkU32 [4]uint32
)

// allocCase is one call of an exported kernel entry point. run declares
// its operands as arrays inside itself and passes slices of them: if a
// slice parameter escapes, the array moves to the heap and every call
// allocates.
type allocCase struct {
	name string
	run  func()
}

// TestKernelsNoAllocs calls every exported kernel entry point of package
// kernel with slices of stack arrays, on every available implementation
// (and the package-level functions, which run the active one), and fails
// on any allocation: a service that calls a kernel on a small buffer of
// its own must not pay a heap allocation per call. The GEMM and matvec
// calls cover full and edge tiles, every init, every activation, with
// the activation's output separate and in place; the Stream calls start
// inside a group, so that the partial-group paths run.
func TestKernelsNoAllocs(t *testing.T) {
	for _, impl := range kernel.Available() {
		for _, c := range implAllocCases(impl) {
			if a := testing.AllocsPerRun(10, c.run); a != 0 {
				t.Errorf("%v: %s: %v allocations per call", impl, c.name, a)
			}
		}
	}
	for _, c := range packageAllocCases() {
		if a := testing.AllocsPerRun(10, c.run); a != 0 {
			t.Errorf("%s (active %v): %v allocations per call", c.name, kernel.Active(), a)
		}
	}
}

// implAllocCases returns the calls of impl's methods.
func implAllocCases(impl kernel.Impl) []allocCase {
	cs := []allocCase{
		{"Dot", func() { var x, y [naN]float32; sinkF32 = impl.Dot(x[:], y[:]) }},
		{"Axpy", func() { var x, y [naN]float32; impl.Axpy(2, x[:], y[:]) }},
		{"Scale", func() { var x [naN]float32; impl.Scale(2, x[:]) }},
		{"SumSq", func() { var x [naN]float32; sinkF32 = impl.SumSq(x[:]) }},
		{"LangevinUpdate", func() { var x, s, z [naN]float32; impl.LangevinUpdate(0.1, 0.2, x[:], s[:], z[:]) }},
		{"Mul", func() { var d, x, y [naN]float32; impl.Mul(d[:], x[:], y[:]) }},
		{"MulAdd", func() { var d, x, y [naN]float32; impl.MulAdd(d[:], x[:], y[:]) }},
		{"Adam", func() {
			var p, g, m, v [naN]float32
			impl.Adam(kernel.AdamCoef{B1: 0.9, C1: 0.1, B2: 0.999, C2: 0.001, Step: 1e-3, Eps: 1e-8, Decay: 1}, p[:], g[:], m[:], v[:])
		}},
		{"Transpose", func() {
			var src, dst [naR * naC]float32
			impl.Transpose(naR, naC, src[:], naC, dst[:], naR)
		}},
		{"MALAReverse", func() { var x, xp, g [naN]float32; sinkF32 = impl.MALAReverse(0.1, x[:], xp[:], g[:]) }},
		{"PeakFLOPs", func() { sinkF64 = impl.PeakFLOPs(1) }},
		{"GemmTile", func() { mr, nr := impl.GemmTile(); sinkF64 = float64(mr * nr) }},
		{"DenseNarrow", func() {
			var x [naN * naK]float32
			var w [kernel.DenseNarrowMax * naK]float32
			var bias [kernel.DenseNarrowMax]float32
			var z [naN * kernel.DenseNarrowMax]float32
			impl.DenseNarrow(naN, kernel.DenseNarrowMax, naK, x[:], naK, w[:], naK, bias[:], z[:], kernel.DenseNarrowMax)
		}},
		{"DenseNarrow n=3 nil bias", func() {
			var x [naN * naK]float32
			var w [3 * naK]float32
			var z [naN * 3]float32
			impl.DenseNarrow(naN, 3, naK, x[:], naK, w[:], naK, nil, z[:], 3)
		}},
		{"GemmBlocking", func() { mc, kc := impl.GemmBlocking(); sinkF64 = float64(mc * kc) }},
	}
	// The streams start at output 5: a partial group at the head and at
	// the tail. Each call declares its own, as a caller would: passing
	// one to a function value would make it escape in the test itself.
	cs = append(cs,
		allocCase{"Stream.Uint32s", func() { s := naStream(impl); var w [naN]uint32; s.Uint32s(w[:]) }},
		allocCase{"Stream.Uniforms", func() { s := naStream(impl); var x [naN]float32; s.Uniforms(x[:]) }},
		allocCase{"Stream.Normals", func() { s := naStream(impl); var x [naN]float32; s.Normals(x[:]) }},
		allocCase{"Stream.LangevinStep", func() {
			s := naStream(impl)
			var x, g [naN]float32
			s.LangevinStep(0.1, 0.2, x[:], g[:])
		}},
		allocCase{"Stream.MALAPropose", func() {
			s := naStream(impl)
			var xp, x, g [naN]float32
			sinkF32 = s.MALAPropose(0.1, xp[:], x[:], g[:])
		}},
		allocCase{"Stream.KineticO", func() { s := naStream(impl); var v [naN]float32; s.KineticO(0.9, 0.4, v[:]) }},
	)
	for _, a := range kernel.Activations() {
		cs = append(cs,
			allocCase{fmt.Sprintf("Act(%v)", a), func() { var d, x [naN]float32; impl.Act(a, d[:], x[:]) }},
			allocCase{fmt.Sprintf("Act(%v) in place", a), func() { var x [naN]float32; impl.Act(a, x[:], x[:]) }},
			allocCase{fmt.Sprintf("ActDeriv(%v)", a), func() { var d, x [naN]float32; impl.ActDeriv(a, d[:], x[:]) }},
			allocCase{fmt.Sprintf("ActDeriv(%v) in place", a), func() { var x [naN]float32; impl.ActDeriv(a, x[:], x[:]) }},
			allocCase{fmt.Sprintf("ActDeriv2(%v)", a), func() { var d, x [naN]float32; impl.ActDeriv2(a, d[:], x[:]) }},
			allocCase{fmt.Sprintf("ActDeriv2(%v) in place", a), func() { var x [naN]float32; impl.ActDeriv2(a, x[:], x[:]) }},
		)
	}
	return append(cs, gemmAllocCases(impl)...)
}

// gemmAllocCases returns the calls of impl's GEMM microkernel and matvec:
// a full tile and an edge tile (m < mr, n < nr) for every init, and with
// every activation, its output separate or in place; a matvec over one
// full panel and a partial one, with and without bias.
func gemmAllocCases(impl kernel.Impl) []allocCase {
	mr, nr := impl.GemmTile()
	var cs []allocCase
	for _, tile := range []struct {
		name string
		m, n int
	}{{"full", mr, nr}, {"edge", mr - 1, nr - 3}} {
		m, n := tile.m, tile.n
		for _, init := range []kernel.GemmInit{kernel.GemmZero, kernel.GemmLoad, kernel.GemmBias} {
			cs = append(cs, allocCase{fmt.Sprintf("GemmMicro %s init=%d", tile.name, init), func() {
				var a [naMR * naK]float32
				var b [naK * naNR]float32
				var c [naMR * naNR]float32
				var bias [naNR]float32
				impl.GemmMicro(m, n, naK, a[:], 1, mr, b[:], c[:], nr, init, bias[:])
			}})
		}
		for _, act := range kernel.Activations() {
			cs = append(cs,
				allocCase{fmt.Sprintf("GemmMicroAct(%v) %s", act, tile.name), func() {
					var a [naMR * naK]float32
					var b [naK * naNR]float32
					var c, y [naMR * naNR]float32
					var bias [naNR]float32
					impl.GemmMicroAct(m, n, naK, a[:], 1, mr, b[:], c[:], nr, kernel.GemmBias, bias[:], act, y[:], nr)
				}},
				allocCase{fmt.Sprintf("GemmMicroAct(%v) %s in place", act, tile.name), func() {
					var a [naMR * naK]float32
					var b [naK * naNR]float32
					var c [naMR * naNR]float32
					impl.GemmMicroAct(m, n, naK, a[:], 1, mr, b[:], c[:], nr, kernel.GemmLoad, nil, act, c[:], nr)
				}},
			)
		}
	}
	for _, act := range []kernel.Activation{kernel.Identity, kernel.SiLU} {
		cs = append(cs, allocCase{fmt.Sprintf("GemmStrip(%v), two full tiles and an edge", act), func() {
			const n = 2*naNR + 5
			var a [naMR * naK]float32
			var b [3 * naK * naNR]float32
			var c, y [naMR * n]float32
			var bias [n]float32
			impl.GemmStrip(mr, 2*nr+5, naK, a[:], 1, mr, b[:], c[:], n, kernel.GemmBias, bias[:], act, y[:], n)
		}}, allocCase{fmt.Sprintf("GemmStripStrided(%v), B in place, two full tiles and an edge", act), func() {
			const n = 2*naNR + 5
			var a [naMR * naK]float32
			var b [naK * n]float32
			var c, y [naMR * n]float32
			var bias [n]float32
			impl.GemmStripStrided(mr, 2*nr+5, naK, a[:], 1, mr, b[:], n, nr, c[:], n, kernel.GemmBias, bias[:], act, y[:], n)
		}})
	}
	n := nr + 3 // one full panel and a partial one
	cs = append(cs,
		allocCase{"MatVec", func() {
			var b [2 * naK * naNR]float32
			var x [naK]float32
			var y, bias [naNR + 3]float32
			impl.MatVec(b[:], x[:], y[:n], bias[:n])
		}},
		allocCase{"MatVec nil bias", func() {
			var b [2 * naK * naNR]float32
			var x [naK]float32
			var y [naNR + 3]float32
			impl.MatVec(b[:], x[:], y[:n], nil)
		}},
	)
	for _, act := range kernel.Activations() {
		cs = append(cs,
			allocCase{fmt.Sprintf("MatVecAct(%v)", act), func() {
				var b [2 * naK * naNR]float32
				var x [naK]float32
				var z, bias, y [naNR + 3]float32
				impl.MatVecAct(b[:], x[:], z[:n], bias[:n], act, y[:n])
			}},
			allocCase{fmt.Sprintf("MatVecPlan.Run(%v)", act), func() {
				var b [2 * naK * naNR]float32
				var x [naK]float32
				var z, bias, y [naNR + 3]float32
				p := impl.PlanMatVec(b[:], naK, n, bias[:n], act)
				p.Run(x[:], z[:n], y[:n])
				p.Run(x[:], z[:n], z[:n])
				p.Run(x[:], z[:n], nil)
			}},
			allocCase{fmt.Sprintf("MatVecAct(%v) in place", act), func() {
				var b [2 * naK * naNR]float32
				var x [naK]float32
				var z [naNR + 3]float32
				impl.MatVecAct(b[:], x[:], z[:n], nil, act, z[:n])
			}},
		)
	}
	return cs
}

// naStream returns stream 4 under seed 9 on impl, at output 5.
func naStream(impl kernel.Impl) kernel.Stream {
	s := kernel.NewStream(9, 4).Using(impl)
	s.Seek(5)
	return s
}

// packageAllocCases returns the calls of the package-level functions,
// which run the active implementation.
func packageAllocCases() []allocCase {
	cs := []allocCase{
		{"Dot", func() { var x, y [naN]float32; sinkF32 = kernel.Dot(x[:], y[:]) }},
		{"Axpy", func() { var x, y [naN]float32; kernel.Axpy(2, x[:], y[:]) }},
		{"Scale", func() { var x [naN]float32; kernel.Scale(2, x[:]) }},
		{"SumSq", func() { var x [naN]float32; sinkF32 = kernel.SumSq(x[:]) }},
		{"LangevinUpdate", func() { var x, s, z [naN]float32; kernel.LangevinUpdate(0.1, 0.2, x[:], s[:], z[:]) }},
		{"Mul", func() { var d, x, y [naN]float32; kernel.Mul(d[:], x[:], y[:]) }},
		{"MulAdd", func() { var d, x, y [naN]float32; kernel.MulAdd(d[:], x[:], y[:]) }},
		{"Adam", func() {
			var p, g, m, v [naN]float32
			kernel.Adam(kernel.AdamCoef{B1: 0.9, C1: 0.1, B2: 0.999, C2: 0.001, Step: 1e-3, Eps: 1e-8, Decay: 1}, p[:], g[:], m[:], v[:])
		}},
		{"Transpose", func() {
			var src, dst [naR * naC]float32
			kernel.Transpose(naR, naC, src[:], naC, dst[:], naR)
		}},
		{"MALAReverse", func() { var x, xp, g [naN]float32; sinkF32 = kernel.MALAReverse(0.1, x[:], xp[:], g[:]) }},
		{"DenseNarrow", func() {
			var x [naN * naK]float32
			var w [2 * naK]float32
			var bias [2]float32
			var z [naN * 2]float32
			kernel.DenseNarrow(naN, 2, naK, x[:], naK, w[:], naK, bias[:], z[:], 2)
		}},
		{"Philox4x32_10", func() { sinkU32 = kernel.Philox4x32_10([4]uint32{1, 2, 3, 4}, [2]uint32{5, 6}) }},
	}
	for _, a := range kernel.Activations() {
		cs = append(cs,
			allocCase{fmt.Sprintf("Act(%v)", a), func() { var d, x [naN]float32; kernel.Act(a, d[:], x[:]) }},
			allocCase{fmt.Sprintf("ActDeriv(%v)", a), func() { var d, x [naN]float32; kernel.ActDeriv(a, d[:], x[:]) }},
			allocCase{fmt.Sprintf("ActDeriv2(%v)", a), func() { var d, x [naN]float32; kernel.ActDeriv2(a, d[:], x[:]) }},
		)
	}
	return cs
}
