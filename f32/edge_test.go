package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

// checkGemm runs GemmWith on a guarded C and compares it with gemmRef.
func checkGemm(t *testing.T, rng *rand.Rand, impl kernel.Impl, workers int, transA, transB bool, alpha float32, a, b Matrix, beta float32, m, n int) {
	t.Helper()
	c, buf := guardedMatrix(rng, m, n, 1)
	want, bound := gemmRef(transA, transB, alpha, a, b, beta, c)
	GemmWith(impl, workers, transA, transB, alpha, a, b, beta, c)
	desc := fmt.Sprintf("%v m=%d n=%d tA=%v tB=%v workers=%d", impl, m, n, transA, transB, workers)
	checkGuards(t, c, buf, desc)
	for i := range m {
		for j := range n {
			if d := math.Abs(float64(c.At(i, j)) - want[i*n+j]); !(d <= bound[i*n+j]) {
				t.Fatalf("%s: C[%d][%d] = %g, want %g", desc, i, j, c.At(i, j), want[i*n+j])
			}
		}
	}
}

// TestGemmWide covers products wider than one slab of packed B (ncMax
// columns), which every other test stays below.
func TestGemmWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 1))
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		m, n, k := 5, ncMax+nr+3, 7
		for _, transB := range []bool{false, true} {
			a := randMatrix(rng, m, k, 1)
			b := randMatrix(rng, k, n, 2)
			if transB {
				b = randMatrix(rng, n, k, 2)
			}
			checkGemm(t, rng, impl, 1+len(impl.String())%2, false, transB, 1, a, b, 0.25, m, n)
		}
	}
}

// TestGemmAlphaZero: with alpha = 0 or K = 0, C = beta·C and A and B are
// not read (NaNs and infinities there do not propagate), and beta = 0
// writes zeros over whatever C held.
func TestGemmAlphaZero(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, impl := range kernel.Available() {
		a := Matrix{Rows: 3, Cols: 2, Stride: 2, Data: []float32{nan, inf, 1, 2, 3, 4}}
		b := Matrix{Rows: 2, Cols: 4, Stride: 4, Data: []float32{inf, 1, 2, 3, nan, 5, 6, 7}}
		for _, beta := range []float32{0, 1, 0.5} {
			c := NewMatrix(3, 4)
			for i := range c.Data {
				c.Data[i] = float32(i)
			}
			if beta == 0 {
				c.Data[5] = nan
			}
			GemmWith(impl, 1, false, false, 0, a, b, beta, c)
			for i, v := range c.Data {
				if want := beta * float32(i); v != want {
					t.Fatalf("%v: alpha = 0, beta = %g: C[%d] = %g, want %g", impl, beta, i, v, want)
				}
			}
		}
		c := NewMatrix(3, 4)
		for i := range c.Data {
			c.Data[i] = nan
		}
		GemmWith(impl, 1, false, false, 1, NewMatrix(3, 0), NewMatrix(0, 4), 0, c)
		for i, v := range c.Data {
			if v != 0 || math.Signbit(float64(v)) {
				t.Fatalf("%v: K = 0, beta = 0 over NaNs: C[%d] = %g, want 0", impl, i, v)
			}
		}
	}
}

// TestBigBufs: a buffer above maxKeep recycled through bigBufs is only
// reused for a request it can hold.
func TestBigBufs(t *testing.T) {
	putBuf(getBuf(maxKeep + 1))
	n := maxKeep + 1<<20
	p := getBuf(n)
	if len(*p) != n {
		t.Fatalf("getBuf(%d) has length %d", n, len(*p))
	}
	putBuf(p)
}

// forwardWant is x·Wᵀ + b in float64, with the bound Dense.Forward
// states.
func forwardWant(x, w Matrix, bias []float32) (want, bound []float64) {
	m, n, k := x.Rows, w.Rows, x.Cols
	want, bound = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			if bias != nil {
				s, abs = float64(bias[j]), math.Abs(float64(bias[j]))
			}
			for p := range k {
				v := float64(x.At(i, p)) * float64(w.At(j, p))
				s += v
				abs += math.Abs(v)
			}
			want[i*n+j], bound[i*n+j] = s, float64(k+1)*0x1p-24*abs+1e-35
		}
	}
	return want, bound
}

// checkForward runs d.ForwardParallel into guarded y and pre (strides
// Out+yPad and Out+prePad; pre omitted if prePad < 0) and checks pre
// against forwardWant and y = act(pre) bit for bit (y against Forward's
// own pre-activation when pre is omitted).
func checkForward(t *testing.T, rng *rand.Rand, d *Dense, workers int, x Matrix, yPad, prePad int) {
	t.Helper()
	m, n := x.Rows, d.Out()
	y, ybuf := guardedMatrix(rng, m, n, yPad)
	pre, pbuf := Matrix{}, []float32(nil)
	if prePad >= 0 {
		pre, pbuf = guardedMatrix(rng, m, n, prePad)
	}
	d.ForwardParallel(workers, y, pre, x)
	desc := fmt.Sprintf("%v %d×%d→%d %v workers=%d", d.Impl(), m, d.In(), n, d.Activation(), workers)
	checkGuards(t, y, ybuf, desc+" y")
	z := pre
	if prePad < 0 {
		z = NewMatrix(m, n)
		NewDenseImpl(d.Impl(), d.Weights(), d.Bias(), kernel.Identity).Forward(z, Matrix{}, x)
	} else {
		checkGuards(t, pre, pbuf, desc+" pre")
	}
	want, bound := forwardWant(x, d.Weights(), d.Bias())
	act := make([]float32, n)
	for i := range m {
		for j := range n {
			if e := math.Abs(float64(z.At(i, j)) - want[i*n+j]); !(e <= bound[i*n+j]) {
				t.Fatalf("%s: pre[%d][%d] = %g, want %g", desc, i, j, z.At(i, j), want[i*n+j])
			}
		}
		d.Impl().Act(d.Activation(), act, z.Row(i))
		for j, v := range y.Row(i) {
			if !kerneltest.Same(v, act[j]) {
				t.Fatalf("%s: y[%d][%d] = %g, act(pre) = %g", desc, i, j, v, act[j])
			}
		}
	}
}

// TestDenseWide covers a layer with more outputs than one slab of packed
// weights (ncMax columns): the later slabs' weights and bias.
func TestDenseWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 1))
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		out := ncMax + nr + 5
		w := randMatrix(rng, out, 9, 1)
		bias := make([]float32, out)
		kerneltest.Fill(rng, bias, 1, 0)
		d := NewDenseImpl(impl, w, bias, kernel.SiLU)
		checkForward(t, rng, d, 2, randMatrix(rng, 7, 9, 0), 1, 0)
		checkForward(t, rng, d, 1, randMatrix(rng, 1, 9, 0), 0, -1)
	}
}

// TestDenseNoInput: a layer with In = 0 outputs act(b), or act(0) without
// a bias, on every path (one row, a batch, a narrow layer), whatever y
// and pre held.
func TestDenseNoInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 1))
	for _, impl := range kernel.Available() {
		for _, out := range []int{3, 40} {
			for _, withBias := range []bool{false, true} {
				var bias []float32
				if withBias {
					bias = make([]float32, out)
					kerneltest.Fill(rng, bias, 1, 0)
				}
				d := NewDenseImpl(impl, NewMatrix(out, 0), bias, kernel.Sigmoid)
				for _, m := range []int{1, 5} {
					checkForward(t, rng, d, 2, NewMatrix(m, 0), 1, 1)
					checkForward(t, rng, d, 1, NewMatrix(m, 0), 0, -1)
				}
			}
		}
	}
}

// TestDenseNarrowStrided: a narrow layer (Out ≤ nr/2) with K beyond one
// cache block, more rows than one narrow block (narrowCols) and outputs
// whose stride is not Out.
func TestDenseNarrowStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(34, 1))
	for _, impl := range kernel.Available() {
		_, kc := impl.GemmBlocking()
		in := kc + 37
		w := randMatrix(rng, 3, in, 2)
		bias := make([]float32, 3)
		kerneltest.Fill(rng, bias, 1, 0)
		d := NewDenseImpl(impl, w, bias, kernel.Tanh)
		x := randMatrix(rng, narrowCols+13, in, 1)
		checkForward(t, rng, d, 1, x, 2, 1)
		checkForward(t, rng, d, 2, x, 1, -1)
	}
}

// TestDenseRepackNoAllocs: Repack reuses the packed weights' memory.
func TestDenseRepackNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 1))
	d := NewDense(randMatrix(rng, 40, 30, 0), nil, kernel.Identity)
	if a := testing.AllocsPerRun(5, d.Repack); a != 0 {
		t.Errorf("Repack: %g allocations per call", a)
	}
}

// TestGemmAlphaScalesA: an alpha other than 1 scales A as it is packed,
// so the result is, to the bit, the product with alpha = 1 of the
// matrix of the rounded alpha·Aᵢₚ (read in place), transposed or not.
func TestGemmAlphaScalesA(t *testing.T) {
	rng := rand.New(rand.NewPCG(36, 1))
	const alpha = 0.3
	for _, impl := range kernel.Available() {
		mr, _ := impl.GemmTile()
		m, n, k := 2*mr+1, 19, 23
		for _, transA := range []bool{false, true} {
			ar, ac := m, k
			if transA {
				ar, ac = k, m
			}
			a := randMatrix(rng, ar, ac, 1)
			scaled := NewMatrix(ar, ac)
			for i := range ar {
				for j := range ac {
					scaled.Set(i, j, alpha*a.At(i, j))
				}
			}
			b := randMatrix(rng, k, n, 0)
			c, want := NewMatrix(m, n), NewMatrix(m, n)
			GemmWith(impl, 1, transA, false, alpha, a, b, 0, c)
			GemmWith(impl, 1, transA, false, 1, scaled, b, 0, want)
			for i, v := range c.Data {
				if math.Float32bits(v) != math.Float32bits(want.Data[i]) {
					t.Fatalf("%v transA=%v: C[%d] = %g with alpha = %g, %g with A scaled beforehand", impl, transA, i, v, float32(alpha), want.Data[i])
				}
			}
		}
	}
}

// TestDenseImpl: NewDenseImpl runs and packs for the implementation it
// is given, not the active one (the tests that compare implementations
// would otherwise compare one with itself).
func TestDenseImpl(t *testing.T) {
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		d := NewDenseImpl(impl, NewMatrix(nr+1, 3), nil, kernel.Identity)
		if d.Impl() != impl {
			t.Errorf("NewDenseImpl(%v).Impl() = %v", impl, d.Impl())
		}
		if len(d.packed) != 3*2*nr {
			t.Errorf("%v: %d packed weights for 3×%d, want %d (two panels of %d)", impl, len(d.packed), nr+1, 3*2*nr, nr)
		}
	}
}

// TestDenseNarrowStrips runs the portable narrow path (zᵀ = W·xᵀ) with
// more outputs than one microkernel strip (Out > mr), which Forward
// never gives it with today's tiles (Out ≤ nr/2 = mr), so that the strip
// loop's offsets are checked for a tile where it would.
func TestDenseNarrowStrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 1))
	impl := kernel.Generic
	mr, _ := impl.GemmTile()
	_, kc := impl.GemmBlocking()
	for _, out := range []int{mr + 1, 2*mr + 3} {
		in := kc + 5
		w := randMatrix(rng, out, in, 3)
		bias := make([]float32, out)
		kerneltest.Fill(rng, bias, 1, 0)
		d := NewDenseImpl(impl, w, bias, kernel.Identity)
		x := randMatrix(rng, narrowCols+9, in, 1)
		z, zbuf := guardedMatrix(rng, x.Rows, out, 2)
		d.forwardNarrow(z, z, x, d.bias, d.act, false)
		checkGuards(t, z, zbuf, "z")
		want, bound := forwardWant(x, w, bias)
		for i := range x.Rows {
			for j := range out {
				if e := math.Abs(float64(z.At(i, j)) - want[i*out+j]); !(e <= bound[i*out+j]) {
					t.Fatalf("Out=%d: z[%d][%d] = %g, want %g", out, i, j, z.At(i, j), want[i*out+j])
				}
			}
		}
	}
}
