package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

const sentinel = 0x7fa5a5a5

// guardedMatrix returns an r×c matrix with stride c+pad inside a buffer
// whose every element outside the matrix holds a sentinel.
func guardedMatrix(rng *rand.Rand, r, c, pad int) (Matrix, []float32) {
	stride := c + pad
	buf := make([]float32, 16+r*stride+16)
	for i := range buf {
		buf[i] = math.Float32frombits(sentinel)
	}
	m := Matrix{Rows: r, Cols: c, Stride: stride, Data: buf[16 : 16+max(0, (r-1)*stride+c)]}
	for i := range r {
		kerneltest.Fill(rng, m.Row(i), 1, 0)
	}
	return m, buf
}

func checkGuards(t *testing.T, m Matrix, buf []float32, what string) {
	t.Helper()
	inside := func(k int) bool {
		k -= 16
		if k < 0 || m.Rows == 0 {
			return false
		}
		i, j := k/m.Stride, k%m.Stride
		return i < m.Rows && j < m.Cols
	}
	for k, v := range buf {
		if !inside(k) && math.Float32bits(v) != sentinel {
			t.Fatalf("%s: write outside the matrix at buffer index %d", what, k)
		}
	}
}

func randMatrix(rng *rand.Rand, r, c, pad int) Matrix {
	m, _ := guardedMatrix(rng, r, c, pad)
	return m
}

// gemmRef returns alpha·op(A)·op(B) + beta·C in float64 and the error
// bound the Gemm doc comment states.
func gemmRef(transA, transB bool, alpha float32, a, b Matrix, beta float32, c Matrix) (want, bound []float64) {
	m, n := c.Rows, c.Cols
	k := a.Cols
	if transA {
		k = a.Rows
	}
	want = make([]float64, m*n)
	bound = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				var av, bv float32
				if transA {
					av = a.At(p, i)
				} else {
					av = a.At(i, p)
				}
				if transB {
					bv = b.At(j, p)
				} else {
					bv = b.At(p, j)
				}
				v := float64(av) * float64(bv)
				s += v
				abs += math.Abs(v)
			}
			s *= float64(alpha)
			abs *= math.Abs(float64(alpha))
			if beta != 0 {
				cv := float64(beta) * float64(c.At(i, j))
				s += cv
				abs += math.Abs(cv)
			}
			want[i*n+j] = s
			bound[i*n+j] = float64(k+2)*0x1p-24*abs + 1e-35
		}
	}
	return want, bound
}

func TestGemmReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		_, kc := impl.GemmBlocking()
		cases := 0
		for trial := range 160 {
			m := 1 + rng.IntN(3*mr+1)
			n := 1 + rng.IntN(3*nr+1)
			k := 1 + rng.IntN(3*8+1)
			switch trial % 8 {
			case 0, 2, 6:
				k = kc + 1 + rng.IntN(40) // two K blocks, every transposition
			case 1:
				m = mr*(1+rng.IntN(3)) + rng.IntN(2)
				n = nr*(1+rng.IntN(3)) + rng.IntN(2)
			}
			transA, transB := trial&2 != 0, trial&4 != 0
			alpha := []float32{1, -0.5, 2}[rng.IntN(3)]
			beta := []float32{0, 1, 0.25}[rng.IntN(3)]
			ar, ac := m, k
			if transA {
				ar, ac = k, m
			}
			br, bc := k, n
			if transB {
				br, bc = n, k
			}
			a := randMatrix(rng, ar, ac, rng.IntN(3))
			b := randMatrix(rng, br, bc, rng.IntN(3))
			c, buf := guardedMatrix(rng, m, n, rng.IntN(3))
			if beta == 0 {
				for i := range m {
					c.Row(i)[0] = float32(math.NaN()) // must not propagate
				}
			}
			want, bound := gemmRef(transA, transB, alpha, a, b, beta, c)
			workers := 1 + trial%3
			GemmWith(impl, workers, transA, transB, alpha, a, b, beta, c)
			desc := fmt.Sprintf("%v m=%d n=%d k=%d tA=%v tB=%v α=%g β=%g workers=%d", impl, m, n, k, transA, transB, alpha, beta, workers)
			checkGuards(t, c, buf, desc)
			for i := range m {
				for j := range n {
					g := float64(c.At(i, j))
					if d := math.Abs(g - want[i*n+j]); !(d <= bound[i*n+j]) {
						t.Fatalf("%s: C[%d][%d] = %g, want %g ± %g", desc, i, j, g, want[i*n+j], bound[i*n+j])
					}
				}
			}
			cases++
		}
	}
}

// TestGemmEdges covers every edge-tile size M, N, K from 1 to 3×tile+1 on
// each axis in turn, the others fixed.
func TestGemmEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		try := func(m, n, k int) {
			a := randMatrix(rng, m, k, 1)
			b := randMatrix(rng, k, n, 0)
			c, buf := guardedMatrix(rng, m, n, 2)
			want, bound := gemmRef(false, false, 1, a, b, 0, c)
			GemmWith(impl, 1, false, false, 1, a, b, 0, c)
			desc := fmt.Sprintf("%v m=%d n=%d k=%d", impl, m, n, k)
			checkGuards(t, c, buf, desc)
			for i := range m {
				for j := range n {
					if d := math.Abs(float64(c.At(i, j)) - want[i*n+j]); !(d <= bound[i*n+j]) {
						t.Fatalf("%s: C[%d][%d] = %g, want %g", desc, i, j, c.At(i, j), want[i*n+j])
					}
				}
			}
		}
		for m := 1; m <= 3*mr+1; m++ {
			try(m, nr+3, 5)
		}
		for n := 1; n <= 3*nr+1; n++ {
			try(mr+1, n, 7)
		}
		for k := 1; k <= 3*8+1; k++ {
			try(mr, nr, k)
		}
	}
}

func TestGemmDegenerate(t *testing.T) {
	for _, impl := range kernel.Available() {
		c := NewMatrix(3, 4)
		for i := range c.Data {
			c.Data[i] = 2
		}
		GemmWith(impl, 1, false, false, 1, NewMatrix(3, 0), NewMatrix(0, 4), 0.5, c)
		for _, v := range c.Data {
			if v != 1 {
				t.Fatalf("%v: K = 0, β = 0.5 gave %g, want 1", impl, v)
			}
		}
		GemmWith(impl, 1, false, false, 1, NewMatrix(0, 5), NewMatrix(5, 4), 0, NewMatrix(0, 4))
	}
}

func TestGemmPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("mismatched shapes did not panic")
		}
	}()
	Gemm(false, false, 1, NewMatrix(2, 3), NewMatrix(4, 5), 0, NewMatrix(2, 5))
}

// TestGemmWorkersSame checks the result depends neither on the split
// nor on the implementation.
func TestGemmWorkersSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	a := randMatrix(rng, 301, 300, 0)
	b := randMatrix(rng, 45, 300, 0)
	first := NewMatrix(301, 45)
	GemmWith(kernel.Generic, 1, false, true, 0.5, a, b, 0, first)
	for _, impl := range kernel.Available() {
		for _, w := range []int{1, 2, 3, 7} {
			c := NewMatrix(301, 45)
			GemmWith(impl, w, false, true, 0.5, a, b, 0, c)
			for i, v := range c.Data {
				if math.Float32bits(v) != math.Float32bits(first.Data[i]) {
					t.Fatalf("%v: workers=%d differs from generic at %d", impl, w, i)
				}
			}
		}
	}
}

func FuzzGemm(f *testing.F) {
	f.Add(uint64(1), uint8(5), uint8(7), uint8(3), uint8(0))
	f.Add(uint64(2), uint8(29), uint8(65), uint8(40), uint8(7))
	f.Fuzz(func(t *testing.T, seed uint64, m8, n8, k8, flags uint8) {
		rng := rand.New(rand.NewPCG(seed, 4))
		m, n, k := 1+int(m8)%64, 1+int(n8)%100, int(k8)
		transA, transB := flags&1 != 0, flags&2 != 0
		beta := float32(flags>>2&1) * 0.5
		for _, impl := range kernel.Available() {
			ar, ac := m, k
			if transA {
				ar, ac = k, m
			}
			br, bc := k, n
			if transB {
				br, bc = n, k
			}
			a := randMatrix(rng, ar, ac, int(flags>>3&3))
			b := randMatrix(rng, br, bc, int(flags>>5&3))
			c, buf := guardedMatrix(rng, m, n, 1)
			want, bound := gemmRef(transA, transB, 1, a, b, beta, c)
			GemmWith(impl, 1+int(flags>>7), transA, transB, 1, a, b, beta, c)
			checkGuards(t, c, buf, impl.String())
			for i := range m {
				for j := range n {
					if d := math.Abs(float64(c.At(i, j)) - want[i*n+j]); !(d <= bound[i*n+j]) {
						t.Fatalf("%v: C[%d][%d] = %g, want %g", impl, i, j, c.At(i, j), want[i*n+j])
					}
				}
			}
		}
	})
}

// TestGemmInPlaceBSame holds the products that read B in place (op(B) =
// B, its full panels read with B's stride: kernel.Impl.GemmStripStrided)
// to the same products over Bᵀ transposed (op(B) packed), bit for bit: for
// each op(A), alpha 1 (A in place) and not (A packed), beta 0, 1 and
// other, B with and without padding between rows, N a multiple of nr
// and not (a narrow last panel, packed), less than one panel, K over two
// kc-blocks, split by rows (one worker) and by columns (two or three,
// chunks of C in colsInCache and not, which pack a kc-block at a time or
// all of K first), and more than ncMax columns (slabs). C is at most 2·mc
// rows tall and B's stride at most inPlaceStride, so that B is read in
// place (readsB).
func TestGemmInPlaceBSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(76, 3))
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		_, kc := impl.GemmBlocking()
		for si, sh := range []struct {
			m, n, k int
			workers []int
		}{
			{5, nr - 1, 3, []int{1, 2}},
			{7, 2 * nr, 5, []int{1, 2}},
			{37, 3*nr + 5, kc + 9, []int{1, 2, 3}},
			{64, 4 * nr, 33, []int{1, 3}},
			{3, ncMax + 2*nr + 1, 4, []int{1, 2}},
			// Chunks of C of 66 rows by ncMax columns, over colsInCache:
			// all of K, two kc-blocks, packed first (a narrow last
			// panel), with the full panels in place.
			{66, 2*ncMax + nr + 3, kc + 2, []int{2}},
		} {
			if impl == kernel.Generic && len(kernel.Available()) > 1 && sh.m*sh.n*sh.k > 1e7 {
				continue // as in TestGemmColsSame: the branch is the driver's
			}
			for _, transA := range []bool{false, true} {
				ab := []struct{ alpha, beta float32 }{{1, 0}, {1, 1}, {0.5, 0.25}}[(si+btoi(transA))%3]
				ar, ac := sh.m, sh.k
				if transA {
					ar, ac = ac, ar
				}
				a := randMatrix(rng, ar, ac, si%2)
				b := randMatrix(rng, sh.k, sh.n, (si+1)%3)
				bt := NewMatrix(sh.n, sh.k)
				for p := range sh.k {
					for j := range sh.n {
						bt.Data[j*bt.Stride+p] = b.At(p, j)
					}
				}
				c0 := randMatrix(rng, sh.m, sh.n, 0)
				for _, workers := range sh.workers {
					want, got := NewMatrix(sh.m, sh.n), NewMatrix(sh.m, sh.n)
					copy(want.Data, c0.Data)
					copy(got.Data, c0.Data)
					GemmWith(impl, workers, transA, true, ab.alpha, a, bt, ab.beta, want)
					GemmWith(impl, workers, transA, false, ab.alpha, a, b, ab.beta, got)
					for i, v := range got.Data {
						if math.Float32bits(v) != math.Float32bits(want.Data[i]) {
							t.Fatalf("%v %d×%d×%d transA %v alpha %v beta %v workers %d: C[%d] = %v, over Bᵀ %v",
								impl, sh.m, sh.n, sh.k, transA, ab.alpha, ab.beta, workers, i, v, want.Data[i])
						}
					}
				}
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestInPlaceB holds InPlaceB to the rule GemmWith follows (readsB): at
// its limits B is read in place, one row or one float of stride beyond
// them it is packed.
func TestInPlaceB(t *testing.T) {
	for _, impl := range kernel.Available() {
		g := newGeometry(impl)
		rows, stride := InPlaceB(impl)
		if !g.readsB(false, g.nr, rows, stride) {
			t.Errorf("%v: InPlaceB = %d rows, stride %d, but GemmWith packs B there", impl, rows, stride)
		}
		if g.readsB(false, g.nr, rows+1, stride) || g.readsB(false, g.nr, rows, stride+1) {
			t.Errorf("%v: InPlaceB = %d rows, stride %d, but GemmWith reads B in place beyond them", impl, rows, stride)
		}
	}
}
