package kernel_test

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

// gemmRef is the float64 reference of one microkernel tile.
func gemmRef(mr, nr, m, n, k int, a, b, c []float32, ldc int, init kernel.GemmInit, bias []float32) (want, bound []float64) {
	want = make([]float64, m*n)
	bound = make([]float64, m*n)
	for r := range m {
		for j := range n {
			var s, abs float64
			switch init {
			case kernel.GemmLoad:
				s = float64(c[r*ldc+j])
			case kernel.GemmBias:
				s = float64(bias[j])
			}
			abs = math.Abs(s)
			for p := range k {
				v := float64(a[p*mr+r]) * float64(b[p*nr+j])
				s += v
				abs += math.Abs(v)
			}
			want[r*n+j] = s
			// k+1 roundings of partial sums, each ≤ 2⁻²⁴ of Σ|terms|.
			bound[r*n+j] = float64(k+1)*0x1p-24*abs + 1e-30
		}
	}
	return want, bound
}

func TestGemmMicro(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		for _, k := range []int{0, 1, 2, 3, 7, 64, 257} {
			for m := 1; m <= mr; m++ {
				for n := 1; n <= nr; n++ {
					if k > 7 && m != mr && n != nr && n != 1 {
						continue // big k: the edges of the tile only
					}
					for init := kernel.GemmZero; init <= kernel.GemmBias; init++ {
						a := make([]float32, k*mr)
						b := make([]float32, k*nr)
						kerneltest.Fill(rng, a, 1, 0)
						kerneltest.Fill(rng, b, 1, 0)
						ldc := n + rng.IntN(3)
						cinit := make([]float32, (m-1)*ldc+n)
						kerneltest.Fill(rng, cinit, 1, 0)
						bias := make([]float32, n)
						kerneltest.Fill(rng, bias, 1, 0)
						gc := kerneltest.NewGuarded(len(cinit), 0, cinit)
						impl.GemmMicro(m, n, k, a, 1, mr, b, gc.S(), ldc, init, bias)
						desc := fmt.Sprintf("%v m=%d n=%d k=%d ldc=%d init=%d", impl, m, n, k, ldc, init)
						gc.Check(t, desc)
						got := gc.S()
						// the gaps between rows are left alone
						for r := 0; r < m-1; r++ {
							for j := n; j < ldc; j++ {
								if got[r*ldc+j] != cinit[r*ldc+j] {
									t.Fatalf("%s: wrote outside the tile at (%d, %d)", desc, r, j)
								}
							}
						}
						gen := append([]float32(nil), cinit...)
						kernel.Generic.GemmMicro(1, 1, 0, nil, 1, 4, nil, gen[:1], 1, kernel.GemmLoad, nil) // no-op, exercises k=0
						want, bound := gemmRef(mr, nr, m, n, k, a, b, cinit, ldc, init, bias)
						for r := range m {
							for j := range n {
								g := float64(got[r*ldc+j])
								if d := math.Abs(g - want[r*n+j]); d > bound[r*n+j] {
									t.Fatalf("%s: (%d, %d) = %g, want %g ± %g", desc, r, j, g, want[r*n+j], bound[r*n+j])
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmMicroSameAsGeneric holds every implementation to the generic
// kernel's bits over the same logical tile (packed for each tile shape).
func TestGemmMicroSameAsGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		gmr, gnr := kernel.Generic.GemmTile()
		for _, k := range []int{1, 5, 100} {
			m, n := min(mr, gmr), min(nr, gnr)
			A := make([]float32, m*k)
			B := make([]float32, k*n)
			kerneltest.Fill(rng, A, 1, 0.02)
			kerneltest.Fill(rng, B, 1, 0.02)
			pack := func(mr, nr int) (a, b []float32) {
				a = make([]float32, k*mr)
				b = make([]float32, k*nr)
				for p := range k {
					for r := range m {
						a[p*mr+r] = A[r*k+p]
					}
					for j := range n {
						b[p*nr+j] = B[p*n+j]
					}
				}
				return a, b
			}
			a, b := pack(mr, nr)
			got := make([]float32, m*n)
			impl.GemmMicro(m, n, k, a, 1, mr, b, got, n, kernel.GemmZero, nil)
			a, b = pack(gmr, gnr)
			want := make([]float32, m*n)
			kernel.Generic.GemmMicro(m, n, k, a, 1, gmr, b, want, n, kernel.GemmZero, nil)
			for i := range got {
				if !kerneltest.Same(got[i], want[i]) {
					t.Fatalf("%v k=%d: element %d = %g, generic %g", impl, k, i, got[i], want[i])
				}
			}
		}
	}
}

func packPanels(nr int, w []float32, k, n int) []float32 {
	np := (n + nr - 1) / nr
	b := make([]float32, np*k*nr)
	for j := range n {
		for p := range k {
			b[j/nr*k*nr+p*nr+j%nr] = w[p*n+j]
		}
	}
	return b
}

func TestMatVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		_, gnr := kernel.Generic.GemmTile()
		for _, k := range []int{0, 1, 3, 17, 256} {
			for _, n := range kerneltest.Lengths(4 * nr) {
				if n > 300 && k > 17 {
					continue
				}
				B := make([]float32, k*n)
				x := make([]float32, k)
				bias := make([]float32, n)
				kerneltest.Fill(rng, B, 1, 0.01)
				kerneltest.Fill(rng, x, 1, 0.01)
				kerneltest.Fill(rng, bias, 1, 0.01)
				for _, withBias := range []bool{false, true} {
					bs := bias
					if !withBias {
						bs = nil
					}
					off := rng.IntN(8)
					gy := kerneltest.NewGuarded(n, off, nil)
					impl.MatVec(packPanels(nr, B, k, n), x, gy.S(), bs)
					desc := kerneltest.Desc(impl, n, off) + fmt.Sprintf(" k=%d bias=%v", k, withBias)
					gy.Check(t, desc)
					want := make([]float32, n)
					kernel.Generic.MatVec(packPanels(gnr, B, k, n), x, want, bs)
					for j := range n {
						if !kerneltest.Same(gy.S()[j], want[j]) {
							t.Fatalf("%s: y[%d] = %g, generic %g", desc, j, gy.S()[j], want[j])
						}
					}
				}
			}
		}
	}
}

func TestMatVecReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	_, nr := kernel.Generic.GemmTile()
	k, n := 37, 29
	B := make([]float32, k*n)
	x := make([]float32, k)
	bias := make([]float32, n)
	kerneltest.Fill(rng, B, 1, 0)
	kerneltest.Fill(rng, x, 1, 0)
	kerneltest.Fill(rng, bias, 1, 0)
	y := make([]float32, n)
	kernel.Generic.MatVec(packPanels(nr, B, k, n), x, y, bias)
	for j := range n {
		s, abs := float64(bias[j]), math.Abs(float64(bias[j]))
		for p := range k {
			v := float64(x[p]) * float64(B[p*n+j])
			s += v
			abs += math.Abs(v)
		}
		if d := math.Abs(float64(y[j]) - s); d > float64(k+1)*0x1p-24*abs {
			t.Fatalf("y[%d] = %g, want %g", j, y[j], s)
		}
	}
}

func TestMatVecFence(t *testing.T) {
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		for _, n := range []int{1, nr - 1, nr, nr + 3, 4*nr + 5} {
			k := 9
			B := make([]float32, k*n)
			for i := range B {
				B[i] = float32(i % 7)
			}
			b := packPanels(nr, B, k, n)
			bf := kerneltest.FenceEnd(t, len(b))
			copy(bf, b)
			x := kerneltest.FenceStart(t, k)
			for i := range x {
				x[i] = 1
			}
			y := kerneltest.FenceEnd(t, n)
			bias := kerneltest.FenceEnd(t, n)
			impl.MatVec(bf, x, y, bias)
			// The activation epilogue reads z and writes y up to their
			// ends, and no further, apart or in place.
			for _, act := range []kernel.Activation{kernel.SiLU, kernel.GELU} {
				z := kerneltest.FenceEnd(t, n)
				impl.MatVecAct(bf, x, z, bias, act, y)
				impl.MatVecAct(bf, x, z, bias, act, z)
			}
		}
	}
}

// TestGemmActPanics: the epilogue's aliasing rule and argument checks fail
// loudly, with the kernel's name, rather than computing something
// implementation-dependent.
func TestGemmActPanics(t *testing.T) {
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		k := 2
		a := make([]float32, k*mr)
		b := make([]float32, 3*k*nr)
		c := make([]float32, mr*3*nr+8)
		for _, tc := range []struct {
			name, want string
			f          func()
		}{
			{"y overlaps c", "overlaps", func() {
				impl.GemmMicroAct(mr, nr, k, a, 1, mr, b, c, nr, kernel.GemmZero, nil, kernel.SiLU, c[1:], nr)
			}},
			{"strip y overlaps c", "overlaps", func() {
				impl.GemmStrip(mr, 2*nr, k, a, 1, mr, b, c, 2*nr, kernel.GemmZero, nil, kernel.ReLU, c[3:], 2*nr)
			}},
			{"in place with another stride", "ldy", func() {
				impl.GemmMicroAct(2, nr, k, a, 1, mr, b, c, nr, kernel.GemmZero, nil, kernel.SiLU, c, nr+1)
			}},
			{"nil y with an activation", "nil", func() {
				impl.GemmStrip(mr, nr, k, a, 1, mr, b, c, nr, kernel.GemmZero, nil, kernel.Tanh, nil, 0)
			}},
			{"bad tile before y", "bad tile", func() {
				impl.GemmMicroAct(mr+1, nr, k, a, 1, mr, b, c, nr, kernel.GemmZero, nil, kernel.SiLU, make([]float32, 10), nr)
			}},
			{"bad ldy", "bad ldy", func() {
				impl.GemmMicroAct(mr, nr, k, a, 1, mr, b, c, nr, kernel.GemmZero, nil, kernel.SiLU, make([]float32, 1000), nr-1)
			}},
			{"matvec y overlaps z", "overlaps", func() {
				impl.MatVecAct(b[:k*nr], c[:k], c[8:8+nr], nil, kernel.SiLU, c[9:9+nr])
			}},
		} {
			func() {
				defer func() {
					r := recover()
					msg, _ := r.(string)
					if r == nil || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "kernel: ") {
						t.Errorf("%v %s: panic %v, want one saying %q", impl, tc.name, r, tc.want)
					}
				}()
				tc.f()
			}()
		}
	}
}

// TestEpilogueSweep runs bit patterns through every activation epilogue
// (GemmMicroAct with k = 0 starting from C, and MatVecAct from a bias)
// and holds them to the generic Act, NaNs to NaNs: every 65521st float32
// pattern, every 4093rd with -exhaustive.
func TestEpilogueSweep(t *testing.T) {
	step := uint64(65521)
	if f := flag.Lookup("exhaustive"); f != nil && f.Value.String() == "true" {
		step = 4093
	}
	var pat []float32
	for u := uint64(0); u < 1<<32; u += step {
		pat = append(pat, math.Float32frombits(uint32(u)))
	}
	for _, act := range kernel.Activations() {
		want := make([]float32, len(pat))
		kernel.Generic.Act(act, want, pat)
		for _, impl := range kernel.Available() {
			mr, nr := impl.GemmTile()
			got := make([]float32, len(pat))
			tile := mr * nr
			for i0 := 0; i0+tile <= len(pat); i0 += tile {
				c := append([]float32(nil), pat[i0:i0+tile]...)
				impl.GemmMicroAct(mr, nr, 0, nil, 1, mr, nil, c, nr, kernel.GemmLoad, nil, act, got[i0:i0+tile], nr)
			}
			for i0 := len(pat) / tile * tile; i0 < len(pat); i0 += nr {
				n := min(nr, len(pat)-i0)
				z := make([]float32, n)
				impl.MatVecAct(nil, nil, z, pat[i0:i0+n], act, got[i0:i0+n])
			}
			for i, g := range got {
				if !kerneltest.Same(g, want[i]) {
					t.Fatalf("%v %v: act(%#08x) = %g, generic %g", impl, act, math.Float32bits(pat[i]), g, want[i])
				}
			}
		}
	}
}

func TestGemmMicroNaN(t *testing.T) {
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		k := 3
		a := make([]float32, k*mr)
		b := make([]float32, k*nr)
		for i := range a {
			a[i] = 1
		}
		b[1*nr+2] = float32(math.NaN())
		c := make([]float32, mr*nr)
		impl.GemmMicro(mr, nr, k, a, 1, mr, b, c, nr, kernel.GemmZero, nil)
		for r := range mr {
			for j := range nr {
				if isNaN := c[r*nr+j] != c[r*nr+j]; isNaN != (j == 2) {
					t.Fatalf("%v: NaN in column 2 of B gave C[%d][%d] = %g", impl, r, j, c[r*nr+j])
				}
			}
		}
	}
}

func TestGemmMicroPanics(t *testing.T) {
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v: short c did not panic", impl)
				}
			}()
			impl.GemmMicro(mr, nr, 1, make([]float32, mr), 1, mr, make([]float32, nr), make([]float32, mr*nr-1), nr, kernel.GemmZero, nil)
		}()
	}
}

func TestPeakFLOPs(t *testing.T) {
	for _, impl := range kernel.Available() {
		if f := impl.PeakFLOPs(10); f <= 0 {
			t.Errorf("%v: PeakFLOPs(10) = %g", impl, f)
		}
	}
}

// FuzzGemmMicro holds fuzzed tiles to the float64 reference (NaN where it
// has one), then GemmStripStrided on the same tile, B laid out in place or
// in padded panels, to GemmMicro's bits.
func FuzzGemmMicro(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(5), uint8(7))
	f.Add(uint64(9), uint8(11), uint8(31), uint8(100)) // padded panels
	f.Fuzz(func(t *testing.T, seed uint64, m8, n8, k8 uint8) {
		rng := rand.New(rand.NewPCG(seed, 9))
		for _, impl := range kernel.Available() {
			mr, nr := impl.GemmTile()
			m, n, k := 1+int(m8)%mr, 1+int(n8)%nr, int(k8)
			a := make([]float32, k*mr)
			b := make([]float32, k*nr)
			kerneltest.Fill(rng, a, 1, 0.05)
			kerneltest.Fill(rng, b, 1, 0.05)
			bias := make([]float32, n)
			kerneltest.Fill(rng, bias, 1, 0.05)
			c := kerneltest.NewGuarded(m*n, int(seed%8), nil)
			impl.GemmMicro(m, n, k, a, 1, mr, b, c.S(), n, kernel.GemmBias, bias)
			c.Check(t, impl.String())
			want, _ := gemmRef(mr, nr, m, n, k, a, b, nil, n, kernel.GemmBias, bias)
			for i, g := range c.S() {
				w := want[i]
				if math.IsNaN(w) != (g != g) && !math.IsInf(w, 0) {
					t.Fatalf("%v: element %d = %g, want %g", impl, i, g, w)
				}
			}
			// The same tile from B laid out as GemmStripStrided reads it
			// (in place or in padded panels, by the seed): the same bits.
			B := make([]float32, k*n)
			for p := range k {
				copy(B[p*n:(p+1)*n], b[p*nr:])
			}
			sb, ldb, qs := stridedB(rng, nr, B, k, n, int(seed/8%2), heap)
			gs := kerneltest.NewGuarded(m*n, int(seed/16%8), nil)
			impl.GemmStripStrided(m, n, k, a, 1, mr, sb, ldb, qs, gs.S(), n, kernel.GemmBias, bias, kernel.Identity, nil, 0)
			gs.Check(t, impl.String()+" strided")
			for i, g := range gs.S() {
				if !kerneltest.Same(g, c.S()[i]) {
					t.Fatalf("%v m=%d n=%d k=%d ldb=%d qs=%d: element %d = %g strided, %g packed", impl, m, n, k, ldb, qs, i, g, c.S()[i])
				}
			}
		}
	})
}

func BenchmarkGemmMicro(b *testing.B) {
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		k := 256
		a := make([]float32, k*mr)
		bb := make([]float32, k*nr)
		c := make([]float32, mr*nr)
		// Random values, as weights and activations are: on small
		// integers every sum is exact, which flatters the generic kernel.
		rng := rand.New(rand.NewPCG(3, 4))
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		for i := range bb {
			bb[i] = float32(rng.NormFloat64())
		}
		b.Run(impl.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				impl.GemmMicro(mr, nr, k, a, 1, mr, bb, c, nr, kernel.GemmLoad, nil)
			}
			b.ReportMetric(float64(2*mr*nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkPeak(b *testing.B) {
	for _, impl := range kernel.Available() {
		b.Run(impl.String(), func(b *testing.B) {
			var flops float64
			for b.Loop() {
				flops += impl.PeakFLOPs(10000)
			}
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkGemmEpilogue times a strip of full AVX-512 tiles with SiLU
// (M = mr rows, N = 256: eight tiles, A and B packed and in L1/L2) with
// the activation inside the next tile's k-loop (pipe=true) and after each
// tile (pipe=false), to check the choice GemmPipelined makes by vendor on
// a new machine:
//
//	go test ./kernel -run XXX -bench GemmEpilogue -count 8 | benchstat -col /pipe -
//
// On the Zen 5 the pipelined form is the faster (see gen/amd64/gemm); on
// an Intel Xeon (family 6, model 207) it was the slower.
func BenchmarkGemmEpilogue(b *testing.B) {
	if !kernel.AVX512.Available() {
		b.Skip("no avx512")
	}
	impl := kernel.AVX512
	mr, _ := impl.GemmTile()
	const n = 256
	for _, k := range []int{128, 256} {
		rng := rand.New(rand.NewPCG(5, 6))
		a := make([]float32, k*mr)
		bb := make([]float32, k*n)
		for i := range a {
			a[i] = float32(rng.NormFloat64()) / 8
		}
		for i := range bb {
			bb[i] = float32(rng.NormFloat64()) / 8
		}
		bias := make([]float32, n)
		c := make([]float32, mr*n)
		for _, pipe := range []bool{true, false} {
			b.Run(fmt.Sprintf("K=%d/pipe=%v", k, pipe), func(b *testing.B) {
				defer kernel.SetGemmPipe(pipe)()
				b.ReportAllocs()
				for b.Loop() {
					impl.GemmStrip(mr, n, k, a, 1, mr, bb, c, n, kernel.GemmBias, bias, kernel.SiLU, c, n)
				}
				b.ReportMetric(float64(2*mr*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkMatVec times the matvec on square layers and on the small
// net's two layer shapes, 128 and 128x2 (its last layer, one padded
// panel: a chain of 128 dependent FMAs per output). On those two, calls
// alternate between two weight matrices as the net's layers do, so the
// 64 KB of a 128×128 layer stream from L2 (L1d is 48 KB here) as in the
// net; one matrix called again and again stays partly in L1 and takes
// about 30 % less time.
func BenchmarkMatVec(b *testing.B) {
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		for _, kn := range [][2]int{{64, 64}, {128, 128}, {256, 256}, {512, 512}, {128, 2}} {
			k, n := kn[0], kn[1]
			w := make([]float32, k*n)
			bp := [2][]float32{packPanels(nr, w, k, n), nil}
			if k == 128 { // the small net's shapes
				bp[1] = packPanels(nr, w, k, n)
			} else {
				bp[1] = bp[0]
			}
			x := make([]float32, k)
			y := make([]float32, n)
			name := fmt.Sprint(k)
			if n != k {
				name = fmt.Sprintf("%dx%d", k, n)
			}
			b.Run(fmt.Sprintf("%v/%s", impl, name), func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					impl.MatVec(bp[i&1], x, y, nil)
					i++
				}
				b.ReportMetric(float64(2*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestGemmMicroInPlace reads A in place, row-major with stride lda
// (rs = lda, ps = 1), from a slice that ends at an inaccessible page: the
// kernel must touch only rows r < m and steps p < k.
func TestGemmMicroInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		for m := 1; m <= mr; m++ {
			for _, k := range []int{1, 2, 5, 40} {
				lda := k + m%3
				n := nr - m%2 // full width and narrow
				A := kerneltest.FenceEnd(t, (m-1)*lda+k)
				kerneltest.Fill(rng, A, 1, 0)
				b := make([]float32, k*nr)
				kerneltest.Fill(rng, b, 1, 0)
				packed := make([]float32, k*mr)
				for p := range k {
					for r := range m {
						packed[p*mr+r] = A[r*lda+p]
					}
				}
				got := kerneltest.FenceEnd(t, (m-1)*nr+n)
				impl.GemmMicro(m, n, k, A, lda, 1, b, got, nr, kernel.GemmZero, nil)
				want := make([]float32, (m-1)*nr+n)
				impl.GemmMicro(m, n, k, packed, 1, mr, b, want, nr, kernel.GemmZero, nil)
				for i := range want {
					if !kerneltest.Same(got[i], want[i]) {
						t.Fatalf("%v m=%d k=%d lda=%d: element %d = %g, packed gives %g", impl, m, k, lda, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestGemmMicroAct holds the activation epilogue of every implementation's
// microkernel to its own GemmMicro (C) and the generic Act on that C (y),
// bit for bit, for every activation, row count, narrow and full tiles,
// strides with gaps, y in place or apart, and inputs with special values;
// guard sentinels and a page fence after y catch writes outside the tiles.
func TestGemmMicroAct(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, impl := range kernel.Available() {
		mr, nr := impl.GemmTile()
		for _, act := range kernel.Activations() {
			for m := 1; m <= mr; m++ {
				for _, n := range []int{nr, nr - 1, 1 + rng.IntN(nr)} {
					for _, k := range []int{0, 1, 5, 40} {
						inPlace := (m+k)%2 == 0
						init := kernel.GemmInit(rng.IntN(3))
						a := make([]float32, k*mr)
						b := make([]float32, k*nr)
						kerneltest.Fill(rng, a, 2, 0.05)
						kerneltest.Fill(rng, b, 2, 0.05)
						bias := make([]float32, n)
						kerneltest.Fill(rng, bias, 4, 0.05)
						ldc, ldy := n+rng.IntN(3), n+rng.IntN(3)
						if inPlace {
							ldy = ldc
						}
						cinit := make([]float32, (m-1)*ldc+n)
						kerneltest.Fill(rng, cinit, 4, 0.05)
						desc := fmt.Sprintf("%v %v m=%d n=%d k=%d ldc=%d ldy=%d init=%d inPlace=%v", impl, act, m, n, k, ldc, ldy, init, inPlace)

						wantC := append([]float32(nil), cinit...)
						impl.GemmMicro(m, n, k, a, 1, mr, b, wantC, ldc, init, bias)
						gc := kerneltest.NewGuarded(len(cinit), rng.IntN(8), cinit)
						var y []float32
						var gy *kerneltest.Guarded
						yinit := make([]float32, (m-1)*ldy+n)
						kerneltest.Fill(rng, yinit, 1, 0)
						switch {
						case inPlace:
							y = gc.S()
						case m%3 == 0:
							y = kerneltest.FenceEnd(t, len(yinit))
							copy(y, yinit)
						default:
							gy = kerneltest.NewGuarded(len(yinit), rng.IntN(8), yinit)
							y = gy.S()
						}
						impl.GemmMicroAct(m, n, k, a, 1, mr, b, gc.S(), ldc, init, bias, act, y, ldy)
						gc.Check(t, desc+" (c)")
						if gy != nil {
							gy.Check(t, desc+" (y)")
						}
						for r := range m {
							want := make([]float32, n)
							kernel.Generic.Act(act, want, wantC[r*ldc:r*ldc+n])
							for j := range n {
								if got := y[r*ldy+j]; !kerneltest.Same(got, want[j]) {
									t.Fatalf("%s: y[%d][%d] = %g, generic act(%g) = %g", desc, r, j, got, wantC[r*ldc+j], want[j])
								}
								if !inPlace && !kerneltest.Same(gc.S()[r*ldc+j], wantC[r*ldc+j]) {
									t.Fatalf("%s: C[%d][%d] = %g, GemmMicro gives %g", desc, r, j, gc.S()[r*ldc+j], wantC[r*ldc+j])
								}
							}
							if r == m-1 || inPlace {
								continue
							}
							for j := n; j < ldy; j++ {
								if y[r*ldy+j] != yinit[r*ldy+j] {
									t.Fatalf("%s: wrote y outside the tile at (%d, %d)", desc, r, j)
								}
							}
						}
					}
				}
			}
		}
	}
}

// FuzzGemmMicroAct is TestGemmMicroAct's comparison over fuzzed tiles,
// activations and seeds, with y apart from C; then GemmStripStrided's on
// the same tile, B laid out in place or in padded panels, y in place.
func FuzzGemmMicroAct(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(5), uint8(7), uint8(5))
	f.Add(uint64(65), uint8(11), uint8(31), uint8(97), uint8(3)) // padded panels
	f.Fuzz(func(t *testing.T, seed uint64, m8, n8, k8, act8 uint8) {
		rng := rand.New(rand.NewPCG(seed, 10))
		acts := kernel.Activations()
		act := acts[int(act8)%len(acts)]
		for _, impl := range kernel.Available() {
			mr, nr := impl.GemmTile()
			m, n, k := 1+int(m8)%mr, 1+int(n8)%nr, int(k8)%130
			a := make([]float32, k*mr)
			b := make([]float32, k*nr)
			kerneltest.Fill(rng, a, 3, 0.05)
			kerneltest.Fill(rng, b, 3, 0.05)
			bias := make([]float32, n)
			kerneltest.Fill(rng, bias, 8, 0.05)
			c := make([]float32, m*n)
			impl.GemmMicro(m, n, k, a, 1, mr, b, c, n, kernel.GemmBias, bias)
			want := make([]float32, m*n)
			kernel.Generic.Act(act, want, c)
			gc := kerneltest.NewGuarded(m*n, int(seed%8), nil)
			gy := kerneltest.NewGuarded(m*n, int(seed/8%8), nil)
			impl.GemmMicroAct(m, n, k, a, 1, mr, b, gc.S(), n, kernel.GemmBias, bias, act, gy.S(), n)
			gc.Check(t, impl.String())
			gy.Check(t, impl.String())
			for i := range want {
				if !kerneltest.Same(gc.S()[i], c[i]) || !kerneltest.Same(gy.S()[i], want[i]) {
					t.Fatalf("%v %v m=%d n=%d k=%d: element %d: C %g y %g, want C %g y %g", impl, act, m, n, k, i, gc.S()[i], gy.S()[i], c[i], want[i])
				}
			}
			// And from B laid out as GemmStripStrided reads it (in place
			// or in padded panels, by the seed), y in place: the same y.
			B := make([]float32, k*n)
			for p := range k {
				copy(B[p*n:(p+1)*n], b[p*nr:])
			}
			sb, ldb, qs := stridedB(rng, nr, B, k, n, int(seed/64%2), heap)
			gs := kerneltest.NewGuarded(m*n, int(seed/128%8), nil)
			impl.GemmStripStrided(m, n, k, a, 1, mr, sb, ldb, qs, gs.S(), n, kernel.GemmBias, bias, act, gs.S(), n)
			gs.Check(t, impl.String()+" strided")
			for i := range want {
				if !kerneltest.Same(gs.S()[i], want[i]) {
					t.Fatalf("%v %v m=%d n=%d k=%d ldb=%d qs=%d: element %d: y %g strided, %g packed", impl, act, m, n, k, ldb, qs, i, gs.S()[i], want[i])
				}
			}
		}
	})
}

// TestMatVecAct holds MatVec's activation epilogue to MatVec followed by
// the generic Act, bit for bit, for every implementation and activation,
// lengths around the panel width, in place or apart, with special values;
// guard sentinels catch writes outside y and z.
func TestMatVecAct(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		for _, act := range kernel.Activations() {
			for _, k := range []int{0, 1, 7, 64} {
				for _, n := range kerneltest.Lengths(5 * nr) {
					if n > 5*nr+2 {
						continue
					}
					b, x, bias := matVecInputs(rng, nr, k, n)
					z := make([]float32, n)
					impl.MatVec(b, x, z, bias)
					want := make([]float32, n)
					kernel.Generic.Act(act, want, z)
					inPlace := (n+k)%2 == 0
					desc := fmt.Sprintf("%v %v k=%d n=%d inPlace=%v", impl, act, k, n, inPlace)
					gz := kerneltest.NewGuarded(n, rng.IntN(8), nil)
					gy := gz
					if !inPlace {
						gy = kerneltest.NewGuarded(n, rng.IntN(8), nil)
					}
					impl.MatVecAct(b, x, gz.S(), bias, act, gy.S())
					gz.Check(t, desc+" (z)")
					gy.Check(t, desc+" (y)")
					for j := range n {
						if !inPlace && !kerneltest.Same(gz.S()[j], z[j]) {
							t.Fatalf("%s: z[%d] = %g, MatVec gives %g", desc, j, gz.S()[j], z[j])
						}
						if !kerneltest.Same(gy.S()[j], want[j]) {
							t.Fatalf("%s: y[%d] = %g, generic act(%g) = %g", desc, j, gy.S()[j], z[j], want[j])
						}
					}
				}
			}
		}
	}
}

// matVecInputs returns a random k×n B packed in panels of nr columns, x
// (k) and bias (n), with some special values among them.
func matVecInputs(rng *rand.Rand, nr, k, n int) (b, x, bias []float32) {
	B := make([]float32, k*n)
	x = make([]float32, k)
	bias = make([]float32, n)
	kerneltest.Fill(rng, B, 2, 0.05)
	kerneltest.Fill(rng, x, 2, 0.05)
	kerneltest.Fill(rng, bias, 4, 0.05)
	return packPanels(nr, B, k, n), x, bias
}

// TestMatVecPlan holds a MatVecPlan's Run to MatVec (y nil) and
// MatVecAct (y apart or in place), bit for bit, with guards around z and
// y, and checks that Run and PlanMatVec refuse what MatVecAct refuses.
func TestMatVecPlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, impl := range kernel.Available() {
		_, nr := impl.GemmTile()
		for _, act := range kernel.Activations() {
			for _, k := range []int{0, 1, 7, 64} {
				for _, n := range []int{0, 1, 2, nr - 1, nr, nr + 3, 3*nr + 5} {
					b, x, bias := matVecInputs(rng, nr, k, n)
					for _, bs := range [][]float32{nil, bias} {
						p := impl.PlanMatVec(b, k, n, bs, act)
						wz, wy := make([]float32, n), make([]float32, n)
						impl.MatVec(b, x, wz, bs)
						impl.MatVecAct(b, x, make([]float32, n), bs, act, wy)
						desc := fmt.Sprintf("%v %v k=%d n=%d bias=%v", impl, act, k, n, bs != nil)
						for _, mode := range []string{"z only", "apart", "in place"} {
							gz := kerneltest.NewGuarded(n, rng.IntN(8), nil)
							var y []float32
							want := wy
							switch mode {
							case "z only":
								want = wz
							case "apart":
								y = make([]float32, n)
							case "in place":
								y = gz.S()
							}
							p.Run(x, gz.S(), y)
							gz.Check(t, desc+" "+mode)
							got := gz.S()
							if y != nil {
								got = y
							}
							for j := range n {
								if !kerneltest.Same(got[j], want[j]) {
									t.Fatalf("%s %s: [%d] = %g, MatVec(Act) gives %g", desc, mode, j, got[j], want[j])
								}
							}
						}
					}
				}
			}
		}
		k, n := 3, nr+1
		b := make([]float32, 2*k*nr)
		z := make([]float32, n+1)
		p := impl.PlanMatVec(b, k, n, nil, kernel.SiLU)
		for _, tc := range []struct {
			name, want string
			f          func()
		}{
			{"short x", "MatVecPlan.Run", func() { p.Run(make([]float32, k-1), z[:n], nil) }},
			{"long z", "length mismatch", func() { p.Run(make([]float32, k), z, nil) }},
			{"short y", "length mismatch", func() { p.Run(make([]float32, k), z[:n], z[:n-1]) }},
			{"y overlaps z", "overlaps", func() { p.Run(make([]float32, k), z[:n], z[1:]) }},
			{"short b", "length mismatch", func() { impl.PlanMatVec(b[1:], k, n, nil, kernel.SiLU) }},
			{"short bias", "length mismatch", func() { impl.PlanMatVec(b, k, n, make([]float32, n-1), kernel.SiLU) }},
			{"negative k", "length mismatch", func() { impl.PlanMatVec(b, -1, n, nil, kernel.SiLU) }},
			{"bad activation", "unknown activation", func() { impl.PlanMatVec(b, k, n, nil, kernel.Activation(200)) }},
		} {
			t.Run(impl.String()+"/"+tc.name, func(t *testing.T) {
				defer func() {
					r := recover()
					if s, _ := r.(string); !strings.Contains(s, tc.want) {
						t.Fatalf("panic %v, want it to contain %q", r, tc.want)
					}
				}()
				tc.f()
			})
		}
	}
	var zero kernel.MatVecPlan
	zero.Run(nil, nil, nil) // k = n = 0: nothing to do
}

// TestGemmStrip holds GemmStrip, which runs the full tiles of a strip in
// one call into the microkernel, to GemmMicroAct tile by tile, bit for bit:
// every implementation, strips of 1 to 4 tiles with and without a narrow
// last one, every init, activations, y apart, in place or absent; guard
// sentinels and a page fence after C catch writes outside the strip.
func TestGemmStrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	type run struct {
		impl kernel.Impl
		pipe bool
	}
	// Restored however the test ends (a t.Fatalf skips the loop's end).
	defer kernel.SetGemmPipe(kernel.GemmPipelined())()
	var runs []run
	for _, impl := range kernel.Available() {
		runs = append(runs, run{impl, kernel.GemmPipelined()})
		if impl == kernel.AVX512 {
			// The other of the two epilogue placements, which the
			// machine's vendor did not choose: the same bits.
			runs = append(runs, run{impl, !kernel.GemmPipelined()})
		}
	}
	for _, r := range runs {
		impl := r.impl
		kernel.SetGemmPipe(r.pipe)
		mr, nr := impl.GemmTile()
		for _, n := range []int{1, nr - 1, nr, nr + 1, 2 * nr, 3*nr + 5, 4 * nr} {
			for _, m := range []int{1, 2, mr - 1, mr} {
				if m < 1 {
					continue
				}
				// k ≥ 96 with m = mr on AVX-512 takes the pipelined path
				// (a tile runs the previous tile's activation in its k-loop)
				// when the strip has two tiles or more: there, and at the
				// boundary k = 95, every activation with every init, y apart
				// (its stride not C's) and in place; elsewhere one random
				// case.
				for _, k := range []int{0, 1, 3, 33, 95, 96, 150} {
					type config struct {
						act   kernel.Activation
						init  kernel.GemmInit
						ymode int // 0 apart, 1 in place, 2 none (identity)
					}
					var configs []config
					if k >= 95 && m == mr && n > nr {
						for _, act := range kernel.Activations() {
							for init := range 3 {
								for ymode := range 2 {
									configs = append(configs, config{act, kernel.GemmInit(init), ymode})
								}
							}
						}
					} else {
						acts := kernel.Activations()
						c := config{acts[rng.IntN(len(acts))], kernel.GemmInit(rng.IntN(3)), rng.IntN(3)}
						if c.ymode == 2 {
							c.act = kernel.Identity
						}
						configs = append(configs, c)
					}
					for _, cf := range configs {
						act, init, ymode := cf.act, cf.init, cf.ymode
						np := (n + nr - 1) / nr
						a := make([]float32, k*mr)
						b := make([]float32, np*k*nr)
						// For the long k, entries of C of order 1 (few
						// specials), so that the activations see their central
						// ranges and not only saturation.
						scale, frac := float32(2), 0.02
						if k >= 95 {
							scale, frac = float32(1.5/math.Sqrt(math.Sqrt(float64(k)))), 0.002
						}
						kerneltest.Fill(rng, a, scale, frac)
						kerneltest.Fill(rng, b, scale, frac)
						bias := make([]float32, n)
						kerneltest.Fill(rng, bias, 4, 0.02)
						ldc := n + rng.IntN(3)
						ldy := n + rng.IntN(3)
						switch {
						case ymode == 1:
							ldy = ldc
						case ymode == 0 && ldy == ldc:
							ldy = ldc + 1
						}
						cinit := make([]float32, (m-1)*ldc+n)
						kerneltest.Fill(rng, cinit, 4, 0.02)
						yinit := make([]float32, (m-1)*ldy+n)
						desc := fmt.Sprintf("%v (pipe %v) %v m=%d n=%d k=%d ldc=%d ldy=%d init=%d ymode=%d", impl, r.pipe, act, m, n, k, ldc, ldy, init, ymode)

						// Tile by tile.
						wantC := append([]float32(nil), cinit...)
						wantY := append([]float32(nil), yinit...)
						if ymode == 1 {
							wantY = wantC
						}
						for q := range np {
							j, w := q*nr, min(nr, n-q*nr)
							var bq []float32
							if init == kernel.GemmBias {
								bq = bias[j:]
							}
							if ymode == 2 {
								impl.GemmMicro(m, w, k, a, 1, mr, b[q*k*nr:], wantC[j:], ldc, init, bq)
								continue
							}
							impl.GemmMicroAct(m, w, k, a, 1, mr, b[q*k*nr:], wantC[j:], ldc, init, bq, act, wantY[j:], ldy)
						}

						c := kerneltest.FenceEnd(t, len(cinit))
						copy(c, cinit)
						var y []float32
						var gy *kerneltest.Guarded
						switch ymode {
						case 0:
							gy = kerneltest.NewGuarded(len(yinit), rng.IntN(8), yinit)
							y = gy.S()
						case 1:
							y = c
						}
						impl.GemmStrip(m, n, k, a, 1, mr, b, c, ldc, init, bias, act, y, ldy)
						if gy != nil {
							gy.Check(t, desc)
						}
						for i := range wantC {
							if !kerneltest.Same(c[i], wantC[i]) {
								t.Fatalf("%s: C[%d] = %g, tile by tile %g", desc, i, c[i], wantC[i])
							}
						}
						if ymode == 0 {
							for i := range wantY {
								if !kerneltest.Same(y[i], wantY[i]) {
									t.Fatalf("%s: y[%d] = %g, tile by tile %g", desc, i, y[i], wantY[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestCPUVendor: where the amd64 assembly is built, CPUVendor is CPUID's
// 12-byte vendor string (on Linux, /proc/cpuinfo's vendor_id), and
// GemmPipelined is true exactly on AMD cores with AVX-512.
func TestCPUVendor(t *testing.T) {
	v := kernel.CPUVendor()
	if v == "" {
		if kernel.AVX2.Available() {
			t.Fatal("CPUVendor is empty where the amd64 assembly runs")
		}
		if kernel.GemmPipelined() {
			t.Fatal("GemmPipelined without a vendor")
		}
		return
	}
	if len(v) != 12 || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r > '~' }) {
		t.Fatalf("CPUVendor = %q: want 12 printable bytes", v)
	}
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(info), "\n") {
			if k, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "vendor_id" {
				if got := strings.TrimSpace(val); got != v {
					t.Fatalf("CPUVendor = %q, /proc/cpuinfo says %q", v, got)
				}
				break
			}
		}
	}
	if want := v == "AuthenticAMD" && kernel.AVX512.Available(); kernel.GemmPipelined() != want {
		t.Fatalf("GemmPipelined = %v on %s (avx512 %v)", kernel.GemmPipelined(), v, kernel.AVX512.Available())
	}
}
