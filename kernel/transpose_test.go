package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/internal/testpanic"
)

// transposeRef is the oracle: the loop of Transpose's doc comment.
func transposeRef(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	for r := range rows {
		for c := range cols {
			dst[c*ldd+r] = src[r*lds+c]
		}
	}
}

// transposeBits are bit patterns a transpose must carry unchanged: quiet
// and signalling NaNs with payloads, infinities, signed zeros, subnormals.
var transposeBits = []uint32{
	0x7fc00000, 0xffc00000, 0x7fc12345, 0xffd5a5a5, 0x7f800001, 0xff800001, 0x7fbfffff, // NaNs
	0x7f800000, 0xff800000, 0x00000000, 0x80000000, // ±Inf, ±0
	0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00400000, // subnormals
	0x7f7fffff, 0x00800000, 0x3f800000, 0xbf800000,
}

// transposeFill sets x to random floats, with a fraction of them the
// special bit patterns above.
func transposeFill(rng *rand.Rand, x []float32) {
	for i := range x {
		if rng.IntN(4) == 0 {
			x[i] = math.Float32frombits(transposeBits[rng.IntN(len(transposeBits))])
			continue
		}
		x[i] = math.Float32frombits(rng.Uint32())
	}
}

// transposeCase runs impl's Transpose on one shape, with src starting
// offS and dst offD elements into their buffers, and fails t unless dst
// (including the elements between its rows that Transpose must leave
// alone) is bit for bit what the reference writes, its guards are intact
// and src is unchanged.
func transposeCase(t testing.TB, rng *rand.Rand, impl Impl, rows, cols, lds, ldd, offS, offD int) {
	t.Helper()
	ns, nd := 0, 0
	if rows > 0 && cols > 0 {
		ns, nd = (rows-1)*lds+cols, (cols-1)*ldd+rows
	}
	src := make([]float32, ns)
	transposeFill(rng, src)
	init := make([]float32, nd)
	transposeFill(rng, init)
	want := append([]float32(nil), init...)
	transposeRef(rows, cols, src, lds, want, ldd)

	gs := kerneltest.NewGuarded(ns, offS, src)
	gd := kerneltest.NewGuarded(nd, offD, init)
	impl.Transpose(rows, cols, gs.S(), lds, gd.S(), ldd)
	desc := fmt.Sprintf("Transpose %v rows=%d cols=%d lds=%d ldd=%d offs=%d,%d", impl, rows, cols, lds, ldd, offS, offD)
	gd.Check(t, desc)
	gs.Check(t, desc+" (src)")
	for k, v := range gd.S() {
		if math.Float32bits(v) != math.Float32bits(want[k]) {
			c, r := k/ldd, k%ldd
			t.Fatalf("%s: dst[%d] (column %d, row %d) = %#08x, want %#08x", desc, k, c, r, math.Float32bits(v), math.Float32bits(want[k]))
		}
	}
	for k, v := range gs.S() {
		if math.Float32bits(v) != math.Float32bits(src[k]) {
			t.Fatalf("%s: src[%d] changed", desc, k)
		}
	}
}

// transposeDims are the row and column counts tried: 0, 1, each side of
// every block size (4, 8, 16) and of a few of their multiples.
var transposeDims = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 23, 24, 31, 32, 33, 47, 48, 64, 65}

// TestTranspose holds every available implementation to the reference,
// bit for bit, over every pair of transposeDims with tight and loose
// strides (including the GEMM panel widths 16 and 32 as ldd), and
// unaligned starts, with guards around both slices.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, impl := range Available() {
		for _, rows := range transposeDims {
			for _, cols := range transposeDims {
				ldds := []int{rows, rows + 3}
				for _, nr := range []int{16, 32} {
					if nr >= rows {
						ldds = append(ldds, nr)
					}
				}
				for _, lds := range []int{cols, cols + 1, cols + 8} {
					for k, ldd := range ldds {
						off := kerneltest.Offsets[(rows+3*cols+k)%len(kerneltest.Offsets)]
						transposeCase(t, rng, impl, rows, cols, lds, ldd, off, (off*5+lds)%8)
					}
				}
			}
		}
	}
}

// TestTransposeLarge covers the shapes Transpose is used for: panels of
// a GEMM's nr rows by a few hundred columns, and whole matrices.
func TestTransposeLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	shapes := []struct{ rows, cols, lds, ldd int }{
		{16, 256, 1024, 16}, {32, 256, 1024, 32}, {32, 128, 128, 32}, {13, 255, 301, 32},
		{512, 512, 512, 512}, {300, 201, 207, 333}, {127, 129, 129, 127}, {1, 1000, 1000, 1}, {1000, 1, 1, 1000},
	}
	for _, impl := range Available() {
		for _, s := range shapes {
			transposeCase(t, rng, impl, s.rows, s.cols, s.lds, s.ldd, 3, 1)
		}
	}
}

// TestTransposeFences runs every implementation on slices that end at,
// or start right after, an inaccessible page: reading or writing one
// element outside either matrix crashes the test.
func TestTransposeFences(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := []struct{ rows, cols, lds, ldd int }{
		{1, 1, 1, 1}, {3, 5, 5, 3}, {8, 8, 8, 8}, {9, 7, 7, 9}, {16, 16, 16, 16}, {17, 33, 40, 17},
		{32, 64, 64, 32}, {31, 64, 64, 32}, {32, 63, 70, 32}, {40, 40, 41, 45}, {16, 100, 128, 16},
	}
	for _, impl := range Available() {
		for _, s := range shapes {
			ns, nd := (s.rows-1)*s.lds+s.cols, (s.cols-1)*s.ldd+s.rows
			in := make([]float32, ns)
			transposeFill(rng, in)
			want := make([]float32, nd)
			transposeRef(s.rows, s.cols, in, s.lds, want, s.ldd)
			for _, fence := range []func(testing.TB, int) []float32{kerneltest.FenceEnd, kerneltest.FenceStart} {
				src, dst := fence(t, ns), fence(t, nd)
				copy(src, in)
				impl.Transpose(s.rows, s.cols, src, s.lds, dst, s.ldd)
				for k, v := range dst {
					if math.Float32bits(v) != math.Float32bits(want[k]) {
						t.Fatalf("Transpose %v %+v fenced: dst[%d] = %#08x, want %#08x", impl, s, k, math.Float32bits(v), math.Float32bits(want[k]))
					}
				}
			}
		}
	}
}

// TestTransposePanics checks that bad shapes and short slices panic with
// a message naming the kernel, and that empty shapes do nothing.
func TestTransposePanics(t *testing.T) {
	buf := make([]float32, 100)
	bad := []struct {
		name                 string
		rows, cols, lds, ldd int
		nsrc, ndst           int
	}{
		{"negative rows", -1, 2, 2, 2, 100, 100},
		{"negative cols", 2, -1, 2, 2, 100, 100},
		{"lds < cols", 3, 4, 3, 3, 100, 100},
		{"ldd < rows", 3, 4, 4, 2, 100, 100},
		{"short src", 3, 4, 5, 3, 13, 100},
		{"short dst", 3, 4, 4, 5, 100, 17},
		{"negative rows, no data", -1, 0, 0, 0, 0, 0},
	}
	for _, impl := range Available() {
		for _, c := range bad {
			testpanic.Contains(t, fmt.Sprintf("%v Transpose, %s,", impl, c.name), func() {
				impl.Transpose(c.rows, c.cols, buf[:c.nsrc], c.lds, buf[:c.ndst], c.ldd)
			}, "Transpose")
		}
		// The exact lengths are enough, and empty shapes touch nothing.
		impl.Transpose(3, 4, buf[:14], 5, buf[50:50+18], 5)
		impl.Transpose(0, 4, nil, 4, nil, 0)
		impl.Transpose(4, 0, nil, 0, nil, 4)
	}
	for i := Generic; i < numImpls+1; i++ {
		if i.Available() {
			continue
		}
		testpanic.Contains(t, fmt.Sprintf("%v Transpose (unavailable)", i), func() {
			i.Transpose(1, 1, buf, 1, buf[1:], 1)
		}, "Transpose")
	}
}

// FuzzTranspose holds every implementation to the reference on
// fuzzer-chosen shapes, strides, offsets and contents.
func FuzzTranspose(f *testing.F) {
	f.Add(uint8(8), uint8(8), uint8(0), uint8(0), uint8(0), uint64(1))
	f.Add(uint8(32), uint8(129), uint8(3), uint8(0), uint8(5), uint64(2))
	f.Add(uint8(17), uint8(33), uint8(1), uint8(15), uint8(7), uint64(3))
	f.Add(uint8(16), uint8(255), uint8(0), uint8(16), uint8(2), uint64(4))
	f.Fuzz(func(t *testing.T, rows, cols, dls, dld, off uint8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 9))
		r, c := int(rows)%100, int(cols)
		lds, ldd := c+int(dls)%40, r+int(dld)%40
		for _, impl := range Available() {
			transposeCase(t, rng, impl, r, c, lds, ldd, int(off)%8, int(off/8)%8)
		}
	})
}

// BenchmarkTranspose times every available implementation on packing
// GEMM panels (nr rows of a row-major matrix at a time into ldd = nr, as
// a GEMM packs Bᵀ) and on whole square matrices, in ns per element.
func BenchmarkTranspose(b *testing.B) {
	type shape struct {
		name       string
		rows, cols int // of the whole source matrix
		nr         int // rows per call and ldd; 0: one call, ldd = rows
	}
	shapes := []shape{
		{"panels/1024x128/nr=16", 1024, 128, 16},
		{"panels/1024x128/nr=32", 1024, 128, 32},
		{"panels/128x512/nr=16", 128, 512, 16},
		{"panels/128x512/nr=32", 128, 512, 32},
		{"whole/512x512", 512, 512, 0},
		{"whole/1024x128", 1024, 128, 0},
		{"whole/77x99", 77, 99, 0},
	}
	for _, s := range shapes {
		src := make([]float32, s.rows*s.cols)
		transposeFill(rand.New(rand.NewPCG(1, 1)), src)
		dst := make([]float32, s.rows*s.cols)
		for _, impl := range Available() {
			b.Run(s.name+"/"+impl.String(), func(b *testing.B) {
				b.SetBytes(int64(8 * len(src)))
				b.ReportAllocs()
				for b.Loop() {
					if s.nr == 0 {
						impl.Transpose(s.rows, s.cols, src, s.cols, dst, s.rows)
						continue
					}
					for q := 0; q < s.rows; q += s.nr {
						impl.Transpose(s.nr, s.cols, src[q*s.cols:], s.cols, dst[q*s.cols:], s.nr)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(src)), "ns/elem")
			})
		}
	}
}
