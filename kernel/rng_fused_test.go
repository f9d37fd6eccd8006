package kernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

// fusedCase runs one fused kernel on guarded copies of the inputs for
// implementation impl, from position pos, and returns the outputs.
type fusedCase struct {
	impl kernel.Impl
	n    int
	off  int
	pos  uint64
}

func (c fusedCase) String() string {
	return fmt.Sprintf("%s pos=%d", kerneltest.Desc(c.impl, c.n, c.off), c.pos)
}

func (c fusedCase) stream() kernel.Stream {
	s := kernel.NewStream(0x5eed, 3).Using(c.impl)
	s.Seek(c.pos)
	return s
}

// inputs returns x, grad (or v) filled with moderate values and a few
// special ones.
func inputs(n int, seed uint64) (x, y []float32) {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	x, y = make([]float32, n), make([]float32, n)
	kerneltest.Fill(rng, x, 2, 0.02)
	kerneltest.Fill(rng, y, 3, 0.02)
	return x, y
}

// TestFusedKernels holds LangevinStep, MALAPropose and KineticO, on every
// implementation, every length up to three groups and more, offsets and
// start positions, to the documented loops over the normals of
// Stream.Normals, bit for bit, with guard sentinels around every output.
func TestFusedKernels(t *testing.T) {
	const a, b, h, c1, c2 = 0.01, 0.1414, 0.02, 0.9, 0.43588989
	sq := float32(math.Sqrt(2 * h))
	lengths := kerneltest.Lengths(64)
	for _, impl := range kernel.Available() {
		for _, n := range lengths {
			for _, pos := range []uint64{0, 1, 63, 64 + 17} {
				off := int(pos+uint64(n)) % 8
				c := fusedCase{impl, n, off, pos}
				x0, g := inputs(n, pos)
				// The normals, from the generic implementation.
				zs := c.stream().Using(kernel.Generic)
				z := make([]float32, n)
				zs.Normals(z)

				// LangevinStep.
				gx := kerneltest.NewGuarded(n, off, x0)
				gg := kerneltest.NewGuarded(n, 7-off, g)
				s := c.stream()
				s.LangevinStep(a, b, gx.S(), gg.S())
				gx.Check(t, c.String()+" LangevinStep x")
				gg.Check(t, c.String()+" LangevinStep grad")
				if s.Pos() != pos+uint64(n) {
					t.Fatalf("%v: LangevinStep: Pos = %d, want %d", c, s.Pos(), pos+uint64(n))
				}
				for i, v := range gx.S() {
					want := kernel.FMAF(b, z[i], kernel.FMAF(a, g[i], x0[i]))
					if !kerneltest.Same(v, want) {
						t.Fatalf("%v: LangevinStep x[%d] = %v, want %v", c, i, v, want)
					}
				}

				// MALAPropose.
				gxp := kerneltest.NewGuarded(n, (off+3)%8, nil)
				s = c.stream()
				zz := s.MALAPropose(h, gxp.S(), x0, g)
				gxp.Check(t, c.String()+" MALAPropose xp")
				var zz64 float64
				for i, v := range gxp.S() {
					want := kernel.FMAF(sq, z[i], kernel.FMAF(h, g[i], x0[i]))
					if !kerneltest.Same(v, want) {
						t.Fatalf("%v: MALAPropose xp[%d] = %v, want %v", c, i, v, want)
					}
					zz64 += float64(z[i]) * float64(z[i])
				}
				if math.Abs(float64(zz)-zz64) > 1e-6*float64(n)*zz64+1e-30 {
					t.Fatalf("%v: MALAPropose ‖z‖² = %v, want %v", c, zz, zz64)
				}
				sg := c.stream().Using(kernel.Generic)
				if zzg := sg.MALAPropose(h, make([]float32, n), x0, g); zzg != zz {
					t.Fatalf("%v: MALAPropose ‖z‖² = %v, generic %v", c, zz, zzg)
				}

				// KineticO.
				gv := kerneltest.NewGuarded(n, off, x0)
				s = c.stream()
				s.KineticO(c1, c2, gv.S())
				gv.Check(t, c.String()+" KineticO v")
				for i, v := range gv.S() {
					want := kernel.FMAF(c2, z[i], c1*x0[i])
					if !kerneltest.Same(v, want) {
						t.Fatalf("%v: KineticO v[%d] = %v, want %v", c, i, v, want)
					}
				}
			}
		}
	}
}

// TestLangevinStepMatchesUpdate checks that the fused step is Normals
// followed by LangevinUpdate on the same implementation, within LangevinUpdate's
// own bound against the correctly rounded fma (1 ulp, see fma32).
func TestLangevinStepMatchesUpdate(t *testing.T) {
	for _, impl := range kernel.Available() {
		x, g := inputs(1000, 9)
		x2 := append([]float32(nil), x...)
		s := kernel.NewStream(1, 1).Using(impl)
		s2 := s
		s.LangevinStep(0.01, 0.14, x, g)
		z := make([]float32, len(x))
		s2.Normals(z)
		impl.LangevinUpdate(0.01, 0.14, x2, g, z)
		for i := range x {
			if d := kerneltest.ULP(x[i], x2[i]); d > 1 {
				t.Fatalf("%v: x[%d] = %v, Normals+LangevinUpdate %v", impl, i, x[i], x2[i])
			}
		}
	}
}

// TestMALAReverse holds every implementation to generic bit for bit and
// generic to float64 within n·2⁻²³ relative.
func TestMALAReverse(t *testing.T) {
	const h = 0.03
	for _, impl := range kernel.Available() {
		for _, n := range kerneltest.Lengths(16) {
			for _, off := range kerneltest.Offsets {
				rng := rand.New(rand.NewPCG(uint64(n), uint64(off)))
				x, xp, g := make([]float32, n), make([]float32, n), make([]float32, n)
				kerneltest.Fill(rng, x, 1, 0)
				kerneltest.Fill(rng, xp, 1, 0)
				kerneltest.Fill(rng, g, 5, 0)
				gx := kerneltest.NewGuarded(n, off, x)
				got := impl.MALAReverse(h, gx.S(), xp, g)
				want := kernel.Generic.MALAReverse(h, x, xp, g)
				if !kerneltest.Same(got, want) {
					t.Fatalf("%s: MALAReverse = %v, generic %v", kerneltest.Desc(impl, n, off), got, want)
				}
				var ref float64
				for i := range x {
					d := float64(x[i]) - float64(xp[i]) - h*float64(g[i])
					ref += d * d
				}
				if math.Abs(float64(want)-ref) > float64(n+4)*0x1p-23*ref {
					t.Fatalf("%s: MALAReverse = %v, float64 %v", kerneltest.Desc(impl, n, off), want, ref)
				}
			}
		}
	}
	nan := float32(math.NaN())
	for _, impl := range kernel.Available() {
		x := make([]float32, 40)
		for _, i := range []int{3, 20, 39} {
			x[i] = nan
			if r := impl.MALAReverse(h, x, make([]float32, 40), make([]float32, 40)); r == r {
				t.Fatalf("%v: NaN at %d gives %v", impl, i, r)
			}
			x[i] = 0
		}
	}
}

// TestFusedNaN checks that NaN in x or grad gives NaN out, lane by lane.
func TestFusedNaN(t *testing.T) {
	nan := float32(math.NaN())
	for _, impl := range kernel.Available() {
		x, g := make([]float32, 200), make([]float32, 200)
		x[5], g[70], x[130] = nan, nan, float32(math.Inf(1))
		s := kernel.NewStream(2, 2).Using(impl)
		s.LangevinStep(0.1, 0.2, x, g)
		for i, v := range x {
			isNaN := v != v
			if isNaN != (i == 5 || i == 70) {
				t.Fatalf("%v: x[%d] = %v", impl, i, v)
			}
		}
	}
}

// TestFusedPanics checks the length-mismatch messages.
func TestFusedPanics(t *testing.T) {
	s := kernel.NewStream(1, 1)
	for name, f := range map[string]func(){
		"Stream.LangevinStep": func() { s.LangevinStep(1, 1, make([]float32, 3), make([]float32, 4)) },
		"Stream.MALAPropose":  func() { s.MALAPropose(1, make([]float32, 3), make([]float32, 3), make([]float32, 2)) },
		"MALAReverse":         func() { kernel.MALAReverse(1, make([]float32, 3), make([]float32, 5), make([]float32, 3)) },
	} {
		func() {
			defer func() {
				r := recover()
				if msg, _ := r.(string); msg == "" || !contains(msg, name) || !contains(msg, "3") {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			f()
		}()
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// FuzzNormals holds every implementation's normals and fused step to
// generic's bits at arbitrary seeds, streams, positions and lengths.
func FuzzNormals(f *testing.F) {
	f.Add(uint64(0), uint64(0), uint64(0), uint16(64))
	f.Add(uint64(1), uint64(1<<63), uint64(1<<62-3), uint16(333))
	f.Add(^uint64(0), ^uint64(0), uint64(1<<32-1), uint16(7))
	f.Fuzz(func(t *testing.T, seed, id, pos uint64, n16 uint16) {
		n := int(n16 % 2048)
		ref := kernel.NewStream(seed, id).Using(kernel.Generic)
		ref.Seek(pos)
		want := make([]float32, n)
		ref.Normals(want)
		for _, z := range want {
			if !(math.Abs(float64(z)) <= 5.78) {
				t.Fatalf("normal %v out of range", z)
			}
		}
		x, g := inputs(n, seed)
		xref := append([]float32(nil), x...)
		r2 := kernel.NewStream(seed, id).Using(kernel.Generic)
		r2.Seek(pos)
		r2.LangevinStep(0.25, 0.5, xref, g)
		for _, impl := range kernel.Available()[1:] {
			s := kernel.NewStream(seed, id).Using(impl)
			s.Seek(pos)
			got := make([]float32, n)
			s.Normals(got)
			for i := range got {
				if !kerneltest.Same(got[i], want[i]) {
					t.Fatalf("%v: normal %d = %v, generic %v", impl, i, got[i], want[i])
				}
			}
			xs := append([]float32(nil), x...)
			s.Seek(pos)
			s.LangevinStep(0.25, 0.5, xs, g)
			for i := range xs {
				if !kerneltest.Same(xs[i], xref[i]) {
					t.Fatalf("%v: LangevinStep x[%d] = %v, generic %v", impl, i, xs[i], xref[i])
				}
			}
		}
	})
}

// FuzzBoxMuller holds the scalar Box–Muller pair to float64 math within the
// documented bound for any pair of outputs.
func FuzzBoxMuller(f *testing.F) {
	f.Add(uint32(0), uint32(0))
	f.Add(^uint32(0), ^uint32(0))
	f.Add(uint32(1<<31), uint32(1<<30))
	f.Fuzz(func(t *testing.T, w1, w2 uint32) {
		z1, z2 := kernel.BoxMuller(w1, w2)
		u1 := (float64(w1>>9) + 0.5) / (1 << 23)
		u2 := (float64(w2>>9) + 0.5) / (1 << 23)
		r := math.Sqrt(-2 * math.Log(u1))
		s, c := math.Sincos(2 * math.Pi * u2)
		for _, p := range [][2]float64{{float64(z1), r * c}, {float64(z2), r * s}} {
			if math.Abs(p[0]-p[1]) > 6e-7 || (math.Abs(p[1]) >= 0x1p-8 && kerneltest.ULP(float32(p[0]), float32(p[1])) > 4) {
				t.Fatalf("BoxMuller(%08x, %08x) = %v, float64 %v", w1, w2, p[0], p[1])
			}
		}
	})
}

// TestRngPageFence runs every random-number kernel on slices that end
// where an inaccessible page begins, and that start where one ends: a read
// or write out of bounds crashes the test.
func TestRngPageFence(t *testing.T) {
	for _, impl := range kernel.Available() {
		for _, n := range []int{1, 63, 64, 65, 127, 128, 129, 200, 1000} {
			for _, pos := range []uint64{0, 7} {
				for _, fence := range []func(testing.TB, int) []float32{kerneltest.FenceEnd, kerneltest.FenceStart} {
					x, g, xp := fence(t, n), fence(t, n), fence(t, n)
					s := kernel.NewStream(9, 9).Using(impl)
					s.Seek(pos)
					s.Normals(x)
					s.Uniforms(g)
					s.LangevinStep(0.1, 0.2, x, g)
					s.MALAPropose(0.1, xp, x, g)
					s.KineticO(0.5, 0.5, x)
					impl.MALAReverse(0.1, x, xp, g)
				}
			}
		}
	}
}

// TestLangevinStepIsNormalsThenUpdate checks LangevinStep's documented
// equality: the same bits as Normals followed by LangevinUpdate, on every
// implementation, at positions and lengths that cut groups.
func TestLangevinStepIsNormalsThenUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, impl := range kernel.Available() {
		for _, n := range []int{1, 7, 63, 64, 65, 200, 1000} {
			for _, pos := range []uint64{0, 5, 64, 1000} {
				x := make([]float32, n)
				g := make([]float32, n)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
					g[i] = float32(rng.NormFloat64() * 3)
				}
				a, b := float32(0.01), float32(math.Sqrt(0.02))
				want := append([]float32(nil), x...)
				z := make([]float32, n)
				s := kernel.NewStream(0x5eed, 4).Using(impl)
				s.Seek(pos)
				s.Normals(z)
				impl.LangevinUpdate(a, b, want, g, z)
				s = kernel.NewStream(0x5eed, 4).Using(impl)
				s.Seek(pos)
				s.LangevinStep(a, b, x, g)
				for i := range x {
					if !kerneltest.Same(x[i], want[i]) {
						t.Fatalf("%v n=%d pos=%d: LangevinStep x[%d] = %g, Normals+LangevinUpdate %g", impl, n, pos, i, x[i], want[i])
					}
				}
			}
		}
	}
}
