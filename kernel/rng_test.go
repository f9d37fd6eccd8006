package kernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

// TestPhiloxKnownAnswers checks Philox4x32_10 against the known-answer
// vectors of Random123's kat_vectors file (philox4x32 10 …).
func TestPhiloxKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0}, [4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	} {
		if got := kernel.Philox4x32_10(c.ctr, c.key); got != c.want {
			t.Errorf("Philox4x32_10(%08x, %08x) = %08x, want %08x", c.ctr, c.key, got, c.want)
		}
	}
}

// TestStreamAddressing checks the documented layout: output n of stream id
// under seed is word (n%64)/16 of block 16(n/64) + n%16.
func TestStreamAddressing(t *testing.T) {
	var seed, id uint64 = 0x0123456789abcdef, 0xfedcba9876543210
	for _, impl := range kernel.Available() {
		s := kernel.NewStream(seed, id).Using(impl)
		s.Seek(1 << 40)
		got := make([]uint32, 300)
		s.Uint32s(got)
		for k, v := range got {
			n := 1<<40 + uint64(k)
			b := 16*(n/64) + n%16
			w := kernel.Philox4x32_10([4]uint32{uint32(b), uint32(b >> 32), uint32(id), uint32(id >> 32)}, [2]uint32{uint32(seed), uint32(seed >> 32)})
			if want := w[(n%64)/16]; v != want {
				t.Fatalf("%v: output %d = %08x, want %08x", impl, n, v, want)
			}
		}
		if s.Pos() != 1<<40+300 {
			t.Fatalf("%v: Pos = %d after 300 outputs from 2^40", impl, s.Pos())
		}
	}
}

// chunks reads n values from a fresh stream at position start in pieces
// of the given sizes (cycled), with read.
func chunks[T any](impl kernel.Impl, start uint64, n int, sizes []int, read func(s *kernel.Stream, dst []T)) []T {
	s := kernel.NewStream(42, 7).Using(impl)
	s.Seek(start)
	out := make([]T, n)
	for i, k := 0, 0; i < n; k++ {
		m := min(sizes[k%len(sizes)], n-i)
		read(&s, out[i:i+m])
		i += m
	}
	return out
}

// TestStreamChunking checks that every implementation gives the same bits
// as generic whatever the position and the chunking of the calls.
func TestStreamChunking(t *testing.T) {
	const n = 1000
	sizes := [][]int{{n}, {1}, {3, 64, 5}, {63, 65, 130}, {17, 200}}
	for _, start := range []uint64{0, 1, 63, 64, 100, 1<<32 - 5} {
		ref32 := chunks(kernel.Generic, start, n, sizes[0], (*kernel.Stream).Uint32s)
		refU := chunks(kernel.Generic, start, n, sizes[0], (*kernel.Stream).Uniforms)
		refZ := chunks(kernel.Generic, start, n, sizes[0], (*kernel.Stream).Normals)
		for _, impl := range kernel.Available() {
			for _, sz := range sizes {
				desc := fmt.Sprintf("%v start=%d sizes=%v", impl, start, sz)
				got32 := chunks(impl, start, n, sz, (*kernel.Stream).Uint32s)
				gotU := chunks(impl, start, n, sz, (*kernel.Stream).Uniforms)
				gotZ := chunks(impl, start, n, sz, (*kernel.Stream).Normals)
				for i := range n {
					if got32[i] != ref32[i] {
						t.Fatalf("%s: Uint32s[%d] = %08x, want %08x", desc, i, got32[i], ref32[i])
					}
					if !kerneltest.Same(gotU[i], refU[i]) {
						t.Fatalf("%s: Uniforms[%d] = %v, want %v", desc, i, gotU[i], refU[i])
					}
					if !kerneltest.Same(gotZ[i], refZ[i]) {
						t.Fatalf("%s: Normals[%d] = %v, want %v", desc, i, gotZ[i], refZ[i])
					}
				}
			}
		}
	}
}

// TestUniformConstruction checks u = (w>>9)·2⁻²³ + 2⁻²⁴ ∈ (0, 1).
func TestUniformConstruction(t *testing.T) {
	s := kernel.NewStream(1, 2)
	w := make([]uint32, 4096)
	u := make([]float32, 4096)
	s2 := s
	s.Uint32s(w)
	s2.Uniforms(u)
	for i := range w {
		want := (float64(w[i]>>9) + 0.5) / (1 << 23)
		if float64(u[i]) != want || u[i] <= 0 || u[i] >= 1 {
			t.Fatalf("uniform of %08x = %v, want %v", w[i], u[i], want)
		}
	}
}

// TestBoxMullerAccuracy measures the normals' error against float64 math
// from the same uniforms over every one of the 2²³ uniforms, for each
// factor: ln u₁ (ulp), cos and sin of 2πu₂ (absolute), and z over a
// sample of pairs (absolute and ulp).
func TestBoxMullerAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("2²³ points")
	}
	var maxLn uint32
	var maxCS float64
	for k := uint32(0); k < 1<<23; k++ {
		u := (float64(k) + 0.5) / (1 << 23)
		w := k << 9
		got := kernel.LogU(kernel.Uniform(w))
		if d := kerneltest.ULP(got, float32(math.Log(u))); d > maxLn {
			maxLn = d
		}
		c, s := kernel.SinCosTurn(kernel.Uniform(w))
		sr, cr := math.Sincos(2 * math.Pi * u)
		maxCS = max(maxCS, math.Abs(float64(c)-cr), math.Abs(float64(s)-sr))
	}
	t.Logf("ln: max %d ulp; cos, sin: max abs error %.3g", maxLn, maxCS)
	if maxLn > 2 || maxCS > 1.2e-7 {
		t.Errorf("ln: %d ulp (bound 2); cos/sin: %.3g (bound 1.2e-7)", maxLn, maxCS)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var maxAbs float64
	var maxULP uint32
	for range 1 << 20 {
		w1, w2 := rng.Uint32(), rng.Uint32()
		z1, z2 := kernel.BoxMuller(w1, w2)
		u1 := (float64(w1>>9) + 0.5) / (1 << 23)
		u2 := (float64(w2>>9) + 0.5) / (1 << 23)
		r := math.Sqrt(-2 * math.Log(u1))
		s, c := math.Sincos(2 * math.Pi * u2)
		for _, p := range [][2]float64{{float64(z1), r * c}, {float64(z2), r * s}} {
			maxAbs = max(maxAbs, math.Abs(p[0]-p[1]))
			if math.Abs(p[1]) >= 0x1p-8 {
				maxULP = max(maxULP, kerneltest.ULP(float32(p[0]), float32(p[1])))
			}
		}
	}
	t.Logf("z: max abs error %.3g, max %d ulp where |z| ≥ 2⁻⁸", maxAbs, maxULP)
	if maxAbs > 6e-7 || maxULP > 4 {
		t.Errorf("z: abs error %.3g (bound 6e-7), %d ulp (bound 4)", maxAbs, maxULP)
	}
}

// TestStreamNoAllocs checks that no Stream method allocates, on every
// implementation, for lengths 0, 1, a partial group, one group, many
// groups with a partial tail and many whole groups, from positions at a
// group boundary and inside a group (so that the partial-group scratch
// is used at the head, the tail or both), and that Source.Uint64 does
// not allocate across refills.
func TestStreamNoAllocs(t *testing.T) {
	const maxN = 4096
	x, g, xp, v, f := make([]float32, maxN), make([]float32, maxN), make([]float32, maxN), make([]float32, maxN), make([]float32, maxN)
	w := make([]uint32, maxN)
	for i := range x {
		x[i], g[i] = float32(i%7)-3, float32(i%5)-2
	}
	for _, impl := range kernel.Available() {
		for _, n := range []int{0, 1, 37, 64, 1000, maxN} {
			for _, start := range []uint64{0, 5, 63, 1<<32 - 5} {
				s := kernel.NewStream(9, 4).Using(impl)
				for _, m := range []struct {
					name string
					run  func()
				}{
					{"Uint32s", func() { s.Uint32s(w[:n]) }},
					{"Uniforms", func() { s.Uniforms(f[:n]) }},
					{"Normals", func() { s.Normals(f[:n]) }},
					{"LangevinStep", func() { s.LangevinStep(0.01, 0.1, x[:n], g[:n]) }},
					{"MALAPropose", func() { s.MALAPropose(0.01, xp[:n], x[:n], g[:n]) }},
					{"KineticO", func() { s.KineticO(0.9, 0.4, v[:n]) }},
					{"MALAReverse", func() { impl.MALAReverse(0.01, x[:n], xp[:n], g[:n]) }},
				} {
					if a := testing.AllocsPerRun(10, func() {
						s.Seek(start)
						m.run()
					}); a != 0 {
						t.Errorf("%v: %s of %d from position %d: %v allocations per call", impl, m.name, n, start, a)
					}
				}
			}
		}
	}
	src := kernel.NewSource(9, 4)
	if a := testing.AllocsPerRun(10, func() {
		for range 100 { // three refills
			src.Uint64()
		}
	}); a != 0 {
		t.Errorf("Source.Uint64: %v allocations per 100 calls", a)
	}
}
