package nn

import (
	"math"

	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/internal/freelist"
)

// The training passes' work between the products (activation derivatives,
// Hadamard products, bias and narrow weight-gradient sums, the chunked
// tangent and adjoint passes, the tangent shortcuts' rows, a narrow
// layer's forward rows, the denoising losses' noisy inputs) runs on the
// workers of Model.SetWorkers through f32.ParallelRange, split so that the
// result does not depend on the split: by rows or points where each
// element is computed from its own row (or, for the sums over tangents,
// its own point, whose tangents are taken in order), by columns where a
// sum runs down the rows. Every element is the same operations in the
// same order as on one goroutine.

// parMin is the fewest floats a pass touches for it to be split: below
// it, handing half of it to a helper costs about what the half saves.
// (A variable: tests split every pass.)
var parMin = 1 << 15

// colUnit is the unit of a pass split by columns: a 64-byte line.
const colUnit = 16

// passKind says which pass a passJob runs.
type passKind uint8

const (
	passDeriv      passKind = iota // points: σ' (and σ”) of layer l's primal rows
	passMulD1                      // tangent rows r0+i: ẏ = σ'⊙ż of layer l
	passTangent                    // tangent rows, in chunks: the chunked tangent pass through every layer
	passActBack                    // points: actBack of layer l on every row of theirs, and actFinish
	passFinish                     // points: actFinish of layer l
	passAdjoint                    // points: layer l's chunked adjoint product on their rows, then layer l−1's actBack
	passTrace                      // points: the trace shortcut's tangent adjoints of output layer l (and passTop's sums, if gw is set)
	passBias                       // columns: bias gradient gb += Σ_i ḡ[i] over the primal rows
	passWeightCols                 // columns of ∂W (gw.Cols ≤ narrowLayer: its rows): weightGrad's narrow sums
	passWeightRows                 // columns of ∂W (gw.Rows ≤ narrowLayer)
	passTop                        // tangents b: row b of ∂W gets the trace shortcut's Σ_r ḡ[r][b]·a[r]
	passFirst                      // rows of ∂W: column b gets the basis tangents' Σ_r ḡ[r] of block b
	passNarrow                     // points: the primal rows of narrow layer l's forward product
	passTanRows                    // tangent rows r0+i: tangentRows' shortcuts of layer l, row by row
	passNoisy                      // points: dsm's noisy input rows and their features
	passPackAdj                    // layers: the training packs' Wᵀ of a wide layer, where the backward pass uses it
)

// passJob is a pass of the training passes, as f32.ParallelRange splits
// it; work holds one, so that handing it over allocates nothing. Only
// one pass runs at a time, and no pass splits another.
type passJob struct {
	m        *Model
	w        *work
	kind     passKind
	l        int
	fuse     bool // passAdjoint: layer l−1's actBack follows the product
	deriv    bool // passDeriv: σ” too
	gw, g, a f32.Matrix
	gb       []float32
	r0, r1   int // rows of the sums (weightGrad's narrow sums, passMulD1's rows)
	tp       *trainPacks
	input    bool      // passPackAdj: backward leaves the input's adjoint
	x        []float32 // passNoisy: the batch
	ms       []float64 // passNoisy: the mean scales, or nil
}

// split runs the pass set in w.job over indices 0..n−1, in units of unit,
// on w.workers goroutines if it touches at least parMin floats (size),
// else on the caller.
func (w *work) split(kind passKind, n, unit, size int) {
	w.job.kind = kind
	workers := w.workers
	if size < parMin {
		workers = 1
	}
	f32.ParallelRange(workers, n, unit, &w.job)
}

// splitCols runs the pass set in w.job over columns 0..cols−1 as split
// does, in one chunk per worker: each chunk makes a kernel call per row it
// sums down, whatever its width, so that more, narrower chunks would only
// add calls.
func (w *work) splitCols(kind passKind, cols, size int) {
	per := (cols + max(1, w.workers) - 1) / max(1, w.workers)
	w.split(kind, cols, (per+colUnit-1)/colUnit*colUnit, size)
}

// pointUnit is the unit of a pass over points of a layer of the given
// width: about 1,024 floats of each row block.
func pointUnit(width int) int { return max(1, 1024/max(1, width)) }

// scratch holds the vectors traceBack needs, one per range it runs on.
var scratch freelist.Slices[float32]

// Range implements f32.RangeJob.
func (p *passJob) Range(i0, i1 int) {
	m, w, l := p.m, p.w, p.l
	switch p.kind {
	case passDeriv:
		m.derivRows(w, l, i0, i1, p.deriv)
	case passPackAdj:
		for l := i0; l < i1; l++ {
			if m.adjPacked(w, l, p.input) && p.tp.adjWide(l) {
				p.tp.adj(l)
			}
		}
	case passNoisy:
		m.noisyRows(w, p.x, p.ms, i0, i1)
	case passTanRows:
		m.tangentRows(w, nil, l, p.r0+i0, p.r0+i1, 1)
	case passNarrow:
		m.layers[l].dense.Forward(w.a[l+1].Slice(i0, i1), w.z[l].Slice(i0, i1), w.a[l].Slice(i0, i1))
	case passMulD1:
		width := m.layers[l].w.Rows
		zt := w.z[l].Data[w.n*width:]
		yt := w.a[l+1].Data[w.n*width:]
		m.mulD1(yt, zt, w.d1[l], w.n, width, p.r0+i0, p.r0+i1, 0)
	case passTangent:
		chunk := chunkRows(m.impl)
		for r := i0; r < i1; r += chunk {
			for l := range m.layers {
				m.tangentRows(w, p.tp, l, r, min(i1, r+chunk), 1)
			}
		}
	case passActBack:
		m.actBackPoints(w, l, i0, i1)
		m.actFinish(w, l, i0, i1)
	case passFinish:
		m.actFinish(w, l, i0, i1)
	case passAdjoint:
		// In chunks of points, so that each chunk's rows of ā are in
		// cache for the actBack that follows.
		n := w.n
		g, gl := w.g[l+1], w.g[l]
		chunk := chunkRows(m.impl)
		for c0 := i0; c0 < i1; c0 += chunk {
			c1 := min(i1, c0+chunk)
			for b := range 1 + w.k {
				r0, r1 := b*n+c0, b*n+c1
				p.tp.adjoint(l, gl.Slice(r0, r1), g.Slice(r0, r1))
				if p.fuse {
					m.actBack(w, l-1, r0, r1)
				}
			}
			if p.fuse {
				m.actFinish(w, l-1, c0, c1)
			}
		}
	case passTrace:
		m.traceRange(w, l, i0, i1, p.fuse, p.gw)
	case passBias:
		width := len(p.gb)
		for i := range w.n {
			m.impl.Axpy(1, p.g.Data[i*width+i0:i*width+i1], p.gb[i0:i1])
		}
	case passWeightCols:
		// Column c of ∂W, rows i0..i1−1 gathered into tmp, gets
		// a[r][c]·ḡ[r].
		gw, g, a := p.gw, p.g, p.a
		col := w.vec[i0:i1]
		for c := range gw.Cols {
			getCol(col, gw, c, i0)
			for r := p.r0; r < p.r1; r++ {
				m.impl.Axpy(a.Data[r*a.Stride+c], g.Data[r*g.Stride+i0:r*g.Stride+i1], col)
			}
			setCol(gw, c, i0, col)
		}
	case passWeightRows:
		// Row o of ∂W, columns i0..i1−1, gets ḡ[r][o]·a[r].
		gw, g, a := p.gw, p.g, p.a
		for o := range gw.Rows {
			dst := gw.Data[o*gw.Stride+i0 : o*gw.Stride+i1]
			for r := p.r0; r < p.r1; r++ {
				m.impl.Axpy(g.Data[r*g.Stride+o], a.Data[r*a.Stride+i0:r*a.Stride+i1], dst)
			}
		}
	case passTop:
		// Tangent row r of block b adds ḡ[r][b]·a[r] to row b of ∂W.
		gw, g, a, n := p.gw, p.g, p.a, w.n
		for b := i0; b < i1; b++ {
			gwb := gw.Data[b*gw.Stride : b*gw.Stride+gw.Cols]
			for r := (1 + b) * n; r < (2+b)*n; r++ {
				m.impl.Axpy(g.Data[r*g.Stride+b], a.Data[r*a.Stride:r*a.Stride+a.Cols], gwb)
			}
		}
	case passFirst:
		// Tangent row r of block b adds ḡ[r] to column b of ∂W: its rows
		// i0..i1−1, gathered into w.vec.
		gw, g, n := p.gw, p.g, w.n
		col := w.vec[i0:i1]
		for b := range w.k {
			getCol(col, gw, b, i0)
			for r := (1 + b) * n; r < (2+b)*n; r++ {
				m.impl.Axpy(1, g.Data[r*g.Stride+i0:r*g.Stride+i1], col)
			}
			setCol(gw, b, i0, col)
		}
	}
}

// getCol copies column c of m, from row i0 on, into col.
func getCol(col []float32, m f32.Matrix, c, i0 int) {
	for j := range col {
		col[j] = m.Data[(i0+j)*m.Stride+c]
	}
}

// setCol copies col into column c of m, from row i0 on.
func setCol(m f32.Matrix, c, i0 int, col []float32) {
	for j, v := range col {
		m.Data[(i0+j)*m.Stride+c] = v
	}
}

// derivRows keeps σ'(z) of layer l on the primal rows i0..i1−1 and, with
// deriv2, σ”(z) (w.tmp's rows as scratch).
func (m *Model) derivRows(w *work, l, i0, i1 int, deriv2 bool) {
	ly := m.layers[l]
	width := ly.w.Rows
	e0, e1 := i0*width, i1*width
	z := w.z[l].Data[e0:e1]
	m.impl.ActDeriv(ly.act, w.d1[l][e0:e1], z)
	if deriv2 {
		deriv2From(m.impl, ly.act, w.d2[l][e0:e1], z, w.a[l+1].Data[e0:e1], w.d1[l][e0:e1], w.tmp[e0:e1])
	}
}

// actBackPoints is actBack on the rows of points i0..i1−1: the primal
// rows, then each tangent's in order, as actBack over all rows takes
// them.
func (m *Model) actBackPoints(w *work, l, i0, i1 int) {
	for b := range 1 + w.k {
		m.actBack(w, l, b*w.n+i0, b*w.n+i1)
	}
}

// traceRange is the trace shortcut's adjoint of the tangent rows of
// points i0..i1−1 through output layer l (tangent row r of block b of ā
// is ḡ[r][b]·W[b, :]), with, if fuse, layer l−1's actBack on the points'
// rows (the primal ones are written already) and its actFinish:
// traceBack where it applies, else the rows written out first. If gw has
// rows, traceBack also adds passTop's sums to it: a's tangent rows are
// kept a chunk at a time (tanChunked, which ensures that traceBack
// applies and that one range has all the points, so that each row of gw
// sums its rows in order).
func (m *Model) traceRange(w *work, l, i0, i1 int, fuse bool, gw f32.Matrix) {
	n, k := w.n, w.k
	ly := m.layers[l]
	g, gl := w.g[l+1], w.g[l]
	if fuse {
		m.actBack(w, l-1, i0, i1) // the primal rows
	}
	if fuse && !(l == 1 && w.basis) {
		v := scratch.Get(2 * repRows * ly.w.Cols)
		m.traceBack(w, l, i0, i1, *v, gw)
		scratch.Put(v)
	} else {
		for b := range k {
			wb := ly.w.Data[b*ly.w.Stride : b*ly.w.Stride+ly.w.Cols]
			for r := (1+b)*n + i0; r < (1+b)*n+i1; r++ {
				row := gl.Data[r*gl.Stride : r*gl.Stride+gl.Cols]
				copy(row, wb)
				m.impl.Scale(g.Data[r*g.Stride+b], row)
			}
			if fuse {
				m.actBack(w, l-1, (1+b)*n+i0, (1+b)*n+i1)
			}
		}
	}
	if fuse {
		m.actFinish(w, l-1, i0, i1)
	}
}

// traceBack is the tangent rows' share of the output layer l's adjoint
// under the trace shortcut followed by layer l−1's actBack on it, on the
// points i0..i1−1: tangent row r of block b of ā is v = ḡ[r][b]·W[b, :],
// so the row adds ż⊙v to the sum and gets σ'⊙v, without writing v out
// first and reading it back. v (in scratch) is computed again only when
// ḡ[r][b] changes (it is the same for every row of a block in ExactSM),
// and held repeated, so that the rows of a run with the same ḡ[r][b] go
// repRows per call. Each element is the same operations as actBack's on
// the written row. Layer l−1 must not be the first layer with basis
// tangents (whose ż is not stored). If gw has rows, each tangent row r of
// block b also adds ḡ[r][b]·a[r] to row b of gw, as passTop does, with
// a[r] = σ'⊙ż written again (as tangentRows computes it) to scratch.
func (m *Model) traceBack(w *work, l, i0, i1 int, scratch []float32, gw f32.Matrix) {
	n, k := w.n, w.k
	ly := m.layers[l]
	width := ly.w.Cols // layer l−1's outputs
	g, gl := w.g[l+1], w.g[l].Data
	zt, d1 := w.z[l-1].Data, w.d1[l-1]
	// v repeated repRows times (vs), so that a run of rows with the same
	// ḡ[r][b] takes repRows rows per call; at, repRows rows of a.
	vs, at := scratch[:repRows*width], scratch[repRows*width:2*repRows*width]
	v := vs[:width]
	for b := range k {
		wb := ly.w.Data[b*ly.w.Stride : b*ly.w.Stride+ly.w.Cols]
		var gwb []float32
		if gw.Rows > 0 {
			gwb = gw.Data[b*gw.Stride : b*gw.Stride+gw.Cols]
		}
		var c uint32
		for r, e := (1+b)*n+i0, (1+b)*n+i1; r < e; {
			cr := g.Data[r*g.Stride+b]
			if r == (1+b)*n+i0 || math.Float32bits(cr) != c {
				copy(v, wb)
				m.impl.Scale(cr, v)
				repeat(vs, v)
				c = math.Float32bits(cr)
			}
			// Rows r..r+q−1: those of up to repRows with this ḡ[r][b].
			q := 1
			for q < repRows && r+q < e && math.Float32bits(g.Data[(r+q)*g.Stride+b]) == c {
				q++
			}
			i := r - (1+b)*n
			sum := w.tmp[i*width : (i+q)*width]
			z := zt[r*width : (r+q)*width]
			di := d1[i*width : (i+q)*width]
			if gwb != nil {
				m.impl.Mul(at[:q*width], di, z)
				for j := range q {
					m.impl.Axpy(cr, at[j*width:(j+1)*width], gwb)
				}
			}
			if b == 0 {
				m.impl.Mul(sum, z, vs[:q*width])
			} else {
				m.impl.MulAdd(sum, z, vs[:q*width])
			}
			m.impl.Mul(gl[r*width:(r+q)*width], vs[:q*width], di)
			r += q
		}
	}
}
