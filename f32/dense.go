package f32

import (
	"fmt"

	"github.com/scorekit/scorekit/kernel"
)

// Dense is a fully connected layer y = act(x·Wᵀ + b), with W stored as
// PyTorch stores it, out×in, and packed once, when the layer is built, into
// the panels the microkernels read. After changing W in place (training),
// call Repack; the bias is read in place at every Forward, so a change to
// it takes effect at once.
//
// Forward with one or two rows of x is the latency path: a matvec in axpy
// form over the packed panels, with the activation in its epilogue
// ([kernel.Impl.MatVecAct]), through a [kernel.MatVecPlan] that Repack
// checks once, so that a call checks only its rows. With more rows it is
// a GEMM that reads x in place, whose microkernel starts its accumulators
// from the bias and applies the activation to each tile in its epilogue,
// a strip of tiles per call ([kernel.Impl.GemmStrip]). A layer with few
// outputs (Out ≤ nr/2, e.g. a network's last) is computed transposed,
// zᵀ = W·xᵀ + b, so that its tiles are not mostly padding. All paths compute each output as
// the same chain of fused multiply-adds: the same bits. [Dense.ForwardLinear]
// runs the same paths over the same packed panels without the bias and
// the activation (x·Wᵀ alone, as a tangent needs it).
//
// A Dense is safe for concurrent Forward calls (with distinct outputs);
// Repack must not run concurrently with them.
type Dense struct {
	w    Matrix
	bias []float32
	act  kernel.Activation
	g    geometry
	// packed holds Wᵀ (in×out) in blocks of kc rows of K; block b starts at
	// b·kc·npad and holds npad/nr panels of (its rows)×nr, zero-padded.
	packed []float32
	npad   int
	// vec is the matvec of a layer with 0 < In ≤ kc (one block of
	// packed), checked once by Repack: the latency path's per-row call.
	vec kernel.MatVecPlan
}

// matvecRows is the largest batch Forward runs as one matvec per row
// rather than as a GEMM.
const matvecRows = 2

// NewDense returns a layer with weights w (out×in, shared, not copied),
// bias (length out, shared; nil means no bias) and activation act (one of
// [kernel.Activations]), using the active kernels. It panics if the
// shapes disagree or act is unknown.
func NewDense(w Matrix, bias []float32, act kernel.Activation) *Dense {
	return NewDenseImpl(kernel.Active(), w, bias, act)
}

// NewDenseImpl is [NewDense] with the kernels of impl (one of
// [kernel.Available]); the weights are packed for impl's tile.
func NewDenseImpl(impl kernel.Impl, w Matrix, bias []float32, act kernel.Activation) *Dense {
	w.check("NewDense", "W")
	if bias != nil && len(bias) != w.Rows {
		panic(fmt.Sprintf("f32: NewDense: W is %d×%d but len(bias) = %d", w.Rows, w.Cols, len(bias)))
	}
	if !act.Valid() {
		// Else the layer is made, and its first Forward panics in the
		// kernel (kernel: Act: unknown activation), far from the cause.
		panic(fmt.Sprintf("f32: NewDense: unknown activation %v", act))
	}
	d := &Dense{w: w, bias: bias, act: act, g: newGeometry(impl)}
	d.Repack()
	return d
}

// In returns the input width, W's column count.
func (d *Dense) In() int { return d.w.Cols }

// Out returns the output width, W's row count.
func (d *Dense) Out() int { return d.w.Rows }

// Weights returns W (out×in), shared with the layer: after changing it,
// call Repack.
func (d *Dense) Weights() Matrix { return d.w }

// Bias returns the bias (length Out, or nil), shared with the layer. It is
// read in place at every Forward, so a change takes effect without Repack.
func (d *Dense) Bias() []float32 { return d.bias }

// Activation returns the layer's activation.
func (d *Dense) Activation() kernel.Activation { return d.act }

// Impl returns the kernels the layer runs.
func (d *Dense) Impl() kernel.Impl { return d.g.impl }

// Repack rebuilds the packed weights from W. It allocates only if the
// layer's shape changed. (The bias is read in place at every Forward.)
func (d *Dense) Repack() {
	k, n := d.In(), d.Out()
	d.npad = d.g.panels(n) * d.g.nr
	size := k * d.npad
	if cap(d.packed) < size {
		d.packed = make([]float32, size)
	}
	d.packed = d.packed[:size]
	for p0 := 0; p0 < k; p0 += d.g.kc {
		pb := min(d.g.kc, k-p0)
		packB(d.g.nr, d.packed[p0*d.npad:], d.w, true, p0, pb, 0, n)
	}
	d.vec = kernel.MatVecPlan{}
	if 0 < k && k <= d.g.kc {
		d.vec = d.g.impl.PlanMatVec(d.packed, k, n, d.bias, d.act)
	}
}

// Forward sets y = act(x·Wᵀ + b) for the rows of x (M×In) into y (M×Out)
// on one goroutine. If pre.Data is not nil, pre (M×Out) receives the
// pre-activation x·Wᵀ + b, as backpropagation needs it. y is pre or does
// not overlap it, and neither may overlap x.
//
// Each pre-activation is the bias followed by a chain of fused
// multiply-adds over K in order (the same on the matvec and GEMM paths and
// in every implementation), within (K+1)·2⁻²⁴·(|b| + Σ|xW|) of the exact
// value; the activation adds its own bound (see [kernel.Impl.Act]).
func (d *Dense) Forward(y, pre, x Matrix) { d.ForwardParallel(1, y, pre, x) }

// ForwardParallel is [Dense.Forward] on up to workers goroutines: the
// caller and up to workers−1 of the package's GOMAXPROCS−1 helper
// goroutines (started at the first parallel call) take chunks of whole
// microkernel tiles of rows until none is left, so workers above
// GOMAXPROCS count as GOMAXPROCS, and a helper that is busy with another
// call, or whose thread is waiting for a CPU, leaves its chunks to the
// others. A helper polls for work for 50µs after it is done before it
// parks, so back-to-back calls pay no wake-up. Batches of at most two
// rows, and a layer with Out ≤ nr/2, run on the caller alone. The result
// is the same for any number of workers, and the steady state allocates
// nothing.
func (d *Dense) ForwardParallel(workers int, y, pre, x Matrix) {
	x.check("Dense.Forward", "x")
	y.check("Dense.Forward", "y")
	k, n, m := d.In(), d.Out(), x.Rows
	if x.Cols != k || y.Cols != n || y.Rows != m {
		panic(fmt.Sprintf("f32: Dense.Forward: layer is %d→%d but x is %d×%d and y is %d×%d", k, n, x.Rows, x.Cols, y.Rows, y.Cols))
	}
	z := &y // pointers, not copies: see Matrix.check
	if pre.Data != nil {
		pre.check("Dense.Forward", "pre")
		if pre.Rows != m || pre.Cols != n {
			panic(fmt.Sprintf("f32: Dense.Forward: pre is %d×%d, want %d×%d", pre.Rows, pre.Cols, m, n))
		}
		z = &pre
	}
	identity := d.act == kernel.Identity && pre.Data == nil // y = z already
	d.forward(workers, &y, z, &x, d.bias, d.act, identity, true)
}

// ForwardLinear sets z = x·Wᵀ for the rows of x (M×In) into z (M×Out),
// without the layer's bias and activation, on up to workers goroutines as
// [Dense.ForwardParallel] runs: the product of a layer's tangents,
// ż = ẋ·Wᵀ, in forward-mode differentiation. It reads the layer's packed
// weights, so it follows [Dense.Repack] as Forward does, and gives the
// bits of ForwardParallel of a layer with the same W, no bias and the
// identity: each element is a chain of fused multiply-adds over K in
// order, from zero. z must not overlap x. The steady state allocates
// nothing.
func (d *Dense) ForwardLinear(workers int, z, x Matrix) {
	x.check("Dense.ForwardLinear", "x")
	z.check("Dense.ForwardLinear", "z")
	k, n, m := d.In(), d.Out(), x.Rows
	if x.Cols != k || z.Cols != n || z.Rows != m {
		panic(fmt.Sprintf("f32: Dense.ForwardLinear: layer is %d→%d but x is %d×%d and z is %d×%d", k, n, x.Rows, x.Cols, z.Rows, z.Cols))
	}
	d.forward(workers, &z, &z, &x, nil, kernel.Identity, true, false)
}

// forward is ForwardParallel after its checks, with the given bias and
// activation: d's own, with plan set (d.vec, which Repack made for them,
// runs the latency path), or none (ForwardLinear). z is pre, or y.
func (d *Dense) forward(workers int, y, z, x *Matrix, bias []float32, act kernel.Activation, identity, plan bool) {
	k, n, m := d.In(), d.Out(), x.Rows
	if m == 0 || n == 0 {
		return
	}
	if m <= matvecRows {
		if plan && 0 < k && k <= d.g.kc {
			// The latency path, one block of K: d.vec checked B, the bias
			// and the activation at Repack, and checks the rows' lengths.
			for i := range m {
				var yi []float32
				if !identity {
					yi = y.row(i)
				}
				d.vec.Run(x.row(i), z.row(i), yi)
			}
			return
		}
		d.forwardRows(y, z, x, bias, act, identity)
		return
	}
	if k == 0 {
		d.forwardRows(y, z, x, bias, act, identity)
		return
	}
	// Out in (nr/2, DenseNarrowMax] stays on the GEMM although a narrow
	// kernel would take it: with nr = 16 (avx2, neon) the narrow kernel
	// takes n > 8 in two passes over x, and on avx2 it is no faster there
	// (BenchmarkDenseNarrowPaths, Out 12 and 16: about twice as slow at
	// M = 3; at M = 1024 a tie at 12 and 21 % slower at 16), while the
	// GEMM also splits across workers. So does a short batch on avx512:
	// see narrowGemmRows.
	if n <= d.g.nr/2 && !(d.g.impl == kernel.AVX512 && n > 8 && m < narrowGemmRows) {
		d.forwardNarrow(*y, *z, *x, bias, act, !identity)
		return
	}
	d.forwardGemm(workers, *y, *z, *x, bias, act, identity)
}

// forwardGemm is the GEMM path of forward: z = x·Wᵀ + bias over the
// packed panels, y = act(z) in the microkernel's epilogue unless identity.
func (d *Dense) forwardGemm(workers int, y, z, x Matrix, bias []float32, act kernel.Activation, identity bool) {
	k, n, m := d.In(), d.Out(), x.Rows
	for j0 := 0; j0 < n; j0 += d.g.nc {
		nb := min(d.g.nc, n-j0)
		init := kernel.GemmZero
		var bj []float32
		if bias != nil {
			init, bj = kernel.GemmBias, bias[j0:j0+nb]
		}
		blk := block{
			g: d.g, a: x, alpha: 1, k: k,
			b: d.packed, npad: d.npad, j0b: j0, c: z, j0: j0, nb: nb,
			init: init, bias: bj,
			epilogue: !identity, act: act, y: y,
		}
		blk.rows(workers, m)
	}
}

// forwardRows is the latency path of forward where d.vec is not (K = 0,
// K > kc in blocks of kc, or ForwardLinear): one matvec per row of x,
// from bias, with act in its epilogue (a copy if it is the identity and y
// is not z).
func (d *Dense) forwardRows(y, z, x *Matrix, bias []float32, act kernel.Activation, identity bool) {
	impl, k, kc := d.g.impl, d.In(), d.g.kc
	for i := range x.Rows {
		zi, xi := z.row(i), x.row(i)
		var yi []float32
		if !identity {
			yi = y.row(i)
		}
		switch {
		case k == 0:
			if bias != nil {
				copy(zi, bias)
			} else {
				clear(zi)
			}
			if yi != nil {
				impl.Act(act, yi, zi)
			}
		case k <= kc && yi == nil:
			impl.MatVec(d.packed, xi, zi, bias)
		case k <= kc:
			impl.MatVecAct(d.packed, xi, zi, bias, act, yi)
		default:
			from := bias
			for p0 := 0; p0 < k; p0 += kc {
				pb := min(kc, k-p0)
				b, xb := d.packed[p0*d.npad:(p0+pb)*d.npad], xi[p0:p0+pb]
				if p0+pb < k || yi == nil {
					impl.MatVec(b, xb, zi, from)
				} else {
					impl.MatVecAct(b, xb, zi, from, act, yi)
				}
				from = zi // later blocks accumulate: MatVec allows bias == z
			}
		}
	}
}

// narrowGemmRows is the batch below which Forward runs a layer of 9 to
// 16 outputs on the GEMM on avx512, not the narrow kernel. That kernel
// takes 16 rows to a vector, so below 8 most of each vector is idle,
// while the GEMM is one short strip. BenchmarkDenseNarrowPaths (K = 128
// and 256, n = 10), Out 12 and 16: the GEMM takes 12–51 % less time at
// M = 3 to 6 (p ≤ 0.022), 16–29 % less at M = 7 but for Out 12 at K = 128
// (a tie), ties at M = 8 and takes 38–138 % longer from M = 16 on. Out 8
// is mixed (the GEMM 18–31 % faster at M = 3, 8–27 % slower at M = 7),
// and at Out 2 and 4 the narrow kernel is as fast or faster from M = 3:
// those keep it.
const narrowGemmRows = 8

// narrowCols is the number of rows of x a narrow layer does at once:
// transposed for the GEMM, or in one call of the narrow kernel.
const narrowCols = 256

// forwardNarrow is the GEMM path of a layer with few outputs (Out ≤ nr/2,
// such as a network's last layer), where a tile of nr output columns would
// be mostly padding. Where the kernels have one ([kernel.Impl.HasDenseNarrow]),
// it runs the fused narrow kernel, which reads x and W in place and
// vectorises along the rows, narrowCols rows per call, each block's
// activation following it while its rows are in cache. Otherwise it
// computes zᵀ = W·xᵀ + b: W is read in place as the microkernel's A, each
// block of rows of x is packed transposed as its B, and the accumulators
// start from the bias (zero if bias is nil); y = act(z) follows only with
// epilogue. Every element is the same chain of fused multiply-adds as on
// the other paths (fma(W, x) = fma(x, W)), so the bits are the same. It
// is little work: one goroutine does it.
func (d *Dense) forwardNarrow(y, z, x Matrix, bias []float32, act kernel.Activation, epilogue bool) {
	if d.g.impl.HasDenseNarrow() && d.Out() <= kernel.DenseNarrowMax {
		d.forwardNarrowKernel(y, z, x, bias, act, epilogue)
		return
	}
	g := d.g
	k, n := d.In(), d.Out()
	npad := g.panels(narrowCols) * g.nr
	bufB := getBuf(k * npad)
	bufC := getBuf(n * narrowCols)
	defer putBuf(bufB)
	defer putBuf(bufC)
	pb, ct := *bufB, *bufC
	for ib := 0; ib < x.Rows; ib += narrowCols {
		mb := min(narrowCols, x.Rows-ib)
		// zᵀ block (n×mb, stride mb) starts from the bias.
		for j := range n {
			row := ct[j*mb : (j+1)*mb]
			if bias != nil {
				for i := range row {
					row[i] = bias[j]
				}
			} else {
				clear(row)
			}
		}
		for p0 := 0; p0 < k; p0 += g.kc {
			kb := min(g.kc, k-p0)
			packB(g.nr, pb, x, true, p0, kb, ib, mb)
			for jr := 0; jr < n; jr += g.mr {
				rows := min(g.mr, n-jr)
				a := d.w.Data[jr*d.w.Stride+p0:]
				g.impl.GemmStrip(rows, mb, kb, a, d.w.Stride, 1, pb, ct[jr*mb:], mb, kernel.GemmLoad, nil, kernel.Identity, nil, 0)
			}
		}
		// z's rows ib.. are the columns of the n×mb block.
		g.impl.Transpose(n, mb, ct, mb, z.Data[ib*z.Stride:], z.Stride)
		if epilogue {
			d.actRows(y, z, act, ib, mb)
		}
	}
}

// forwardNarrowKernel is forwardNarrow with the fused narrow kernel.
func (d *Dense) forwardNarrowKernel(y, z, x Matrix, bias []float32, act kernel.Activation, epilogue bool) {
	impl := d.g.impl
	k, n := d.In(), d.Out()
	for ib := 0; ib < x.Rows; ib += narrowCols {
		mb := min(narrowCols, x.Rows-ib)
		impl.DenseNarrow(mb, n, k, x.Data[ib*x.Stride:], x.Stride, d.w.Data, d.w.Stride, bias, z.Data[ib*z.Stride:], z.Stride)
		if epilogue {
			d.actRows(y, z, act, ib, mb)
		}
	}
}

// actRows sets y = act(z) on the rows ib..ib+mb−1.
func (d *Dense) actRows(y, z Matrix, act kernel.Activation, ib, mb int) {
	impl, n := d.g.impl, d.Out()
	if z.Stride == n && y.Stride == n {
		impl.Act(act, y.Data[ib*n:(ib+mb)*n], z.Data[ib*n:(ib+mb)*n])
		return
	}
	for i := range mb {
		impl.Act(act, y.Row(ib+i), z.Row(ib+i))
	}
}
