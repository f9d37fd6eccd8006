package kernel

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
)

// adamCoefs are the step scalars the tests try: Adam's defaults early and
// late in training, with and without weight decay, and odd ones.
func adamCoefs() []AdamCoef {
	def := func(lr, wd float64, t int) AdamCoef {
		bc1 := 1 - math.Pow(0.9, float64(t))
		bc2 := 1 - math.Pow(0.999, float64(t))
		return AdamCoef{
			B1: 0.9, C1: 1 - float32(0.9), B2: 0.999, C2: 1 - float32(0.999),
			Step: float32(lr / bc1 * math.Sqrt(bc2)), Eps: float32(1e-8 * math.Sqrt(bc2)), Decay: float32(1 - lr*wd),
		}
	}
	return []AdamCoef{
		def(1e-3, 0, 1), def(1e-3, 0.01, 1), def(3e-4, 0, 1000), def(1, 0.5, 7),
		{B1: 0, C1: 1, B2: 0, C2: 1, Step: 1, Eps: 0, Decay: 1}, // sign descent
		{B1: 0.5, C1: 0.5, B2: 0.25, C2: 0.75, Step: -2, Eps: 1, Decay: 0},
	}
}

// adamCase is one set of inputs of the Adam kernel.
type adamCase struct{ p, g, m, v []float32 }

func newAdamCase(rng *rand.Rand, n int, frac float64) adamCase {
	c := adamCase{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)}
	kerneltest.Fill(rng, c.p, 1, frac)
	kerneltest.Fill(rng, c.g, 0.1, frac)
	kerneltest.Fill(rng, c.m, 0.05, frac)
	kerneltest.Fill(rng, c.v, 0.01, frac)
	for i, x := range c.v {
		if frac == 0 || rng.IntN(2) == 0 {
			c.v[i] = float32(math.Abs(float64(x))) // v ≥ 0 as Adam keeps it, mostly
		}
	}
	return c
}

// checkAdamSame runs impl on guarded copies of c at offset off and fails
// unless every output is generic's, bit for bit (all NaNs alike).
func checkAdamSame(t *testing.T, impl Impl, co AdamCoef, c adamCase, off int) {
	t.Helper()
	n := len(c.g)
	want := adamCase{append([]float32(nil), c.p...), c.g, append([]float32(nil), c.m...), append([]float32(nil), c.v...)}
	Generic.Adam(co, want.p, want.g, want.m, want.v)
	p := kerneltest.NewGuarded(n, off, c.p)
	g := kerneltest.NewGuarded(n, (off+3)%8, c.g)
	m := kerneltest.NewGuarded(n, (off+5)%8, c.m)
	v := kerneltest.NewGuarded(n, 7-off%8, c.v)
	impl.Adam(co, p.S(), g.S(), m.S(), v.S())
	desc := fmt.Sprintf("Adam %s %+v", kerneltest.Desc(impl, n, off), co)
	for _, x := range []struct {
		name string
		gu   *kerneltest.Guarded
		want []float32
	}{{"params", p, want.p}, {"grad", g, c.g}, {"m", m, want.m}, {"v", v, want.v}} {
		x.gu.Check(t, desc+" "+x.name)
		for i, got := range x.gu.S() {
			if !kerneltest.Same(got, x.want[i]) {
				t.Fatalf("%s: %s[%d] = %g (%#x), generic %g (%#x); inputs p=%g g=%g m=%g v=%g",
					desc, x.name, i, got, bits(got), x.want[i], bits(x.want[i]), c.p[i], c.g[i], c.m[i], c.v[i])
			}
		}
	}
}

// TestAdamImplsAgree holds every implementation of Adam to the generic
// one, bit for bit, over every length up to 3 × the widest unroll + 1 and
// some large ones, every offset, inputs with and without special values,
// with guard sentinels around all four slices.
func TestAdamImplsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, impl := range Available()[1:] {
		for ci, co := range adamCoefs() {
			for _, n := range kerneltest.Lengths(widestUnroll) {
				for _, off := range kerneltest.Offsets {
					if ci > 0 && off%4 != 0 {
						continue // every offset with the first coefficients is enough
					}
					checkAdamSame(t, impl, co, newAdamCase(rng, n, 0.2), off)
				}
			}
		}
	}
}

// TestAdamSpecials runs every special value through each input and each
// coefficient of every implementation.
func TestAdamSpecials(t *testing.T) {
	for _, impl := range Available()[1:] {
		for _, sv := range kerneltest.Specials {
			for which := range 4 + 7 {
				co := adamCoefs()[0]
				c := newAdamCase(rand.New(rand.NewPCG(7, uint64(which))), 37, 0)
				switch which {
				case 0, 1, 2, 3:
					for i := range c.g {
						if i%3 == 0 {
							[][]float32{c.p, c.g, c.m, c.v}[which][i] = sv
						}
					}
				default:
					f := []*float32{&co.B1, &co.C1, &co.B2, &co.C2, &co.Step, &co.Eps, &co.Decay}
					*f[which-4] = sv
				}
				checkAdamSame(t, impl, co, c, which%8)
			}
		}
	}
}

// adamRef64 is the Adam update of one element in float64 from the same
// float32 inputs, with the error bounds of [Impl.Adam]'s doc comment.
func adamRef64(c AdamCoef, p, g, m, v float32) (pn, mn, vn, pb, mb, vb float64) {
	const u = 0x1p-24
	b1, c1, b2, c2 := float64(c.B1), float64(c.C1), float64(c.B2), float64(c.C2)
	g64 := float64(g)
	mn = b1*float64(m) + c1*g64
	vn = b2*float64(v) + c2*g64*g64
	pd := float64(p) * float64(c.Decay)
	den := math.Sqrt(vn) + float64(c.Eps)
	pn = pd - float64(c.Step)*mn/den
	mag := math.Abs(b1*float64(m)) + math.Abs(c1*g64)
	mb = 2 * u * mag
	vb = 3 * u * (math.Abs(b2*float64(v)) + c2*g64*g64)
	pb = 2*u*math.Abs(pd) + u*math.Abs(pn) + 8*u*math.Abs(float64(c.Step))*mag/den
	return
}

// TestAdamReference holds every implementation to the float64 evaluation
// of the same formula within the bounds of [Impl.Adam]'s doc comment, on
// inputs where nothing overflows or underflows.
func TestAdamReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, impl := range Available() {
		for _, co := range adamCoefs()[:4] {
			c := newAdamCase(rng, 4099, 0)
			p, m, v := append([]float32(nil), c.p...), append([]float32(nil), c.m...), append([]float32(nil), c.v...)
			impl.Adam(co, p, c.g, m, v)
			for i := range c.g {
				checkAdamRef(t, impl, co, c.p[i], c.g[i], c.m[i], c.v[i], p[i], m[i], v[i])
			}
		}
	}
}

func checkAdamRef(t *testing.T, impl Impl, co AdamCoef, p0, g, m0, v0, p, m, v float32) {
	t.Helper()
	pn, mn, vn, pb, mb, vb := adamRef64(co, p0, g, m0, v0)
	if math.Abs(float64(m)-mn) > mb || math.Abs(float64(v)-vn) > vb || math.Abs(float64(p)-pn) > pb {
		t.Fatalf("Adam %v %+v, p=%g g=%g m=%g v=%g: got p=%g m=%g v=%g, float64 p=%g±%g m=%g±%g v=%g±%g",
			impl, co, p0, g, m0, v0, p, m, v, pn, pb, mn, mb, vn, vb)
	}
}

// TestAdamPageFence runs Adam on slices that end at, and start at, an
// inaccessible page.
func TestAdamPageFence(t *testing.T) {
	co := adamCoefs()[1]
	for _, impl := range Available() {
		for _, n := range kerneltest.Lengths(widestUnroll) {
			t.Run(fmt.Sprintf("%v/%d", impl, n), func(t *testing.T) {
				for _, fence := range []func(testing.TB, int) []float32{kerneltest.FenceEnd, kerneltest.FenceStart} {
					impl.Adam(co, fence(t, n), fence(t, n), fence(t, n), fence(t, n))
				}
			})
		}
	}
}

func TestAdamLengths(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Adam with mismatched lengths did not panic")
		}
	}()
	Adam(adamCoefs()[0], make([]float32, 3), make([]float32, 3), make([]float32, 3), make([]float32, 2))
}

// FuzzAdam holds every implementation of Adam to the generic one, bit for
// bit, on fuzzer-chosen inputs and coefficients (the first 28 bytes), and
// to the float64 reference where the inputs are moderate.
func FuzzAdam(f *testing.F) {
	for _, n := range []int{0, 1, 7, 8, 9, 17, 33, 65} {
		b := make([]byte, 28+16*n)
		co := adamCoefs()[n%len(adamCoefs())]
		for i, x := range []float32{co.B1, co.C1, co.B2, co.C2, co.Step, co.Eps, co.Decay} {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
		for i := range 4 * n {
			binary.LittleEndian.PutUint32(b[28+4*i:], math.Float32bits(kerneltest.Specials[(i*7)%len(kerneltest.Specials)]))
		}
		f.Add(b, uint8(n%8))
	}
	f.Fuzz(func(t *testing.T, b []byte, off uint8) {
		if len(b) < 28 {
			return
		}
		k := floatsFrom(b[:28])
		co := AdamCoef{B1: k[0], C1: k[1], B2: k[2], C2: k[3], Step: k[4], Eps: k[5], Decay: k[6]}
		all := floatsFrom(b[28:])
		n := len(all) / 4
		c := adamCase{all[:n], all[n : 2*n], all[2*n : 3*n], all[3*n : 4*n]}
		for _, impl := range Available()[1:] {
			checkAdamSame(t, impl, co, c, int(off%8))
		}
		// The reference bound, on the elements where it means something:
		// moderate coefficients and inputs, v ≥ 0, a denominator away from
		// underflow.
		moderate := func(x float32, lo float64) bool {
			a := math.Abs(float64(x))
			return x == 0 || a >= lo && a <= 1e10
		}
		for _, x := range k {
			if !moderate(x, 1e-6) {
				return
			}
		}
		if co.B1 < 0 || co.C1 < 0 || co.B2 < 0 || co.C2 < 0 || co.Eps < 1e-20 {
			return
		}
		p, m, v := append([]float32(nil), c.p...), append([]float32(nil), c.m...), append([]float32(nil), c.v...)
		Active().Adam(co, p, c.g, m, v)
		for i := range n {
			if !moderate(c.p[i], 1e-10) || !moderate(c.g[i], 1e-10) || !moderate(c.m[i], 1e-10) || !moderate(c.v[i], 1e-10) || c.v[i] < 0 {
				continue
			}
			checkAdamRef(t, Active(), co, c.p[i], c.g[i], c.m[i], c.v[i], p[i], m[i], v[i])
		}
	})
}
