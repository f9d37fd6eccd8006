package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/internal/testpanic"
)

// narrowShape is one DenseNarrow call: sizes, strides, and where x, w, z
// start in their buffers.
type narrowShape struct {
	m, n, k          int
	ldx, ldw, ldz    int
	offX, offW, offZ int
	nilBias          bool
	specials         float64 // fraction of special values in x, w and bias
}

func (s narrowShape) String() string {
	return fmt.Sprintf("m=%d n=%d k=%d ldx=%d ldw=%d ldz=%d offs=%d,%d,%d nilBias=%v", s.m, s.n, s.k, s.ldx, s.ldw, s.ldz, s.offX, s.offW, s.offZ, s.nilBias)
}

// lens returns the lengths DenseNarrow needs for x, w and z.
func (s narrowShape) lens() (nx, nw, nz int) {
	if s.m > 0 && s.k > 0 {
		nx = (s.m-1)*s.ldx + s.k
	}
	if s.n > 0 && s.k > 0 {
		nw = (s.n-1)*s.ldw + s.k
	}
	if s.m > 0 && s.n > 0 {
		nz = (s.m-1)*s.ldz + s.n
	}
	return
}

// narrowInputs returns random x, w, bias (nil if s.nilBias) and an
// initial z for s.
func narrowInputs(rng *rand.Rand, s narrowShape) (x, w, bias, z []float32) {
	nx, nw, nz := s.lens()
	x, w, z = make([]float32, nx), make([]float32, nw), make([]float32, nz)
	kerneltest.Fill(rng, x, 2, s.specials)
	kerneltest.Fill(rng, w, 0.5, s.specials)
	transposeFill(rng, z) // any bits: the elements between z's rows must stay
	if !s.nilBias {
		bias = make([]float32, s.n)
		kerneltest.Fill(rng, bias, 1, s.specials)
	}
	return
}

// narrowCase runs impl's DenseNarrow on s with guard sentinels around z
// and fails t unless z is bit for bit what Generic writes, NaNs aside:
// any NaN matches any NaN (x86's fused multiply-add passes on an input
// NaN where fma32's float64 product makes the default one), as in
// TestGemmMicroSameAsGeneric. The elements between z's rows must keep
// their bits.
func narrowCase(t testing.TB, rng *rand.Rand, impl Impl, s narrowShape) {
	t.Helper()
	x, w, bias, init := narrowInputs(rng, s)
	want := append([]float32(nil), init...)
	Generic.DenseNarrow(s.m, s.n, s.k, x, s.ldx, w, s.ldw, bias, want, s.ldz)

	gx := kerneltest.NewGuarded(len(x), s.offX, x)
	gw := kerneltest.NewGuarded(len(w), s.offW, w)
	gz := kerneltest.NewGuarded(len(init), s.offZ, init)
	impl.DenseNarrow(s.m, s.n, s.k, gx.S(), s.ldx, gw.S(), s.ldw, bias, gz.S(), s.ldz)
	desc := fmt.Sprintf("DenseNarrow %v %v", impl, s)
	gz.Check(t, desc)
	for e, v := range gz.S() {
		if inside := e%s.ldz < s.n; inside && !kerneltest.Same(v, want[e]) || !inside && math.Float32bits(v) != math.Float32bits(want[e]) {
			r, j := e/s.ldz, e%s.ldz
			t.Fatalf("%s: z[%d] (row %d, column %d) = %g (%#08x), generic %g (%#08x)", desc, e, r, j, v, math.Float32bits(v), want[e], math.Float32bits(want[e]))
		}
	}
}

// narrowMs and narrowKs are the row counts and depths tried: 0, 1, each
// side of the vector heights (8, 16) and of the blocks of groups (up to
// 8·16), and the depths around the four-step unroll.
var (
	narrowMs = []int{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 47, 48, 63, 64, 65, 70, 127, 128, 129, 150}
	narrowKs = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 33, 64, 128, 131, 300}
)

// TestDenseNarrow holds every available implementation to Generic, bit
// for bit, for every n from 0 to DenseNarrowMax, every row count of
// narrowMs and every depth of narrowKs (each pairing of the two lists
// twice, rotated by n), with strides past the widths, unaligned starts,
// nil and non-nil bias, and special values (±0, NaN, ±Inf, subnormals,
// huge) in x, w and bias.
func TestDenseNarrow(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, impl := range Available() {
		for n := 0; n <= DenseNarrowMax; n++ {
			for mi, m := range narrowMs {
				for _, rot := range []int{0, 7} {
					k := narrowKs[(mi+3*n+rot)%len(narrowKs)]
					s := narrowShape{m: m, n: n, k: k,
						ldx: k + rng.IntN(3)*rng.IntN(9), ldw: k + rng.IntN(2)*rng.IntN(9), ldz: n + rng.IntN(2)*rng.IntN(5),
						offX: rng.IntN(8), offW: rng.IntN(8), offZ: rng.IntN(8),
						nilBias: rng.IntN(4) == 0, specials: []float64{0, 0.05, 0.3}[rng.IntN(3)]}
					narrowCase(t, rng, impl, s)
				}
			}
		}
	}
}

// TestDenseNarrowShapes runs the shapes of a network's last layer (f32's
// narrow path: 128 → 2 and 128 → 16 over a few hundred rows) and a few
// long ones, on every implementation.
func TestDenseNarrowShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, impl := range Available() {
		for _, s := range []narrowShape{
			{m: 256, n: 2, k: 128, ldx: 128, ldw: 128, ldz: 2},
			{m: 300, n: 16, k: 128, ldx: 128, ldw: 128, ldz: 16},
			{m: 1000, n: 1, k: 37, ldx: 40, ldw: 37, ldz: 3},
			{m: 97, n: 9, k: 1000, ldx: 1001, ldw: 1003, ldz: 9, specials: 0.01},
			{m: 200, n: 5, k: 64, ldx: 64, ldw: 64, ldz: 5, nilBias: true},
		} {
			narrowCase(t, rng, impl, s)
		}
	}
}

// TestDenseNarrowFences runs every implementation with x, w, bias and z
// each ending at, or starting right after, an inaccessible page: reading
// or writing one element outside a matrix crashes the test.
func TestDenseNarrowFences(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	shapes := []narrowShape{
		{m: 1, n: 1, k: 1, ldx: 1, ldw: 1, ldz: 1},
		{m: 3, n: 2, k: 5, ldx: 5, ldw: 5, ldz: 2},
		{m: 15, n: 3, k: 7, ldx: 7, ldw: 9, ldz: 3},
		{m: 16, n: 16, k: 16, ldx: 16, ldw: 16, ldz: 16},
		{m: 17, n: 13, k: 17, ldx: 17, ldw: 17, ldz: 13},
		{m: 64, n: 2, k: 128, ldx: 128, ldw: 128, ldz: 2},
		{m: 70, n: 1, k: 33, ldx: 33, ldw: 33, ldz: 1},
		{m: 33, n: 7, k: 2, ldx: 2, ldw: 2, ldz: 7},
		{m: 129, n: 4, k: 3, ldx: 3, ldw: 3, ldz: 4},
		{m: 40, n: 9, k: 6, ldx: 6, ldw: 6, ldz: 9},
	}
	for _, impl := range Available() {
		for _, s := range shapes {
			x0, w0, b0, init := narrowInputs(rng, s)
			want := append([]float32(nil), init...)
			Generic.DenseNarrow(s.m, s.n, s.k, x0, s.ldx, w0, s.ldw, b0, want, s.ldz)
			for _, fence := range []func(testing.TB, int) []float32{kerneltest.FenceEnd, kerneltest.FenceStart} {
				x, w, b, z := fence(t, len(x0)), fence(t, len(w0)), fence(t, s.n), fence(t, len(init))
				copy(x, x0)
				copy(w, w0)
				copy(b, b0)
				copy(z, init)
				impl.DenseNarrow(s.m, s.n, s.k, x, s.ldx, w, s.ldw, b, z, s.ldz)
				for e, v := range z {
					if !kerneltest.Same(v, want[e]) {
						t.Fatalf("DenseNarrow %v %v fenced: z[%d] = %g, generic %g", impl, s, e, v, want[e])
					}
				}
			}
		}
	}
}

// TestDenseNarrowReference holds every implementation to the exact
// result (in float64) within the documented bound, on finite inputs.
func TestDenseNarrowReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for _, impl := range Available() {
		for _, s := range []narrowShape{
			{m: 37, n: 2, k: 128, ldx: 130, ldw: 128, ldz: 2},
			{m: 20, n: 16, k: 300, ldx: 300, ldw: 301, ldz: 17},
			{m: 50, n: 7, k: 17, ldx: 17, ldw: 17, ldz: 7},
		} {
			x, w, bias, z := narrowInputs(rng, s)
			impl.DenseNarrow(s.m, s.n, s.k, x, s.ldx, w, s.ldw, bias, z, s.ldz)
			for r := range s.m {
				for j := range s.n {
					exact, mag := float64(bias[j]), math.Abs(float64(bias[j]))
					for p := range s.k {
						v := float64(x[r*s.ldx+p]) * float64(w[j*s.ldw+p])
						exact += v
						mag += math.Abs(v)
					}
					got := float64(z[r*s.ldz+j])
					if d := math.Abs(got - exact); !(d <= float64(s.k+1)*0x1p-24*mag) {
						t.Fatalf("DenseNarrow %v %v: z[%d][%d] = %g, exact %g, bound %g", impl, s, r, j, got, exact, float64(s.k+1)*0x1p-24*mag)
					}
				}
			}
		}
	}
}

// TestDenseNarrowPanics checks that bad shapes, short slices and z
// overlapping an input panic with a message naming the kernel, and that
// empty shapes and exact lengths do not.
func TestDenseNarrowPanics(t *testing.T) {
	buf := make([]float32, 200)
	bad := []struct {
		name           string
		m, n, k        int
		ldx, ldw, ldz  int
		nx, nw, nb, nz int
		zAt            int // z starts at buf[zAt:]
	}{
		{"negative m", -1, 2, 3, 3, 3, 2, 10, 10, 2, 10, 100},
		{"negative n", 2, -1, 3, 3, 3, 2, 10, 10, 2, 10, 100},
		{"negative k", 2, 2, -1, 3, 3, 2, 10, 10, 2, 10, 100},
		{"n too large", 2, DenseNarrowMax + 1, 3, 3, 3, 20, 10, 60, 20, 40, 100},
		{"ldx < k", 2, 2, 3, 2, 3, 2, 10, 10, 2, 10, 100},
		{"ldw < k", 2, 2, 3, 3, 2, 2, 10, 10, 2, 10, 100},
		{"ldz < n", 2, 2, 3, 3, 3, 1, 10, 10, 2, 10, 100},
		{"short x", 2, 2, 3, 4, 3, 2, 6, 10, 2, 10, 100},
		{"short w", 2, 2, 3, 3, 4, 2, 6, 6, 2, 10, 100},
		{"short bias", 2, 2, 3, 3, 3, 2, 6, 6, 1, 10, 100},
		{"short z", 2, 2, 3, 3, 3, 3, 6, 6, 2, 4, 100},
		{"z overlaps x", 2, 2, 3, 3, 3, 2, 6, 6, 2, 4, 5},
	}
	for _, impl := range Available() {
		for _, c := range bad {
			testpanic.Contains(t, fmt.Sprintf("%v DenseNarrow, %s,", impl, c.name), func() {
				// x at buf[0:], w at buf[40:], bias at buf[80:].
				impl.DenseNarrow(c.m, c.n, c.k, buf[:c.nx], c.ldx, buf[40:40+c.nw], c.ldw, buf[80:80+c.nb], buf[c.zAt:c.zAt+c.nz], c.ldz)
			}, "DenseNarrow")
		}
		// The exact lengths are enough, and empty shapes touch nothing.
		impl.DenseNarrow(2, 2, 3, buf[:7], 4, buf[40:46], 3, buf[80:82], buf[100:104], 2)
		impl.DenseNarrow(0, 2, 3, nil, 3, buf[40:46], 3, nil, nil, 2)
		impl.DenseNarrow(2, 0, 3, buf[:6], 3, nil, 3, nil, nil, 0)
		impl.DenseNarrow(2, 2, 0, nil, 0, nil, 0, nil, buf[100:104], 2)
	}
	for i := Generic; i < numImpls+1; i++ {
		if i.Available() {
			continue
		}
		testpanic.Contains(t, fmt.Sprintf("%v DenseNarrow (unavailable)", i), func() {
			i.DenseNarrow(1, 1, 1, buf[:1], 1, buf[1:2], 1, nil, buf[2:3], 1)
		}, "DenseNarrow")
	}
}

// TestHasDenseNarrow checks which implementations say they run
// DenseNarrow in assembly: avx2, avx512 and neon in a build with
// assembly, none elsewhere (generic, purego).
func TestHasDenseNarrow(t *testing.T) {
	for _, impl := range Available() {
		want := asmBuild && (impl == AVX2 || impl == AVX512 || impl == NEON)
		if got := impl.HasDenseNarrow(); got != want {
			t.Errorf("%v.HasDenseNarrow() = %v, want %v", impl, got, want)
		}
	}
}

// FuzzDenseNarrow holds every implementation to Generic on fuzzer-chosen
// shapes, strides, offsets and contents.
func FuzzDenseNarrow(f *testing.F) {
	f.Add(uint8(16), uint8(2), uint16(128), uint8(0), uint8(0), uint64(1))
	f.Add(uint8(17), uint8(16), uint16(17), uint8(3), uint8(5), uint64(2))
	f.Add(uint8(70), uint8(1), uint16(3), uint8(1), uint8(7), uint64(3))
	f.Add(uint8(5), uint8(9), uint16(300), uint8(4), uint8(2), uint64(4))
	f.Fuzz(func(t *testing.T, m8, n8 uint8, k16 uint16, pad, off uint8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 29))
		m, n, k := int(m8)%150, int(n8)%(DenseNarrowMax+1), int(k16)%400
		s := narrowShape{m: m, n: n, k: k,
			ldx: k + int(pad)%5, ldw: k + int(pad/5)%5, ldz: n + int(pad/25)%3,
			offX: int(off) % 8, offW: int(off/8) % 8, offZ: int(off/64) % 4,
			nilBias: seed%5 == 0, specials: float64(seed%4) / 10}
		for _, impl := range Available() {
			narrowCase(t, rng, impl, s)
		}
	})
}

// BenchmarkDenseNarrow times every available implementation on a
// network's last layer (k = 128) over 64 rows (x in L1) and 1024 rows
// (x, 512 KB, in L2), in GFLOP/s.
//
//	go test ./kernel -run XXX -bench DenseNarrow -count 8 | benchstat -
func BenchmarkDenseNarrow(b *testing.B) {
	rng := rand.New(rand.NewPCG(30, 31))
	const k = 128
	for _, m := range []int{64, 1024} {
		for _, n := range []int{1, 2, 4, 8, 16} {
			x, w, z := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
			bias := make([]float32, n)
			kerneltest.Fill(rng, x, 1, 0)
			kerneltest.Fill(rng, w, 1, 0)
			for _, impl := range Available() {
				b.Run(fmt.Sprintf("%v/M=%d/N=%d", impl, m, n), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						impl.DenseNarrow(m, n, k, x, k, w, k, bias, z, n)
					}
					b.ReportMetric(2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
