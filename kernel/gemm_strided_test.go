package kernel_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

// stridedB lays out a k×n matrix B (row-major, n wide) as GemmStripStrided
// reads it, for a tile nr wide: layout 0 is the matrix in place at a
// random offset, its rows ldb ≥ n apart (qs = nr), ending where b ends;
// layout 1 is packed panels with gaps (ldb ≥ nr, qs ≥ k·ldb), the last
// panel nr wide. Everything else in b is a random value, special ones
// among them. mk makes b's memory.
func stridedB(rng *rand.Rand, nr int, B []float32, k, n, layout int, mk func(int) []float32) (b []float32, ldb, qs int) {
	np := (n + nr - 1) / nr
	off := rng.IntN(5)
	var size int
	switch layout {
	case 0:
		ldb, qs = n+rng.IntN(3)*rng.IntN(40), nr
		size = off + max(0, (k-1)*ldb+n)
	default:
		ldb = nr + rng.IntN(5)
		qs = max(0, k*ldb) + rng.IntN(9)
		size = off + max(0, (np-1)*qs+(k-1)*ldb+nr)
	}
	b = mk(size)
	kerneltest.Fill(rng, b, 8, 0.3) // the gaps: anything, NaN too
	for p := range k {
		for j := range n {
			b[off+j/nr*qs+p*ldb+j%nr] = B[p*n+j]
		}
	}
	return b[off:], ldb, qs
}

// newB returns a random k×n matrix, special values among its entries.
func newB(rng *rand.Rand, k, n int) []float32 {
	B := make([]float32, k*n)
	kerneltest.Fill(rng, B, 2, 0.02)
	return B
}

func heap(n int) []float32 { return make([]float32, n) }

// TestGemmStripStrided holds GemmStripStrided, over B read in place (a
// row-major matrix with its stride, at an offset, ending at the end of
// its slice or at an inaccessible page) and over packed panels with gaps,
// to GemmStrip on the same B packed, bit for bit: every implementation,
// strips of 1 to 3 tiles with and without a narrow last one, k from 0 to
// past AVX-512's pipelined length (96), every init, activations, y apart,
// in place or absent, special values in A, B and the gaps of b; guard
// sentinels catch writes outside C and y.
func TestGemmStripStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(76, 1))
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		for _, n := range []int{1, nr - 1, nr, nr + 1, 2 * nr, 3*nr - 5} {
			for _, m := range []int{1, mr - 1, mr} {
				for _, k := range []int{0, 1, 2, 7, 33, 97} {
					if k == 97 && m != mr {
						continue // the pipelined path takes full tiles
					}
					for layout := range 2 {
						acts := kernel.Activations()
						act := acts[rng.IntN(len(acts))]
						init := kernel.GemmInit(rng.IntN(3))
						ymode := rng.IntN(3) // 0 apart, 1 in place, 2 none
						if ymode == 2 {
							act = kernel.Identity
						}
						mk := heap
						if (n+k+m)%3 == 0 {
							mk = func(n int) []float32 { return kerneltest.FenceEnd(t, n) }
						}
						B := newB(rng, k, n)
						b, ldb, qs := stridedB(rng, nr, B, k, n, layout, mk)
						packed := packPanels(nr, B, k, n)
						a := make([]float32, k*mr)
						kerneltest.Fill(rng, a, 2, 0.02)
						bias := make([]float32, n)
						kerneltest.Fill(rng, bias, 4, 0.02)
						ldc := n + rng.IntN(3)
						ldy := ldc + 1 + rng.IntN(2)
						if ymode == 1 {
							ldy = ldc
						}
						cinit := make([]float32, (m-1)*ldc+n)
						kerneltest.Fill(rng, cinit, 4, 0.02)
						yinit := make([]float32, (m-1)*ldy+n)
						desc := fmt.Sprintf("%v %v m=%d n=%d k=%d layout=%d ldb=%d qs=%d ldc=%d ldy=%d init=%d ymode=%d", impl, act, m, n, k, layout, ldb, qs, ldc, ldy, init, ymode)

						wantC := append([]float32(nil), cinit...)
						wantY := append([]float32(nil), yinit...)
						gc := kerneltest.NewGuarded(len(cinit), rng.IntN(8), cinit)
						var y, wy []float32
						var gy *kerneltest.Guarded
						switch ymode {
						case 0:
							wy = wantY
							gy = kerneltest.NewGuarded(len(yinit), rng.IntN(8), yinit)
							y = gy.S()
						case 1:
							wy, y = wantC, gc.S()
						}
						impl.GemmStrip(m, n, k, a, 1, mr, packed, wantC, ldc, init, bias, act, wy, ldy)
						impl.GemmStripStrided(m, n, k, a, 1, mr, b, ldb, qs, gc.S(), ldc, init, bias, act, y, ldy)
						gc.Check(t, desc+" (c)")
						if gy != nil {
							gy.Check(t, desc+" (y)")
						}
						for i := range wantC {
							if !kerneltest.Same(gc.S()[i], wantC[i]) {
								t.Fatalf("%s: C[%d] = %g, packed %g", desc, i, gc.S()[i], wantC[i])
							}
						}
						if ymode == 0 {
							for i := range wantY {
								if !kerneltest.Same(y[i], wantY[i]) {
									t.Fatalf("%s: y[%d] = %g, packed %g", desc, i, y[i], wantY[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmStripStridedFence reads a k×n B in place whose slice starts at
// one inaccessible page and ends at another, with A read in place,
// transposed (rs = 1, ps = its stride) as a weight gradient reads it: the
// kernel must touch only B's k rows and n columns.
func TestGemmStripStridedFence(t *testing.T) {
	rng := rand.New(rand.NewPCG(76, 2))
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		for _, n := range []int{nr - 3, nr, 2*nr + 1} {
			for _, k := range []int{1, 6, 40} {
				m := mr
				lda, ldb := m+1, n+2
				A := kerneltest.FenceEnd(t, (k-1)*lda+m)
				kerneltest.Fill(rng, A, 1, 0.02)
				b := make([]float32, (k-1)*ldb+n)
				kerneltest.Fill(rng, b, 1, 0.02)
				want := make([]float32, m*n)
				B := make([]float32, k*n)
				for p := range k {
					copy(B[p*n:(p+1)*n], b[p*ldb:])
				}
				impl.GemmStrip(m, n, k, A, 1, lda, packPanels(nr, B, k, n), want, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
				for _, fence := range []func(testing.TB, int) []float32{kerneltest.FenceStart, kerneltest.FenceEnd} {
					bf := fence(t, len(b))
					copy(bf, b)
					got := kerneltest.FenceEnd(t, m*n)
					impl.GemmStripStrided(m, n, k, A, 1, lda, bf, ldb, nr, got, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
					for i := range want {
						if !kerneltest.Same(got[i], want[i]) {
							t.Fatalf("%v n=%d k=%d: C[%d] = %g, packed %g", impl, n, k, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestGemmStripStridedPanics: GemmStripStrided refuses negative strides
// and a b that does not hold B's rows to column n (by one element, at
// the last panel or, if that is narrow, at the one before), naming
// itself and its strides.
func TestGemmStripStridedPanics(t *testing.T) {
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		a := make([]float32, 3*mr)
		c := make([]float32, mr*3*nr)
		k, n := 3, 2*nr+1
		ldb := n + 1
		need := (k-1)*ldb + n // in place
		b := make([]float32, 4*k*nr)
		for _, tc := range []struct {
			name, want string
			f          func()
		}{
			{"negative ldb", "bad tile", func() {
				impl.GemmStripStrided(mr, n, k, a, 1, mr, b, -1, nr, c, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
			}},
			{"negative qs", "qs=-1", func() {
				impl.GemmStripStrided(mr, n, k, a, 1, mr, b, ldb, -1, c, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
			}},
			{"short in place", "GemmStripStrided(" + impl.String() + ", m=", func() {
				impl.GemmStripStrided(mr, n, k, a, 1, mr, b[:need-1], ldb, nr, c, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
			}},
			// qs = 0: every panel at b, the full ones reaching further
			// than the narrow last one.
			{"short full panel", "length mismatch", func() {
				impl.GemmStripStrided(mr, n, k, a, 1, mr, b[:(k-1)*ldb+nr-1], ldb, 0, c, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
			}},
		} {
			t.Run(impl.String()+"/"+tc.name, func(t *testing.T) {
				defer func() {
					r := recover()
					if s, _ := r.(string); !strings.Contains(s, tc.want) || !strings.HasPrefix(s, "kernel: ") {
						t.Fatalf("panic %v, want it to contain %q", r, tc.want)
					}
				}()
				tc.f()
			})
		}
		// The exact lengths pass: in place to column n, and qs = 0.
		impl.GemmStripStrided(mr, n, k, a, 1, mr, b[:need], ldb, nr, c, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
		impl.GemmStripStrided(mr, n, k, a, 1, mr, b[:(k-1)*ldb+nr], ldb, 0, c, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
		impl.GemmStripStrided(mr, n, 0, nil, 1, mr, nil, ldb, nr, c, n, kernel.GemmZero, nil, kernel.Identity, nil, 0)
	}
}

// BenchmarkGemmStripStrided times a strip of mr rows by 128 columns (the
// small net's hidden width) over k steps, B packed (GemmStrip) or read in
// place from a row-major k×128 matrix (GemmStripStrided, rows 512 bytes
// apart, as the weight gradients read it): the cost of reading B's rows at
// a stride that maps them to few L1 sets, against packing it. Two
// matrices alternate so that B streams from L2, as in the driver, where
// each strip reads all of B.
func BenchmarkGemmStripStrided(b *testing.B) {
	const n = 128
	rng := rand.New(rand.NewPCG(76, 4))
	for _, impl := range kernel.Available() {
		if impl == kernel.Generic {
			continue
		}
		mr, nr := impl.GemmTile()
		for _, k := range []int{16, 64, 128, 240} {
			var inPlace, packed [2][]float32
			for i := range 2 {
				inPlace[i] = make([]float32, k*n)
				kerneltest.Fill(rng, inPlace[i], 1, 0)
				packed[i] = packPanels(nr, inPlace[i], k, n)
			}
			a := make([]float32, k*mr)
			kerneltest.Fill(rng, a, 1, 0)
			c := make([]float32, mr*n)
			for _, layout := range []string{"packed", "inplace"} {
				b.Run(fmt.Sprintf("%v/k=%d/%s", impl, k, layout), func(b *testing.B) {
					i := 0
					for b.Loop() {
						if layout == "packed" {
							impl.GemmStrip(mr, n, k, a, 1, mr, packed[i&1], c, n, kernel.GemmLoad, nil, kernel.Identity, nil, 0)
						} else {
							impl.GemmStripStrided(mr, n, k, a, 1, mr, inPlace[i&1], n, nr, c, n, kernel.GemmLoad, nil, kernel.Identity, nil, 0)
						}
						i++
					}
					b.ReportMetric(float64(2*mr*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
