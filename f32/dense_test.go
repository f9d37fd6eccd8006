package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

func TestDenseReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	shapes := [][3]int{{1, 3, 5}, {2, 17, 33}, {3, 2, 2}, {29, 64, 40}, {50, 300, 70}, {1, 300, 70}, {16, 7, 129}, {5, 0, 4},
		{300, 70, 3}, {40, 300, 16}, {270, 9, 7}} // the last three: narrow layers, zᵀ = W·xᵀ
	for _, impl := range kernel.Available() {
		for si, s := range shapes {
			m, in, out := s[0], s[1], s[2]
			for _, act := range kernel.Activations() {
				w := randMatrix(rng, out, in, si%2)
				var bias []float32
				if si%3 != 2 {
					bias = make([]float32, out)
					kerneltest.Fill(rng, bias, 1, 0)
				}
				d := NewDenseImpl(impl, w, bias, act)
				x := randMatrix(rng, m, in, 1)
				y, ybuf := guardedMatrix(rng, m, out, 1)
				pre, pbuf := guardedMatrix(rng, m, out, 0)
				d.Forward(y, pre, x)
				desc := fmt.Sprintf("%v %d×%d→%d %v", impl, m, in, out, act)
				checkGuards(t, y, ybuf, desc+" y")
				checkGuards(t, pre, pbuf, desc+" pre")
				wantPre, bound := forwardWant(x, w, bias)
				for i := range m {
					for j := range out {
						want, g := wantPre[i*out+j], float64(pre.At(i, j))
						if d := math.Abs(g - want); !(d <= bound[i*out+j]) {
							t.Fatalf("%s: pre[%d][%d] = %g, want %g", desc, i, j, g, want)
						}
					}
					// y is exactly impl's activation of pre
					want := make([]float32, out)
					impl.Act(act, want, pre.Row(i))
					for j, v := range y.Row(i) {
						if !kerneltest.Same(v, want[j]) {
							t.Fatalf("%s: y[%d][%d] = %g, act(pre) = %g", desc, i, j, v, want[j])
						}
					}
				}
				// Without pre, y is the same.
				y2 := NewMatrix(m, out)
				d.Forward(y2, Matrix{}, x)
				for i := range y2.Data {
					if !kerneltest.Same(y2.Data[i], y.Row(i / max(out, 1))[i%max(out, 1)]) {
						t.Fatalf("%s: Forward without pre differs at %d", desc, i)
					}
				}
			}
		}
	}
}

// TestDensePathsAgree: the matvec path (one row), the GEMM path (a batch),
// every number of workers and every implementation give the same bits.
func TestDensePathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	acts := []kernel.Activation{kernel.Identity, kernel.SiLU, kernel.Tanh, kernel.GELU}
	for si, s := range [][2]int{{64, 128}, {300, 45}, {7, 33}, {300, 5}, {33, 2}, {20, 16}, {128, 128}} {
		in, out := s[0], s[1]
		act := acts[si%len(acts)]
		w := randMatrix(rng, out, in, 0)
		bias := make([]float32, out)
		kerneltest.Fill(rng, bias, 1, 0)
		x := randMatrix(rng, 300, in, 0)
		ref, refPre := NewMatrix(300, out), NewMatrix(300, out)
		NewDenseImpl(kernel.Generic, w, bias, act).Forward(ref, refPre, x)
		for _, impl := range kernel.Available() {
			d := NewDenseImpl(impl, w, bias, act)
			for _, workers := range []int{1, 2, 5} {
				y := NewMatrix(300, out)
				pre := Matrix{}
				if workers == 2 {
					pre = NewMatrix(300, out) // the pre-activation kept as well
				}
				d.ForwardParallel(workers, y, pre, x)
				for i := range 300 {
					one := NewMatrix(1, out)
					d.Forward(one, Matrix{}, x.Slice(i, i+1))
					for j := range out {
						if !kerneltest.Same(y.At(i, j), ref.At(i, j)) || !kerneltest.Same(one.At(0, j), y.At(i, j)) {
							t.Fatalf("%v %v %d→%d workers=%d: (%d, %d): batch %g, row %g, generic %g", impl, act, in, out, workers, i, j, y.At(i, j), one.At(0, j), ref.At(i, j))
						}
						if pre.Data != nil && !kerneltest.Same(pre.At(i, j), refPre.At(i, j)) {
							t.Fatalf("%v %v %d→%d: pre (%d, %d) = %g, generic %g", impl, act, in, out, i, j, pre.At(i, j), refPre.At(i, j))
						}
					}
				}
			}
		}
	}
}

// TestDenseNarrowPathsSame: for every output count a narrow kernel takes
// (1..DenseNarrowMax), whichever path Forward's rule picks, the narrow path
// (the narrow kernel, or zᵀ = W·xᵀ where there is none) and the GEMM path
// give the same bits, pre-activation and activation, as the generic
// kernels do, so where the rule draws its line is a matter of speed only.
func TestDenseNarrowPathsSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	const in = 33
	// m = 5 is below narrowGemmRows (Forward takes the GEMM on avx512
	// for Out > 8), 37 above it.
	for _, m := range []int{5, 37} {
		x := randMatrix(rng, m, in, 0)
		for out := 1; out <= kernel.DenseNarrowMax; out++ {
			act := []kernel.Activation{kernel.Identity, kernel.Tanh}[out%2]
			w := randMatrix(rng, out, in, 0)
			bias := make([]float32, out)
			kerneltest.Fill(rng, bias, 1, 0)
			ref, refPre := NewMatrix(m, out), NewMatrix(m, out)
			NewDenseImpl(kernel.Generic, w, bias, act).Forward(ref, refPre, x)
			for _, impl := range kernel.Available() {
				d := NewDenseImpl(impl, w, bias, act)
				for path, run := range map[string]func(y, pre Matrix){
					"Forward": func(y, pre Matrix) { d.Forward(y, pre, x) },
					"narrow":  func(y, pre Matrix) { d.forwardNarrow(y, pre, x, d.bias, d.act, true) },
					"GEMM":    func(y, pre Matrix) { d.forwardGemm(1, y, pre, x, d.bias, d.act, false) },
				} {
					y, pre := NewMatrix(m, out), NewMatrix(m, out)
					run(y, pre)
					for i := range y.Data {
						if !kerneltest.Same(y.Data[i], ref.Data[i]) || !kerneltest.Same(pre.Data[i], refPre.Data[i]) {
							t.Fatalf("%v M=%d Out=%d %v, %s path: element %d: y %g pre %g, generic y %g pre %g",
								impl, m, out, act, path, i, y.Data[i], pre.Data[i], ref.Data[i], refPre.Data[i])
						}
					}
				}
			}
		}
	}
}

// TestDenseForwardLinear: ForwardLinear of a layer with a bias and an
// activation gives the bits of Forward of a layer with the same W, no bias
// and the identity, on every path (one or two rows, with K in one block or
// beyond it, K = 0, a narrow layer, on avx512 below narrowGemmRows too,
// the GEMM) and number of workers, without writing outside z; after W
// changes and Repack, it follows.
func TestDenseForwardLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	for si, s := range [][3]int{{1, 40, 64}, {2, 300, 20}, {9, 0, 5}, {5, 33, 12}, {37, 33, 3}, {70, 300, 48}, {131, 64, 128}} {
		m, in, out := s[0], s[1], s[2]
		for _, impl := range kernel.Available() {
			w := randMatrix(rng, out, in, si%2)
			bias := make([]float32, out)
			kerneltest.Fill(rng, bias, 1, 0)
			d := NewDenseImpl(impl, w, bias, kernel.Tanh)
			plain := NewDenseImpl(impl, w, nil, kernel.Identity)
			x := randMatrix(rng, m, in, 1)
			for round := range 2 {
				if round == 1 {
					// New weights: both layers follow at Repack.
					kerneltest.Fill(rng, w.Data, 1, 0)
					d.Repack()
					plain.Repack()
				}
				want := NewMatrix(m, out)
				plain.Forward(want, Matrix{}, x)
				for _, workers := range []int{1, 2} {
					z, buf := guardedMatrix(rng, m, out, 1)
					d.ForwardLinear(workers, z, x)
					desc := fmt.Sprintf("%v %d×%d→%d workers=%d round %d", impl, m, in, out, workers, round)
					checkGuards(t, z, buf, desc)
					for i := range m {
						for j := range out {
							if !kerneltest.Same(z.At(i, j), want.At(i, j)) {
								t.Fatalf("%s: z[%d][%d] = %g, Forward without bias and activation %g", desc, i, j, z.At(i, j), want.At(i, j))
							}
						}
					}
				}
			}
		}
	}
}

func TestDenseRepack(t *testing.T) {
	w := NewMatrix(2, 2)
	d := NewDense(w, []float32{1, 2}, kernel.Identity)
	w.Set(0, 0, 3)
	d.Bias()[1] = 5
	d.Repack()
	y := NewMatrix(1, 2)
	x := Matrix{Rows: 1, Cols: 2, Stride: 2, Data: []float32{1, 1}}
	d.Forward(y, Matrix{}, x)
	if y.At(0, 0) != 4 || y.At(0, 1) != 5 {
		t.Fatalf("after Repack: y = %v, want [4 5]", y.Data)
	}
}

// TestDenseBiasInPlace checks that a change to the bias takes effect
// without Repack, as Dense's doc says, on every path: one row (matvec,
// with K beyond one cache block too), a batch (GEMM) and a narrow layer.
func TestDenseBiasInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	for _, s := range [][3]int{{1, 40, 64}, {1, 3000, 5}, {9, 40, 64}, {9, 40, 2}, {300, 33, 3}} {
		m, in, out := s[0], s[1], s[2]
		for _, impl := range kernel.Available() {
			w := randMatrix(rng, out, in, 0)
			bias := make([]float32, out)
			d := NewDenseImpl(impl, w, bias, kernel.Tanh)
			x := randMatrix(rng, m, in, 0)
			y := NewMatrix(m, out)
			d.Forward(y, Matrix{}, x) // before the change, so that nothing is computed lazily after it
			kerneltest.Fill(rng, bias, 1, 0)
			d.Forward(y, Matrix{}, x)
			want := NewMatrix(m, out)
			NewDenseImpl(impl, w, append([]float32(nil), bias...), kernel.Tanh).Forward(want, Matrix{}, x)
			for i := range m {
				for j := range out {
					if !kerneltest.Same(y.At(i, j), want.At(i, j)) {
						t.Fatalf("%v %d×%d→%d: (%d, %d) = %g after changing the bias, a new layer gives %g", impl, m, in, out, i, j, y.At(i, j), want.At(i, j))
					}
				}
			}
		}
	}
}

func TestDenseNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	w := randMatrix(rng, 128, 64, 0)
	d := NewDense(w, make([]float32, 128), kernel.SiLU)
	for _, m := range []int{1, 64} {
		x := randMatrix(rng, m, 64, 0)
		y := NewMatrix(m, 128)
		d.Forward(y, Matrix{}, x)
		if a := testing.AllocsPerRun(20, func() { d.Forward(y, Matrix{}, x) }); a != 0 {
			t.Errorf("Forward with %d rows: %g allocations per call", m, a)
		}
		d.ForwardParallel(2, y, Matrix{}, x)
		if a := testing.AllocsPerRun(20, func() { d.ForwardParallel(2, y, Matrix{}, x) }); a != 0 {
			t.Errorf("ForwardParallel(2) with %d rows: %g allocations per call", m, a)
		}
		for _, workers := range []int{1, 2} {
			d.ForwardLinear(workers, y, x)
			if a := testing.AllocsPerRun(20, func() { d.ForwardLinear(workers, y, x) }); a != 0 {
				t.Errorf("ForwardLinear(%d) with %d rows: %g allocations per call", workers, m, a)
			}
		}
	}
}

func TestDensePanics(t *testing.T) {
	d := NewDense(NewMatrix(3, 4), nil, kernel.ReLU)
	defer func() {
		if recover() == nil {
			t.Fatal("wrong input width did not panic")
		}
	}()
	d.Forward(NewMatrix(2, 3), Matrix{}, NewMatrix(2, 5))
}

func FuzzDense(f *testing.F) {
	f.Add(uint64(1), uint8(1), uint8(5), uint8(33), uint8(5))
	f.Fuzz(func(t *testing.T, seed uint64, m8, in8, out8, act8 uint8) {
		rng := rand.New(rand.NewPCG(seed, 5))
		m, in, out := int(m8)%40, 1+int(in8)%80, 1+int(out8)%80
		act := kernel.Activation(int(act8) % len(kernel.Activations()))
		w := randMatrix(rng, out, in, 0)
		bias := make([]float32, out)
		kerneltest.Fill(rng, bias, 1, 0.02)
		x := randMatrix(rng, m, in, 0)
		ref := NewMatrix(m, out)
		NewDenseImpl(kernel.Generic, w, bias, act).Forward(ref, Matrix{}, x)
		for _, impl := range kernel.Available() {
			y, buf := guardedMatrix(rng, m, out, 1)
			NewDenseImpl(impl, w, bias, act).Forward(y, Matrix{}, x)
			checkGuards(t, y, buf, impl.String())
			for i := range m {
				for j := range out {
					g, r := y.At(i, j), ref.At(i, j)
					if g != r && math.Abs(float64(g-r)) > 1e-5*(1+math.Abs(float64(r))) {
						t.Fatalf("%v: y[%d][%d] = %g, generic %g", impl, i, j, g, r)
					}
				}
			}
		}
	})
}
