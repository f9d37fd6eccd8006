package f32

import (
	"fmt"
	"sync"

	"github.com/scorekit/scorekit/internal/freelist"
	"github.com/scorekit/scorekit/kernel"
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C with the active kernels on
// one goroutine, where op(X) is X or, if its flag says so, Xᵀ. op(A) is
// M×K, op(B) is K×N and C is M×N; it panics if the shapes disagree. With
// beta = 0, C is only written, never read (NaNs in C do not propagate);
// with alpha = 0 or K = 0, A and B are not read (C = beta·C).
// C must not overlap A or B.
//
// The transposed forms are what backpropagation through a dense layer
// y = x·Wᵀ needs: dW = dYᵀ·X is Gemm(true, false, …, dY, X, …) and
// dX = dY·W is Gemm(false, false, …, dY, W, …).
//
// Each element of C is one chain of fused multiply-adds over K in order,
// starting from 0 or beta·C (the chain is stored and reloaded exactly
// between blocks of kc steps); an alpha other than 1 scales A as it is
// packed. The result does not depend on the blocking, the number of
// workers or the implementation: all give the same bits
// (TestGemmWorkersSame). Its error against the exact alpha·op(A)·op(B) +
// beta·C is at most (K+2)·2⁻²⁴·(|alpha|·Σₚ|AᵢₚBₚⱼ| + |beta·Cᵢⱼ|), checked
// by TestGemmReference.
func Gemm(transA, transB bool, alpha float32, a, b Matrix, beta float32, c Matrix) {
	GemmWith(kernel.Active(), 1, transA, transB, alpha, a, b, beta, c)
}

// GemmWith is [Gemm] with the kernels of impl, on up to workers
// goroutines (values below 1 mean 1; see [Dense.ForwardParallel] for the
// worker goroutines). Work is split by blocks of rows of C or, if C is no
// taller than wide, by panels of its columns, each worker packing its own
// columns of op(B); every element is computed the same way whatever the
// split: the result does not depend on workers. An untransposed B of
// stride at most 512 under a C of at most two row blocks (2·mc rows, see
// [kernel.Impl.GemmBlocking]; [InPlaceB] gives both), such as a weight
// gradient dYᵀ·X, is not packed: the microkernel reads its full panels in
// place ([kernel.Impl.GemmStripStrided]), the same bits.
func GemmWith(impl kernel.Impl, workers int, transA, transB bool, alpha float32, a, b Matrix, beta float32, c Matrix) {
	a.check("Gemm", "A")
	b.check("Gemm", "B")
	c.check("Gemm", "C")
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if transB {
		kb, n = n, kb
	}
	if k != kb || c.Rows != m || c.Cols != n {
		panic(fmt.Sprintf("f32: Gemm: shape mismatch: op(A) is %d×%d, op(B) is %d×%d, C is %d×%d", m, k, kb, n, c.Rows, c.Cols))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(beta, c)
		return
	}
	init := kernel.GemmLoad
	switch beta {
	case 0:
		init = kernel.GemmZero
	case 1:
	default:
		scaleMatrix(beta, c)
	}
	g := newGeometry(impl)
	if panels := g.panels(n); workers > 1 && m <= n && panels > 1 {
		// A product no taller than wide (a weight gradient ḡᵀ·a, summed
		// over a long K) is split by panels of columns: each worker packs
		// its own part of op(B) and streams only that, where a split by
		// rows would pack all of B on the caller and stream all of it on
		// every worker.
		if w := workersFor(workers, panels); w > 1 {
			call := getCall()
			call.blk = block{g: g, a: a, transA: transA, alpha: alpha, k: k, c: c, init: init, src: b, transB: transB}
			call.cols, call.n, call.unit = true, panels, 1
			call.run(w)
			return
		}
	}
	for j0 := 0; j0 < n; j0 += g.nc {
		nb := min(g.nc, n-j0)
		// Pack this slab of op(B), all of K, in kc-blocks of nr-panels (the
		// layout of Dense's weights), then run every row block over it;
		// reading B in place, pack only its narrow last panel.
		inB := g.readsB(transB, nb, m, b.Stride)
		pj, pn := g.packedCols(inB, j0, nb)
		npad := g.panels(pn) * g.nr
		var bufB *[]float32
		var bp []float32
		if npad > 0 {
			bufB = getBuf(k * npad)
			bp = *bufB
			for p0 := 0; p0 < k; p0 += g.kc {
				packB(g.nr, bp[p0*npad:], b, transB, p0, min(g.kc, k-p0), pj, pn)
			}
		}
		blk := block{
			g: g, a: a, transA: transA, alpha: alpha, k: k,
			b: bp, npad: npad, c: c, j0: j0, nb: nb, init: init,
			src: b, transB: transB, inB: inB,
		}
		blk.rows(workers, m)
		if bufB != nil {
			putBuf(bufB)
		}
	}
}

// readsB reports whether the microkernel reads the full panels of a slab
// of nb columns of op(B) in place, from B with its stride
// ([kernel.Impl.GemmStripStrided]), rather than packed: B not transposed
// (its rows are op(B)'s), at least one full panel, and where that pays.
// Packing costs a pass over B; read in place, its rows at a stride map to
// fewer cache sets and prefetch worse than packed panels, a cost paid
// each time a strip of mr rows of C streams B. So B is read in place for
// a C of at most 2·mc rows (two row blocks) and a stride of at
// most inPlaceStride floats. Measured on one goroutine (cpu time, M×N×K,
// dW = dYᵀ·X, N = B's stride): in place takes 12–16 % less time at
// 128×128×240 (the small net's weight gradients) and 128×128×1024 on
// avx2 and avx512, 5–24 % less at 64×512, 160×512 and 192×256 (a tie on
// avx2), but on avx2 7–19 % more at 256×256 to 256×2048 and 8 % more at
// 128×2048 (avx512: −6 % to a tie there).
func (g geometry) readsB(transB bool, nb, m, stride int) bool {
	return !transB && nb >= g.nr && m <= 2*g.mc && stride <= inPlaceStride
}

// inPlaceStride is the widest stride (floats) at which readsB reads B in
// place: 2 KB.
const inPlaceStride = 512

// InPlaceB returns the limits under which [GemmWith] with impl reads an
// untransposed B in place, not packing its full panels: C of at most
// rows rows and B's stride at most stride floats. A caller that splits a
// product into calls of at most rows rows (nn's adjoint products) keeps
// B unpacked.
func InPlaceB(impl kernel.Impl) (rows, stride int) {
	g := newGeometry(impl)
	return 2 * g.mc, inPlaceStride
}

// packedCols returns the columns of a slab (j0, nb columns) of op(B)
// that are packed: all of them, or, if B is read in place (inB), those of
// its narrow last panel (none if nb is a multiple of nr).
func (g geometry) packedCols(inB bool, j0, nb int) (pj, pn int) {
	if !inB {
		return j0, nb
	}
	full := nb / g.nr * g.nr
	return j0 + full, nb - full
}

// geometry is the tile and blocking of one implementation.
type geometry struct {
	impl           kernel.Impl
	mr, nr, mc, kc int
	nc             int
}

// ncMax bounds the columns of B packed at once: wider products go in
// slabs.
const ncMax = 1024

func newGeometry(impl kernel.Impl) geometry {
	mr, nr := impl.GemmTile()
	mc, kc := impl.GemmBlocking()
	return geometry{impl: impl, mr: mr, nr: nr, mc: mc, kc: kc, nc: ncMax / nr * nr}
}

func (g geometry) panels(n int) int { return (n + g.nr - 1) / g.nr }

// block is a slab of the product: the columns j0..j0+nb−1 of C, all its
// rows, all k steps of K, with B packed; rows runs it. B's kc-block
// starting at step p (of pb steps) is at b[p·npad + j0b·pb:], in panels
// of pb×nr (npad = 0 if the slab is one kc-block). If inB, op(B) is src
// itself, not transposed, whose full panels of the slab the microkernel
// reads in place; b then holds only its narrow last panel packed, if any
// (packedCols).
type block struct {
	g      geometry
	a      Matrix
	transA bool
	alpha  float32
	k      int
	b      []float32
	npad   int
	j0b    int
	c      Matrix
	j0, nb int
	init   kernel.GemmInit // for the first kc-block; the others accumulate
	bias   []float32       // for GemmBias: the columns j0.. of the bias

	// src and transB are op(B) unpacked, for runCols to pack its part
	// and, if inB, for run to read in place (rows p0.. of src are the
	// block's steps p0.. of K).
	src    Matrix
	transB bool
	inB    bool

	// epilogue: if set, the microkernel's epilogue sets y = act(c) on
	// each tile after its last kc-block (c is pre, or y itself).
	epilogue bool
	act      kernel.Activation
	y        Matrix
}

// rows runs the block over rows 0..m−1 of C on up to workers goroutines:
// the caller and as many of the package's helper goroutines as are free
// (see pool.go) take chunks of whole tiles in turn until none is left, so
// a helper that starts late, or never, only leaves more chunks to the
// others. Every row is computed the same way whoever runs it.
func (blk *block) rows(workers, m int) {
	workers = workersFor(workers, (m+blk.g.mr-1)/blk.g.mr)
	if workers == 1 {
		blk.run(0, m)
		return
	}
	c := getCall()
	c.blk = *blk
	c.n, c.unit = m, blk.g.mr
	c.run(workers)
}

// runCols computes the columns of C in nr-panels q0..q1−1 (at most ncMax
// columns), all rows, packing their part of op(B) (blk.src) into a buffer
// of its own: GemmWith's split by columns runs it on each worker's chunk
// of panels, so that the workers pack B side by side rather than the
// caller all of it first. If the chunk's columns of C fit in L2 (a
// weight gradient ḡᵀ·a, summed over a long K), it packs and runs one
// kc-block of K at a time, so that the buffer stays in cache and is a
// kc-block, not all of K; the chains continue exactly across kc-blocks
// either way.
func (blk *block) runCols(q0, q1 int) {
	g := blk.g
	j0 := q0 * g.nr
	nb := min(q1*g.nr, blk.c.Cols) - j0
	m := blk.c.Rows
	sub := *blk
	sub.j0, sub.nb = j0, nb
	sub.inB = g.readsB(blk.transB, nb, m, blk.src.Stride)
	pj, pn := g.packedCols(sub.inB, j0, nb)
	npad := g.panels(pn) * g.nr
	if m*(q1-q0)*g.nr > colsInCache {
		var buf *[]float32
		if npad > 0 {
			buf = getBuf(blk.k * npad)
			for p0 := 0; p0 < blk.k; p0 += g.kc {
				packB(g.nr, (*buf)[p0*npad:], blk.src, blk.transB, p0, min(g.kc, blk.k-p0), pj, pn)
			}
			sub.b = *buf
		}
		sub.npad = npad
		sub.run(0, m)
		if buf != nil {
			putBuf(buf)
		}
		return
	}
	var buf *[]float32
	if npad > 0 {
		buf = getBuf(min(g.kc, blk.k) * npad)
		sub.b = *buf
	}
	sub.npad = 0
	for p0 := 0; p0 < blk.k; p0 += g.kc {
		pb := min(g.kc, blk.k-p0)
		if npad > 0 {
			packB(g.nr, *buf, blk.src, blk.transB, p0, pb, pj, pn)
		}
		sub.a, sub.k = kBlock(blk.a, blk.transA, p0, pb), pb
		if sub.inB {
			sub.src = blk.src.Slice(p0, p0+pb)
		}
		if p0 > 0 {
			sub.init = kernel.GemmLoad
		}
		sub.run(0, m)
	}
	if buf != nil {
		putBuf(buf)
	}
}

// colsInCache is the most floats of C (rows × the chunk's columns) that
// runCols reloads for each kc-block rather than packing all of K first:
// 256 KB, a share of L2.
const colsInCache = 1 << 16

// kBlock returns the steps p0..p0+pb−1 of K of A as a matrix whose op is
// those columns of op(A): rows of a if trans, else columns.
func kBlock(a Matrix, trans bool, p0, pb int) Matrix {
	if trans {
		return a.Slice(p0, p0+pb)
	}
	return Matrix{Rows: a.Rows, Cols: pb, Stride: a.Stride, Data: a.Data[p0 : (a.Rows-1)*a.Stride+p0+pb]}
}

// run computes rows i0..i1−1 in blocks of mc rows. For each block and
// each kc-block of K: pack A's block (unless the microkernel can read A in
// place, transposed or not: alpha = 1), then for each strip of mr rows its
// nr-column tiles (one kernel.Impl.GemmStrip call; with B in place, one
// GemmStripStrided call over its full panels and, if there is one, a
// GemmStrip call over its packed narrow last panel), the last kc-block's
// with the activation in the microkernel's epilogue. The block of C stays
// in L2 across the kc-blocks.
func (blk *block) run(i0, i1 int) {
	g := blk.g
	inPlace := blk.alpha == 1 // else A is packed, scaled by alpha
	var pa []float32
	if !inPlace {
		bufA := getBuf(g.mc * min(g.kc, blk.k))
		defer putBuf(bufA)
		pa = *bufA
	}
	ldc := blk.c.Stride
	for ib := i0; ib < i1; ib += g.mc {
		mb := min(g.mc, i1-ib)
		init := blk.init
		for p0 := 0; p0 < blk.k; p0 += g.kc {
			pb := min(g.kc, blk.k-p0)
			last := p0+pb == blk.k
			bb := blk.b[p0*blk.npad+blk.j0b*pb:]
			if !inPlace {
				packA(g.mr, pa, blk.a, blk.transA, blk.alpha, ib, mb, p0, pb)
			}
			// Reading A in place, strips of balanced heights (16 rows with
			// mr = 12 are 8 + 8, not 12 + 4): a short strip has too few
			// accumulators to keep the FMA pipes busy. Packed A comes in
			// panels of mr rows.
			strips := (mb + g.mr - 1) / g.mr
			for s, ir := 0, 0; s < strips; s++ {
				m := min(g.mr, mb-ir)
				if inPlace {
					m = mb / strips
					if s < mb%strips {
						m++
					}
				}
				var ap []float32
				var rs, ps int
				switch {
				case inPlace && blk.transA:
					// op(A)(i, p) = a(p, i): rows of op(A) run along a's rows.
					ap, rs, ps = blk.a.Data[p0*blk.a.Stride+ib+ir:], 1, blk.a.Stride
				case inPlace:
					ap, rs, ps = blk.a.Data[(ib+ir)*blk.a.Stride+p0:], blk.a.Stride, 1
				default:
					ap, rs, ps = pa[ir*pb:], 1, g.mr
				}
				// The strip's tiles, one call: the microkernel moves from
				// panel to panel itself. With B in place, the full panels
				// in one call and its packed narrow last panel in another.
				var bias, y []float32
				if init == kernel.GemmBias {
					bias = blk.bias[:blk.nb]
				}
				act, ldy := kernel.Identity, 0
				if blk.epilogue && last {
					act, ldy = blk.act, blk.y.Stride
					y = blk.y.Data[(ib+ir)*ldy+blk.j0:]
				}
				c := blk.c.Data[(ib+ir)*ldc+blk.j0:]
				full := 0
				if blk.inB {
					full = blk.nb / g.nr * g.nr
					src := blk.src
					g.impl.GemmStripStrided(m, full, pb, ap, rs, ps, src.Data[p0*src.Stride+blk.j0:], src.Stride, g.nr, c, ldc, init, bias, act, y, ldy)
				}
				if full < blk.nb {
					if bias != nil {
						bias = bias[full:]
					}
					if y != nil {
						y = y[full:]
					}
					g.impl.GemmStrip(m, blk.nb-full, pb, ap, rs, ps, bb, c[full:], ldc, init, bias, act, y, ldy)
				}
				ir += m
			}
			init = kernel.GemmLoad
		}
	}
}

// packA packs alpha·op(A)[i0:i0+mb, p0:p0+pb] into panels of mr rows:
// panel t holds, for each p, the mr values of rows t·mr.. (zero past mb).
func packA(mr int, dst []float32, a Matrix, trans bool, alpha float32, i0, mb, p0, pb int) {
	for t := 0; t < mb; t += mr {
		panel := dst[t*pb : (t+mr)*pb]
		rows := min(mr, mb-t)
		if trans {
			// op(A)(i, p) = a(p, i): row p of a holds the mr values.
			for p := range pb {
				src := a.Data[(p0+p)*a.Stride+i0+t:]
				src = src[:rows]
				d := panel[p*mr : p*mr+mr]
				for r, v := range src {
					d[r] = alpha * v
				}
				clear(d[rows:])
			}
			continue
		}
		for r := range rows {
			src := a.Data[(i0+t+r)*a.Stride+p0 : (i0+t+r)*a.Stride+p0+pb]
			d := panel[r:]
			for p, v := range src {
				d[p*mr] = alpha * v
			}
		}
		for r := rows; r < mr; r++ {
			for p := range pb {
				panel[p*mr+r] = 0
			}
		}
	}
}

// packB packs op(B)[p0:p0+pb, j0:j0+nb] into panels of nr columns: panel
// q holds, for each p, the nr values of columns q·nr.. (zero past nb).
func packB(nr int, dst []float32, b Matrix, trans bool, p0, pb, j0, nb int) {
	for q := 0; q < nb; q += nr {
		panel := dst[q*pb : (q+nr)*pb]
		cols := min(nr, nb-q)
		if trans {
			// op(B)(p, j) = b(j, p): the panel is the transpose of cols
			// rows of b (a data move: the same bits on every
			// implementation, so the active one does it).
			kernel.Transpose(cols, pb, b.Data[(j0+q)*b.Stride+p0:], b.Stride, panel, nr)
			if cols < nr {
				for p := range pb {
					clear(panel[p*nr+cols : (p+1)*nr])
				}
			}
			continue
		}
		for p := range pb {
			d := panel[p*nr : p*nr+nr]
			copy(d, b.Data[(p0+p)*b.Stride+j0+q:(p0+p)*b.Stride+j0+q+cols])
			clear(d[cols:])
		}
	}
}

// scaleMatrix sets C = beta·C; beta = 0 writes zeros whatever C held.
func scaleMatrix(beta float32, c Matrix) {
	for i := range c.Rows {
		row := c.Row(i)
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// bufs recycles the packing buffers of GemmWith and of a narrow layer's
// Forward, so that a steady workload allocates nothing, collections or
// not (see package internal/freelist). Buffers of more than maxKeep
// floats go to bigBufs instead, a sync.Pool that the collector may empty,
// so that one huge product does not hold its memory for good.
var bufs freelist.Slices[float32]

// maxKeep is the largest buffer bufs keeps, in floats (16 MB).
const maxKeep = 1 << 22

var bigBufs sync.Pool

func getBuf(n int) *[]float32 {
	if n <= maxKeep {
		return bufs.Get(n)
	}
	if p, ok := bigBufs.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n)
	return &s
}

func putBuf(p *[]float32) {
	if cap(*p) > maxKeep {
		bigBufs.Put(p)
		return
	}
	bufs.Put(p)
}
