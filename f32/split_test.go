package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scorekit/scorekit/internal/poolstat"
	"github.com/scorekit/scorekit/kernel"
)

// helped runs call until a helper goroutine has run a chunk of it, for
// at least 200 calls and 5 seconds, and reports whether one did: a helper
// whose thread waits for a CPU is called off, so on a busy machine a call
// may well run on its caller alone, but not for seconds on end.
func helped(call func()) bool {
	for i, t0 := 0, time.Now(); i < 200 || time.Since(t0) < 5*time.Second; i++ {
		before := poolstat.HelperChunks.Load()
		call()
		if poolstat.HelperChunks.Load() > before {
			return true
		}
	}
	return false
}

// TestWorkersSplit checks that the parallel paths really run on two
// goroutines, which their results cannot show (they are the same bits on
// one): a GEMM split by rows, one split by columns (the weight-gradient
// shape, no taller than wide), a layer's ForwardParallel and a
// ParallelRange each have a helper run a chunk, and with one worker none
// does.
func TestWorkersSplit(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS 1: no helpers")
	}
	rng := rand.New(rand.NewPCG(31, 1))
	x := randMatrix(rng, 600, 128, 0)
	w := randMatrix(rng, 128, 128, 0)
	d := NewDense(w, make([]float32, 128), kernel.SiLU)
	y, c, gw := NewMatrix(600, 128), NewMatrix(600, 128), NewMatrix(128, 128)
	buf := make([]float32, 1<<20)
	job := rangeFunc(func(i0, i1 int) { // a few hundred µs of work in all
		for i := i0; i < i1; i++ {
			buf[i] = buf[i]*0.5 + 1
		}
	})
	for _, tc := range []struct {
		name string
		call func(workers int)
	}{
		{"gemm/rows", func(n int) { GemmWith(kernel.Active(), n, false, true, 1, x, w, 0, c) }},
		{"gemm/cols", func(n int) { GemmWith(kernel.Active(), n, true, false, 1, x, x, 1, gw) }},
		{"dense", func(n int) { d.ForwardParallel(n, y, Matrix{}, x) }},
		{"range", func(n int) { ParallelRange(n, len(buf), 16, &job) }},
	} {
		if !helped(func() { tc.call(2) }) {
			t.Errorf("%s: two workers: no helper ran a chunk in 5 s of calls", tc.name)
		}
		before := poolstat.HelperChunks.Load()
		tc.call(1)
		if n := poolstat.HelperChunks.Load() - before; n != 0 {
			t.Errorf("%s: one worker: helpers ran %d chunks", tc.name, n)
		}
	}
}

type rangeFunc func(i0, i1 int)

func (f *rangeFunc) Range(i0, i1 int) { (*f)(i0, i1) }

// TestParallelRange checks that the ranges ParallelRange hands out cover
// 0..n−1 once each, in whole units but for the one that ends at n, for
// every number of workers, and that it allocates nothing.
func TestParallelRange(t *testing.T) {
	for _, n := range []int{0, 1, 7, 16, 17, 1000, 4099} {
		for _, unit := range []int{-1, 1, 5, 16} {
			for _, workers := range []int{0, 1, 2, 3} {
				seen := make([]atomic.Int32, n)
				var bad atomic.Value
				job := rangeFunc(func(i0, i1 int) {
					u := max(1, unit)
					if i0 < 0 || i1 > n || i0 >= i1 || i0%u != 0 || (i1-i0)%u != 0 && i1 != n {
						bad.Store(fmt.Sprintf("range %d..%d", i0, i1))
						return
					}
					for i := i0; i < i1; i++ {
						seen[i].Add(1)
					}
				})
				ParallelRange(workers, n, unit, &job)
				if b := bad.Load(); b != nil {
					t.Fatalf("n %d, unit %d, workers %d: bad %v", n, unit, workers, b)
				}
				for i := range seen {
					if v := seen[i].Load(); v != 1 {
						t.Fatalf("n %d, unit %d, workers %d: index %d done %d times", n, unit, workers, i, v)
					}
				}
			}
		}
	}
	var sum atomic.Int64
	job := rangeFunc(func(i0, i1 int) { sum.Add(int64(i1 - i0)) })
	ParallelRange(2, 1<<12, 8, &job)
	if a := testing.AllocsPerRun(50, func() { ParallelRange(2, 1<<12, 8, &job) }); a != 0 {
		t.Errorf("ParallelRange: %g allocations per call", a)
	}
}

// TestGemmColsSame holds the split by columns (C no taller than wide,
// two or more panels) to the one-worker bits, for each op(A) and op(B),
// each with alpha ≠ 1 (A packed) and beta 0, 1 and other in turn, K over
// several kc-blocks, chunks of C that fit in colsInCache (B packed a
// kc-block at a time) and one that does not (all of K packed first), and
// more than ncMax columns (chunks of at most ncMax).
func TestGemmColsSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 1))
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		for si, sh := range []struct{ m, n, k int }{{5, 2 * nr, 3}, {37, 3*nr + 5, 300}, {64, 64, 260}, {130, 140, 270}, {260, 2*colsInCache/260 + 3, 300}, {20, ncMax + 3*nr + 1, 40}} {
			if impl == kernel.Generic && len(kernel.Available()) > 1 && sh.m*sh.n*sh.k > 1e7 {
				// The chunk of C over colsInCache (40M multiply-adds a
				// call, each a software FMA on generic: most of this
				// test's 90 s under qemu) is the driver's branch, whatever
				// the kernels: the assembly ones take it here, and generic
				// alone where it is the only one (purego, riscv64).
				continue
			}
			for ti, tr := range []struct{ a, b bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, ab := range []struct{ alpha, beta float32 }{{1, 0}, {1, 1}, {0.5, 0.25}} {
					if ab.alpha != 1 && (si+ti)%2 == 1 {
						continue // A packed: half the cases are enough
					}
					ar, ac := sh.m, sh.k
					if tr.a {
						ar, ac = ac, ar
					}
					br, bc := sh.k, sh.n
					if tr.b {
						br, bc = bc, br
					}
					a, b := randMatrix(rng, ar, ac, 0), randMatrix(rng, br, bc, 0)
					c0 := randMatrix(rng, sh.m, sh.n, 0)
					want := NewMatrix(sh.m, sh.n)
					copy(want.Data, c0.Data)
					GemmWith(impl, 1, tr.a, tr.b, ab.alpha, a, b, ab.beta, want)
					for _, workers := range []int{2, 3} {
						c := NewMatrix(sh.m, sh.n)
						copy(c.Data, c0.Data)
						GemmWith(impl, workers, tr.a, tr.b, ab.alpha, a, b, ab.beta, c)
						for i, v := range c.Data {
							if math.Float32bits(v) != math.Float32bits(want.Data[i]) {
								t.Fatalf("%v %d×%d×%d trans %v alpha %v beta %v workers %d: C[%d] = %v, one worker %v",
									impl, sh.m, sh.n, sh.k, tr, ab.alpha, ab.beta, workers, i, v, want.Data[i])
							}
						}
					}
				}
			}
		}
	}
}
