package kernel

import (
	"fmt"
	"math"
	"testing"
)

// Strides whose extents wrap in int arithmetic (r·ld for r = 2 or 3):
// the checks must compute them exactly, or a short slice passes and the
// assembly reads and writes outside it. Each pins one clause of fits:
const (
	half    = math.MaxInt/2 + 2       // 2·half = MaxInt+3 wraps to a negative int
	third   = int(math.MaxUint/3 + 1) // 3·third = 2^64+2 (2^32+2) wraps to 2: the high word of the product
	whole   = math.MaxInt             // 2·whole + 3 wraps to 1: a product under 2^64 that no slice holds
	longest = math.MaxInt >> 2        // about the longest slice of float32 there can be
)

// TestFits holds fits and fits2 to the exact comparison, over the
// extents that wrap in int arithmetic and the ones next to them that
// do not.
func TestFits(t *testing.T) {
	for _, c := range []struct {
		n, r, ld, c int
		want        bool
	}{
		{3, 2, 1, 1, true},
		{2, 2, 1, 1, false},
		{0, 0, math.MaxInt, 0, true},
		{1, 0, math.MaxInt, 1, true},
		{longest, 1, longest - 5, 5, true},
		{longest, 1, longest - 5, 6, false},
		{1, 2, half, 1, false},
		{3, 3, third, 1, false},
		{3, 2, whole, 3, false},
		{math.MaxInt, 15, math.MaxInt, math.MaxInt, false},
	} {
		if got := fits(c.n, c.r, c.ld, c.c); got != c.want {
			t.Errorf("fits(%d, %d, %d, %d) = %v, want %v", c.n, c.r, c.ld, c.c, got, c.want)
		}
		// The same extent split between the two products of fits2.
		if got := fits2(c.n, c.r, c.ld, 0, math.MaxInt, c.c); got != c.want {
			t.Errorf("fits2(%d, %d, %d, 0, MaxInt, %d) = %v, want %v", c.n, c.r, c.ld, c.c, got, c.want)
		}
		if got := fits2(c.n, 1, 0, c.r, c.ld, c.c); got != c.want {
			t.Errorf("fits2(%d, 1, 0, %d, %d, %d) = %v, want %v", c.n, c.r, c.ld, c.c, got, c.want)
		}
	}
	// Two products that fit a uint each but not their sum: MaxInt·1 +
	// MaxInt·1 + 1 wraps to 0 in int arithmetic.
	if fits2(1, 1, math.MaxInt, 1, math.MaxInt, 1) {
		t.Error("fits2(1, 1, MaxInt, 1, MaxInt, 1) = true")
	}
}

// TestGemmOverflow: GemmMicro, GemmMicroAct, GemmStrip and
// GemmStripStrided panic, with checkTiles' message, on strides, k and n
// whose extents wrap in int arithmetic, before any kernel runs (an
// unchecked one would read and write at the true offsets, far outside
// the slices).
func TestGemmOverflow(t *testing.T) {
	for _, impl := range Available() {
		mr, nr := impl.GemmTile()
		if mr < 4 {
			t.Fatalf("%v: mr = %d: the cases below need 4 rows", impl, mr)
		}
		a, b, c, y := make([]float32, 4), make([]float32, nr), make([]float32, 4*nr), make([]float32, 4*nr)
		b3, b4 := make([]float32, 3*nr), make([]float32, 4*nr)
		// short is checkTiles' message.
		short := func(name string, m, n, k, rs, ps, ldc, la, lb, lc int) string {
			return fmt.Sprintf("kernel: %s(%v, m=%d n=%d k=%d rs=%d ps=%d ldc=%d init=0): length mismatch: len(a), len(b), len(c), len(bias) = [%d %d %d 0]",
				name, impl, m, n, k, rs, ps, ldc, la, lb, lc)
		}
		// stridedMsg is checkTiles' message for GemmStripStrided (rs = ps
		// = 0, init = 0).
		stridedMsg := func(m, n, k, ldb, qs, ldc int) string {
			return fmt.Sprintf("kernel: GemmStripStrided(%v, m=%d n=%d k=%d rs=0 ps=0 ldb=%d qs=%d ldc=%d init=0): length mismatch", impl, m, n, k, ldb, qs, ldc)
		}
		for _, tc := range []struct {
			name string
			want string
			f    func()
		}{
			// (m−1)·rs: a 3-row A with one element.
			{"rs", short("GemmMicro", 3, 1, 1, half, 0, 1, 1, nr, 3), func() {
				impl.GemmMicro(3, 1, 1, a[:1], half, 0, b, c[:3], 1, GemmZero, nil)
			}},
			{"rs high word", short("GemmMicro", 4, 1, 1, third, 0, 1, 3, nr, 4), func() {
				impl.GemmMicro(4, 1, 1, a[:3], third, 0, b, c[:4], 1, GemmZero, nil)
			}},
			// (k−1)·ps: three steps of K in one element.
			{"ps", short("GemmMicro", 1, 1, 3, 0, half, 1, 1, 3*nr, 3), func() {
				impl.GemmMicro(1, 1, 3, a[:1], 0, half, b3, c[:3], 1, GemmZero, nil)
			}},
			{"ps high word", short("GemmMicro", 1, 1, 4, 0, third, 1, 3, 4*nr, 3), func() {
				impl.GemmMicro(1, 1, 4, a[:3], 0, third, b4, c[:3], 1, GemmZero, nil)
			}},
			// (m−1)·rs + (k−1)·ps + 1: each product fits, the sum wraps to 0.
			{"rs and ps", short("GemmMicro", 2, 1, 2, whole, whole, 1, 1, 3*nr, 3), func() {
				impl.GemmMicro(2, 1, 2, a[:1], whole, whole, b3, c[:3], 1, GemmZero, nil)
			}},
			// (m−1)·ldc + n: a 4-row C in three elements.
			{"ldc", short("GemmMicroAct", 4, 1, 0, 0, 0, third, 0, nr, 3), func() {
				impl.GemmMicroAct(4, 1, 0, nil, 0, 0, b, c[:3], third, GemmZero, nil, Identity, nil, 0)
			}},
			{"ldc and n", short("GemmMicro", 3, 3, 0, 0, 0, whole, 0, nr, 3), func() {
				impl.GemmMicro(3, 3, 0, nil, 0, 0, b, c[:3], whole, GemmZero, nil)
			}},
			// k·nr: a huge k with ps = 0 reads one element of A, and k·nr
			// wraps to a negative int.
			{"k", short("GemmMicro", 1, 1, math.MaxInt/nr+1, 0, 0, 1, 1, nr, 3), func() {
				impl.GemmMicro(1, 1, math.MaxInt/nr+1, a[:1], 0, 0, b, c[:3], 1, GemmZero, nil)
			}},
			// n near MaxInt: ⌈n/nr⌉ computed as (n+nr−1)/nr wraps to a
			// negative panel count, and C's extent 2·MaxInt wraps too.
			{"strip n", fmt.Sprintf("kernel: GemmStrip(%v, m=2 n=%d k=1 rs=1 ps=1 ldc=%d init=0): length mismatch", impl, math.MaxInt, math.MaxInt), func() {
				impl.GemmStrip(2, math.MaxInt, 1, a[:2], 1, 1, b, c[:3], math.MaxInt, GemmZero, nil, Identity, nil, 0)
			}},
			// GemmStripStrided's B: (k−1)·ldb, (np−1)·qs and their sum.
			{"ldb", stridedMsg(1, 1, 3, half, 0, 1), func() {
				impl.GemmStripStrided(1, 1, 3, a[:1], 0, 0, b[:1], half, 0, c[:3], 1, GemmZero, nil, Identity, nil, 0)
			}},
			{"ldb high word", stridedMsg(1, 1, 4, third, 0, 1), func() {
				impl.GemmStripStrided(1, 1, 4, a[:1], 0, 0, b[:1], third, 0, c[:3], 1, GemmZero, nil, Identity, nil, 0)
			}},
			{"qs", stridedMsg(1, 2*nr+1, 1, 0, half, 2*nr+1), func() {
				impl.GemmStripStrided(1, 2*nr+1, 1, a[:1], 0, 0, b, 0, half, c, 2*nr+1, GemmZero, nil, Identity, nil, 0)
			}},
			{"ldb and qs", stridedMsg(1, nr+1, 2, whole, whole, nr+1), func() {
				impl.GemmStripStrided(1, nr+1, 2, a[:1], 0, 0, b, whole, whole, c, nr+1, GemmZero, nil, Identity, nil, 0)
			}},
			// (m−1)·ldy + n, y apart from C.
			{"ldy", fmt.Sprintf("kernel: GemmMicroAct(%v, m=3 n=1 ldy=%d): length mismatch: len(y) = [1]", impl, half), func() {
				impl.GemmMicroAct(3, 1, 0, nil, 0, 0, b, c[:3], 1, GemmZero, nil, ReLU, y[:1], half)
			}},
			{"strip ldy", fmt.Sprintf("kernel: GemmStrip(%v, m=4 n=1 ldy=%d): length mismatch: len(y) = [3]", impl, third), func() {
				impl.GemmStrip(4, 1, 0, nil, 0, 0, b, c[:4], 1, GemmZero, nil, ReLU, y[:3], third)
			}},
		} {
			t.Run(impl.String()+"/"+tc.name, func(t *testing.T) { mustPanic(t, tc.want, tc.f) })
		}
	}
}

// TestDenseNarrowOverflow: DenseNarrow panics, with its length message,
// on a stride whose matrix's extent wraps to the slice's length in int
// arithmetic (3·third + 1 = 3), before any kernel runs.
func TestDenseNarrowOverflow(t *testing.T) {
	for _, impl := range Available() {
		x, w, z := make([]float32, 4), make([]float32, 4), make([]float32, 4)
		for _, tc := range []struct {
			name          string
			m, n, k       int
			ldx, ldw, ldz int
			nx, nw, nz    int
		}{
			{"ldx", 4, 1, 1, third, 1, 1, 3, 1, 4},
			{"ldw", 1, 4, 1, 1, third, 4, 1, 3, 4},
			{"ldz", 4, 1, 1, 1, 1, third, 4, 1, 3},
			{"ldz and n", 3, 3, 1, 1, 1, whole, 3, 3, 1},
		} {
			t.Run(impl.String()+"/"+tc.name, func(t *testing.T) {
				want := fmt.Sprintf("kernel: DenseNarrow(%v, m=%d n=%d k=%d ldx=%d ldw=%d ldz=%d): length mismatch: len(x), len(w), len(bias), len(z) = [%d %d 0 %d]",
					impl, tc.m, tc.n, tc.k, tc.ldx, tc.ldw, tc.ldz, tc.nx, tc.nw, tc.nz)
				mustPanic(t, want, func() {
					impl.DenseNarrow(tc.m, tc.n, tc.k, x[:tc.nx], tc.ldx, w[:tc.nw], tc.ldw, nil, z[:tc.nz], tc.ldz)
				})
			})
		}
	}
}

// TestTransposeOverflow: Transpose panics, with its length message, on
// an lds or ldd whose matrix's extent wraps to the slice's length in int
// arithmetic (3·third + 4 = 6), before any kernel runs: 4×4 is a whole
// block of the smallest assembly tier.
func TestTransposeOverflow(t *testing.T) {
	for _, impl := range Available() {
		src, dst := make([]float32, 16), make([]float32, 16)
		for _, tc := range []struct {
			name                 string
			rows, cols, lds, ldd int
			nsrc, ndst           int
		}{
			{"lds", 4, 4, third, 4, 6, 16},
			{"ldd", 4, 4, 4, third, 16, 6},
			{"lds and cols", 3, 3, whole, 3, 1, 9},
		} {
			t.Run(impl.String()+"/"+tc.name, func(t *testing.T) {
				want := fmt.Sprintf("kernel: Transpose(%v, rows=%d cols=%d lds=%d ldd=%d): length mismatch: len(src), len(dst) = [%d %d]",
					impl, tc.rows, tc.cols, tc.lds, tc.ldd, tc.nsrc, tc.ndst)
				mustPanic(t, want, func() { impl.Transpose(tc.rows, tc.cols, src[:tc.nsrc], tc.lds, dst[:tc.ndst], tc.ldd) })
			})
		}
	}
}
