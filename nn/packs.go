package nn

import (
	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/kernel"
)

// trainPacks runs the training passes' tangent and adjoint products in
// chunks of rows (each chunk's elementwise work follows its product while
// it is in cache) without packing the weights for every chunk: only a
// wide layer's Wᵀ is packed for them, once per step.
//
// tan computes ż = ȧ·Wᵀ with the layer's own f32.Dense, whose packed W
// Model.Repack keeps up to date, without its bias and activation
// (f32.Dense.ForwardLinear). adjoint computes ā = z̄·W with f32.GemmWith,
// which reads W in place for a chunk (in calls of at most the rows, and
// for W's stride at most the floats, that f32.InPlaceB gives). A layer
// with more inputs than that, whose W GemmWith would pack for every
// chunk, has its Wᵀ packed once per step instead (adj: Wᵀ held in wt[l],
// packed into adjD[l]), whose Forward computes ā. Each element is the chain of fused multiply-adds
// from zero, over K in order, that f32.GemmWith computes: the same bits
// as the unchunked products.
//
// Only training uses them (only training has tangents), and it is never
// concurrent with Repack or with itself: a wide layer's Wᵀ is packed when
// a training pass first needs it after a Repack (gen), never by
// inference, on the caller before a pass split across the workers reads
// it (adjoint only reads a pack that is up to date).
type trainPacks struct {
	m      *Model
	adjD   []*f32.Dense
	adjGen []uint64 // m.gen+1 when adjD[l] was packed (0: never)
	wt     [][]float32
	wide   bool // some layer is (adjWide)
	impl   kernel.Impl
}

// packRows is the fewest tangent rows (k·n) for which the training passes
// use the packs and chunks: below two chunks, packing W and Wᵀ for them
// cost more than the chunks saved (SSM-VR at d = 2, one projection, batch
// 128: 2.5 % slower with them, measured when the passes packed W and Wᵀ
// for every layer at every step), and the passes use f32.GemmWith on
// whole matrices.
func packRows(impl kernel.Impl) int { return 2 * chunkRows(impl) }

// packs returns the training packs for a workspace with at least
// packRows tangent rows (only training has tangents), or nil.
func (m *Model) packs(w *work) *trainPacks {
	if w.k*w.n < packRows(m.impl) {
		return nil
	}
	tp := &m.tp
	if tp.m != m || tp.impl != m.impl || len(tp.adjD) != len(m.layers) {
		L := len(m.layers)
		*tp = trainPacks{m: m, impl: m.impl,
			adjD: make([]*f32.Dense, L), adjGen: make([]uint64, L),
			wt: make([][]float32, L)}
		for l := range L {
			tp.wide = tp.wide || tp.adjWide(l)
		}
	}
	return tp
}

// tan sets dst = at·Wᵀ, layer l's tangent product, on up to workers
// goroutines, from the layer's packed W (which Repack keeps up to date).
func (tp *trainPacks) tan(l, workers int, dst, at f32.Matrix) {
	tp.m.layers[l].dense.ForwardLinear(workers, dst, at)
}

// adjWide reports whether layer l's adjoint product uses its packed Wᵀ
// (adj), W's stride being too wide for f32.GemmWith to read it in place
// (f32.InPlaceB).
func (tp *trainPacks) adjWide(l int) bool {
	_, stride := f32.InPlaceB(tp.impl)
	return tp.m.layers[l].w.Stride > stride
}

// adjoint sets gl = g·W_l, the adjoint of layer l's input, for the rows
// of g (at most a chunk) on the caller: f32.GemmWith reading W in place,
// in calls of at most f32.InPlaceB's rows so that it does (a generic
// chunk has twice that), or, for a wide layer, adj's packed Wᵀ, which
// must be up to date.
func (tp *trainPacks) adjoint(l int, gl, g f32.Matrix) {
	m := tp.m
	if tp.adjWide(l) {
		tp.adjD[l].Forward(gl, f32.Matrix{}, g)
		return
	}
	rows, _ := f32.InPlaceB(m.impl)
	w := m.layers[l].w
	for r0 := 0; r0 < g.Rows; r0 += rows {
		r1 := min(g.Rows, r0+rows)
		f32.GemmWith(m.impl, 1, false, false, 1, g.Slice(r0, r1), w, 0, gl.Slice(r0, r1))
	}
}

// adj packs a wide layer l's Wᵀ (see adjWide) for adjoint, if the weights
// changed since it was last packed.
func (tp *trainPacks) adj(l int) {
	m := tp.m
	if tp.adjD[l] != nil && tp.adjGen[l] == m.gen+1 {
		return
	}
	w := m.layers[l].w
	if tp.wt[l] == nil {
		tp.wt[l] = make([]float32, len(w.Data))
	}
	m.impl.Transpose(w.Rows, w.Cols, w.Data, w.Stride, tp.wt[l], w.Rows)
	if tp.adjD[l] == nil {
		wt := f32.Matrix{Rows: w.Cols, Cols: w.Rows, Stride: w.Rows, Data: tp.wt[l]}
		tp.adjD[l] = f32.NewDenseImpl(m.impl, wt, nil, kernel.Identity)
	} else {
		tp.adjD[l].Repack()
	}
	tp.adjGen[l] = m.gen + 1
}

// chunkRows is the number of rows an inference call (Score, Energy) pushes
// through the net at once, and of a chunk of the training passes' tangent
// and adjoint products: whole row blocks of impl's GEMM (mc rows, whose
// strips are full microkernel tiles: 256 rows would leave a 16-row block
// that reads all of B for little work), about 256 rows, so that a chunk of
// a 128-wide layer (128 KB) stays in L2 for the work that follows it.
func chunkRows(impl kernel.Impl) int {
	mc, _ := impl.GemmBlocking()
	return mc * max(1, 256/mc)
}

// mulD1 sets y = σ'(z)⊙z over rows r0..r1−1 of the stacked tangent rows
// (row r of zt belongs to point r mod n, whose σ' is row r mod n of d1;
// its y is row r−y0 of yt), one call per run of rows within a tangent
// block.
func (m *Model) mulD1(yt, zt, d1 []float32, n, width, r0, r1, y0 int) {
	for r := r0; r < r1; {
		i := r % n
		e := min(r1, r-i+n)
		m.impl.Mul(yt[(r-y0)*width:(e-y0)*width], d1[i*width:(i+e-r)*width], zt[r*width:e*width])
		r = e
	}
}

// repRows is the most rows the passes take in one Hadamard call where
// each row is multiplied by the same vector (a basis tangent's column of
// W, the trace shortcut's ḡ[r][b]·W[b, :]), held repeated that many
// times, rather than a call per row: each element is the same operation.
const repRows = 16

// repeat fills rep (a multiple of len(v) long) with copies of v.
func repeat(rep, v []float32) {
	n := copy(rep, v)
	for n < len(rep) {
		n += copy(rep[n:], rep[:n])
	}
}

// tanChunked reports whether the tangent rows of the activation a[l] are
// kept only a chunk at a time: the training packs' tangent pass on one
// goroutine writes a chunk's rows r0.. (counted from the first tangent
// row) to a[l]'s first tangent rows, where the next layer reads them
// while they are in cache, and backward writes them again for layer l's
// weight gradient, from σ' and ż of the layer below (which it reads
// anyway), rather than writing them all out to memory and reading them
// back: in its chunked pass (redoTangents), so for a hidden layer l whose
// weight gradient is a GEMM, or in traceBack for the trace shortcut's
// output layer. It needs an activation below layer l and the passes on
// one goroutine.
func (m *Model) tanChunked(w *work, tp *trainPacks, l int) bool {
	if tp == nil || w.workers > 1 || l < 1 || l >= len(m.layers) {
		return false
	}
	if m.layers[l-1].act == kernel.Identity {
		return false
	}
	if l == len(m.layers)-1 && m.traceOnly(w) {
		// The trace shortcut's output layer: traceBack adds passTop's
		// sums (where it applies).
		return !(l == 1 && w.basis)
	}
	ly := m.layers[l]
	return ly.w.Rows > narrowLayer && ly.w.Cols > narrowLayer
}

// redoTangents writes again, for layer l's weight gradient over rows
// r0..r1−1 of the stacked rows (at most a chunk), the tangent rows of a[l]
// among them, which the tangent pass kept only a chunk at a time
// (tanChunked), by the operations of tangentRows (the same bits), to
// a[l]'s first tangent rows. It returns rows r0..r1−1 of a[l], the primal
// ones among them in place.
func (m *Model) redoTangents(w *work, l, r0, r1 int) f32.Matrix {
	n := w.n
	a := w.a[l]
	if r1 <= n {
		return a.Slice(r0, r1)
	}
	// Tangent rows t0..r1−1 (stacked) go to rows n.. of a: after the
	// primal rows r0..n−1 if the chunk has them.
	t0 := max(r0, n)
	width := a.Cols
	yt := a.Data[n*width : (n+r1-t0)*width]
	if l == 1 && w.basis {
		// ẏ_b = σ'⊙ż_b with ż_b = W·e_b, column b of W (w.wt0).
		m.basisRows(w, yt, t0-n, r1-n)
	} else {
		m.mulD1(yt, w.z[l-1].Data[n*width:], w.d1[l-1], n, width, t0-n, r1-n, t0-n)
	}
	if r0 < n {
		return a.Slice(r0, r1)
	}
	return a.Slice(n, n+r1-r0)
}

// basisRows sets ẏ = σ'⊙ż for tangent rows r0..r1−1 (counted from the
// first tangent row) of the first layer with basis tangents, into yt from
// its start: ż_b = W·e_b is column b of W (w.wt0) in every row of block
// b, as tangentRows computes it, repRows rows per call.
func (m *Model) basisRows(w *work, yt []float32, r0, r1 int) {
	n := w.n
	width := m.layers[0].w.Rows
	d1 := w.d1[0]
	rep := scratch.Get(repRows * width)
	for r := r0; r < r1; {
		b := r / n
		e := min(r1, (b+1)*n)
		repeat(*rep, w.wt0[b*width:(b+1)*width])
		for ; r < e; r += repRows {
			i, q := r-b*n, min(repRows, e-r)
			m.impl.Mul(yt[(r-r0)*width:(r-r0+q)*width], d1[i*width:(i+q)*width], (*rep)[:q*width])
		}
		r = e
	}
	scratch.Put(rep)
}

// actBack takes rows r0..r1−1 of the stacked adjoints w.g[l+1] of layer
// l's output back through its activation: primal rows z̄ = σ'⊙ā, tangent
// rows ż̄_b = σ'⊙ȧ_b, after adding ż_b⊙ȧ_b to the per-point sum
// Σ_b ż_b⊙ȧ_b (in w.tmp; tangent 0 sets it). actFinish then adds σ”⊙sum
// to the primal rows once all rows are done. Called on each point's rows
// in increasing order, in one call or in chunks, it computes every
// element the same way; calls on the rows of different points may run at
// the same time.
func (m *Model) actBack(w *work, l, r0, r1 int) {
	n := w.n
	width := m.layers[l].w.Rows
	g := w.g[l+1].Data
	d1 := w.d1[l]
	if r0 < n {
		e := min(r1, n)
		m.impl.Mul(g[r0*width:e*width], g[r0*width:e*width], d1[r0*width:e*width])
		r0 = e
	}
	basis := l == 0 && w.basis
	for r := r0; r < r1; {
		b, i := r/n-1, r%n
		e := min(r1, (b+2)*n)
		gt := g[r*width : e*width]
		sum := w.tmp[i*width : (i+e-r)*width]
		if basis {
			// ż_b = W·e_b, column b of W in every row (not stored),
			// repRows rows per call.
			rep := scratch.Get(repRows * width)
			repeat(*rep, w.wt0[b*width:(b+1)*width])
			for q0 := 0; q0 < e-r; q0 += repRows {
				q1 := min(e-r, q0+repRows)
				s, c, a := sum[q0*width:q1*width], (*rep)[:(q1-q0)*width], gt[q0*width:q1*width]
				if b == 0 {
					m.impl.Mul(s, c, a)
				} else {
					m.impl.MulAdd(s, c, a)
				}
			}
			scratch.Put(rep)
		} else {
			zt := w.z[l].Data[r*width : e*width]
			if b == 0 {
				m.impl.Mul(sum, zt, gt)
			} else {
				m.impl.MulAdd(sum, zt, gt)
			}
		}
		m.impl.Mul(gt, gt, d1[i*width:(i+e-r)*width])
		r = e
	}
}

// actFinish completes actBack on the primal rows of points i0..i1−1:
// z̄ += σ”⊙Σ_b ż_b⊙ȧ_b.
func (m *Model) actFinish(w *work, l, i0, i1 int) {
	if w.k == 0 {
		return
	}
	width := m.layers[l].w.Rows
	e0, e1 := i0*width, i1*width
	m.impl.MulAdd(w.g[l+1].Data[e0:e1], w.d2[l][e0:e1], w.tmp[e0:e1])
}
