package kernel

import (
	"fmt"
	"unsafe"
)

//go:generate go run ../gen/amd64/gemm -out ../asm/gemm_amd64.s -stubs ../asm/gemm_amd64.go -pkg asm

// GemmInit says where a GEMM microkernel's accumulators start.
type GemmInit uint8

// The starting values of a microkernel's accumulators.
const (
	GemmZero GemmInit = iota // 0: C is only written
	GemmLoad                 // the tile of C: accumulate into it
	GemmBias                 // bias[j], the same in every row of the tile
)

// gemmShape is one implementation's microkernel tile (mr×nr) and the
// cache blocking its driver uses: packed blocks of mc rows of A by kc
// steps of K (in L2), micro-panels of kc×nr of B and mr×kc of A (in L1).
type gemmShape struct {
	mr, nr int
	mc, kc int
}

// maxMR and maxNR bound every implementation's tile, for edge buffers.
const (
	maxMR = 16
	maxNR = 32
)

var gemmGenericShape = gemmShape{mr: 4, nr: 8, mc: 64, kc: 256}

// gemmShapes holds each available implementation's shape (nil for the
// others); an available implementation without one is a programming error
// that stops the package's initialisation.
var gemmShapes = gemmShapeTable()

func gemmShapeTable() [numImpls]*gemmShape {
	t := gemmArch()
	t[Generic] = &gemmGenericShape
	for i := Generic + 1; i < numImpls; i++ {
		switch {
		case !available[i]:
			t[i] = nil
		case t[i] == nil:
			panic(noAsm("gemmShapeTable", i))
		}
	}
	return t
}

// gemmPipe is the AVX-512 microkernel's pipe argument: 1 (set at init on
// AMD cores) to run a full tile's activation inside the next tile's
// k-loop, 0 to run it after the tile. The same bits either way; the
// tests run both.
var gemmPipe int

// GemmPipelined reports whether the AVX-512 microkernel applies a full
// tile's activation inside the next tile's k-loop, so that its operations
// issue beside the multiply-adds (chosen on AMD cores, whose four
// floating-point pipes leave room for them: measured on the Zen 5),
// rather than after the tile (elsewhere: on an Intel Xeon the pipelined
// form made a 1024×256×256 layer with SiLU 12.7 % slower, its 512-bit
// operations sharing the multiply-adds' two ports). The results are the
// same bits either way. It is false where there is no AVX-512 assembly.
// BenchmarkGemmEpilogue (go test ./kernel -bench GemmEpilogue) times both
// on the machine at hand.
func GemmPipelined() bool { return gemmPipe != 0 && AVX512.Available() }

// CPUVendor returns the CPU's vendor string (CPUID leaf 0, such as
// "GenuineIntel" or "AuthenticAMD") where the amd64 assembly is built,
// and "" elsewhere.
func CPUVendor() string { return cpuVendor() }

// GemmTile returns the tile of i's GEMM microkernel: mr rows by nr columns.
// It is also the panel width of the packed operands of [Impl.GemmMicro]
// and [Impl.MatVec].
func (i Impl) GemmTile() (mr, nr int) {
	i.must("GemmTile")
	s := gemmShapes[i]
	return s.mr, s.nr
}

// GemmBlocking returns the cache blocking a GEMM driver should use with
// i: packed blocks of mc rows of A (a multiple of mr) by kc steps of K.
func (i Impl) GemmBlocking() (mc, kc int) {
	i.must("GemmBlocking")
	s := gemmShapes[i]
	return s.mc, s.kc
}

// GemmMicro computes one m×n tile (m ≤ mr, n ≤ nr, from [Impl.GemmTile])
// of C = init + A·B with i's microkernel, over k steps. A[r][p] is
// a[r·rs+p·ps]: a packed panel (rs = 1, ps = mr) or a row-major matrix read
// in place (rs = its stride, ps = 1); only rows r < m are read. b holds B
// packed as k rows of nr values (b[p·nr+j] is B[p][j], columns past n
// ignored). C's tile is c[r·ldc+j] for r < m, j < n; no other element of c
// is read or written. init says where the accumulators start: 0, the tile
// of C, or bias[j] (len(bias) ≥ n).
//
//	for r < m, j < n {
//		s := init(r, j)
//		for p := range k { s = fma(a[r*rs+p*ps], b[p*nr+j], s) }
//		c[r*ldc+j] = s
//	}
//
// Every implementation does this sequence of correctly rounded fused
// multiply-adds, so all agree to the bit (TestGemmMicroSameAsGeneric).
// Against the exact sum, the error is at most (k+1)·2⁻²⁴·(|init| +
// Σₚ|a·b|) (TestGemmMicro).
func (i Impl) GemmMicro(m, n, k int, a []float32, rs, ps int, b, c []float32, ldc int, init GemmInit, bias []float32) {
	i.gemmMicro("GemmMicro", m, n, k, a, rs, ps, b, c, ldc, init, bias, Identity, nil, 0)
}

// GemmMicroAct is [Impl.GemmMicro] with the activation in its epilogue:
// after C's tile is written, the same call sets y[r·ldy+j] = act(c[r·ldc+j])
// for r < m, j < n, by the operation sequence of [Impl.Act] (the same
// bits, the same error bound), while the tile is in registers or L1. y is
// either c itself (the same first element and ldy = ldc: the activation
// replaces the pre-activation) or memory that does not overlap C's tile
// (it panics otherwise); no other element of y is read or written. With
// act = Identity, y is a copy of C's tile, or, if y is nil or c, untouched.
func (i Impl) GemmMicroAct(m, n, k int, a []float32, rs, ps int, b, c []float32, ldc int, init GemmInit, bias []float32, act Activation, y []float32, ldy int) {
	i.gemmMicro("GemmMicroAct", m, n, k, a, rs, ps, b, c, ldc, init, bias, act, y, ldy)
}

// GemmStrip is [Impl.GemmMicroAct] over a strip of tiles side by side: the
// m×n block of C (m ≤ mr, any n ≥ 1) from the ⌈n/nr⌉ packed panels of b,
// panel q at b[q·k·nr:] (k rows of nr values; the last panel's columns past
// n are ignored), tile q starting from bias[q·nr:] (GemmBias); y as for
// GemmMicroAct, over the whole m×n strip. The full-width tiles run in one
// call into the microkernel, which moves from panel to panel itself; the
// result is that of GemmMicroAct on each tile, to the bit. It is
// [Impl.GemmStripStrided] with ldb = nr and qs = k·nr, on a b of at least
// ⌈n/nr⌉·k·nr values.
func (i Impl) GemmStrip(m, n, k int, a []float32, rs, ps int, b, c []float32, ldc int, init GemmInit, bias []float32, act Activation, y []float32, ldy int) {
	i.must("GemmStrip")
	nr := gemmShapes[i].nr
	i.strip("GemmStrip", m, n, k, a, rs, ps, b, nr, k*nr, true, c, ldc, init, bias, act, y, ldy)
}

// GemmStripStrided is [Impl.GemmStrip] with B's layout as parameters, so
// that a driver can read B where it lies rather than pack it: B[p][j],
// for column j of panel q = j/nr, is b[q·qs + p·ldb + j−q·nr]. Packed
// panels are ldb = nr, qs = k·nr (GemmStrip); a row-major k×n matrix read
// in place is ldb = its stride, qs = nr. b must hold the k rows of every
// panel up to column n (it panics otherwise):
//
//	for r < m, j < n {
//		q := j / nr
//		s := init(r, j)
//		for p := range k { s = fma(a[r*rs+p*ps], b[q*qs+p*ldb+j-q*nr], s) }
//		c[r*ldc+j] = s
//	}
//
// then y as for GemmStrip. The result is that of GemmStrip on B packed,
// to the bit. A narrow last tile (n not a multiple of nr) reads its rows
// of B nr wide, ignoring the columns past n, where they lie within b (as
// packed panels do); where they do not (a matrix read in place), it runs
// the portable kernel instead: the same bits, but slower, so a driver
// packs such a panel and passes it to GemmStrip.
func (i Impl) GemmStripStrided(m, n, k int, a []float32, rs, ps int, b []float32, ldb, qs int, c []float32, ldc int, init GemmInit, bias []float32, act Activation, y []float32, ldy int) {
	i.strip("GemmStripStrided", m, n, k, a, rs, ps, b, ldb, qs, false, c, ldc, init, bias, act, y, ldy)
}

// strip runs GemmStrip (packed: ldb = nr, qs = k·nr, b holding whole
// panels) or GemmStripStrided, under name.
func (i Impl) strip(name string, m, n, k int, a []float32, rs, ps int, b []float32, ldb, qs int, packed bool, c []float32, ldc int, init GemmInit, bias []float32, act Activation, y []float32, ldy int) {
	i.must(name)
	s := gemmShapes[i]
	np := (n-1)/s.nr + 1 // ⌈n/nr⌉ for n ≥ 1 (checkTiles panics otherwise); n+nr−1 could wrap
	y = i.checkTiles(name, m, n, np, k, a, rs, ps, b, ldb, qs, packed, c, ldc, init, bias, act, y, ldy)
	q := 0
	if full := n / s.nr; full > 0 && i != Generic {
		var biasp, yp *float32
		if init == GemmBias {
			biasp = &bias[0]
		}
		epi := Identity
		if act != Identity {
			yp, epi = &y[0], act
		}
		gemmMicroArch(i, k, m, unsafe.SliceData(a), rs, ps, unsafe.SliceData(b), ldb, qs, &c[0], ldc, biasp, init, yp, ldy, epi, full)
		if act == Identity {
			actTile(i, Identity, m, full*s.nr, c, ldc, y, ldy)
		}
		q = full
	}
	for ; q < np; q++ {
		j := q * s.nr
		var bq, yq []float32
		if init == GemmBias {
			bq = bias[j:]
		}
		if y != nil {
			yq = y[j:]
		}
		w := min(s.nr, n-j)
		// The panel's rows, nr wide if they lie within b (always when
		// packed: checkTiles took whole panels).
		wide := packed || k == 0 || w == s.nr || fits2(len(b), q, qs, k-1, ldb, s.nr)
		bp := b
		if k > 0 {
			bp = b[q*qs:]
		}
		i.tile(m, w, k, a, rs, ps, bp, ldb, wide, c[j:], ldc, init, bq, act, yq, ldy)
	}
}

// checkTiles panics, naming the kernel name, unless the arguments describe
// m rows of n columns of C over np panels of k steps of B laid out as
// ldb and qs say (see [Impl.GemmStripStrided]; packed: whole panels of
// k·nr values, as [Impl.GemmStrip] takes them), with y nil (act =
// Identity only), c itself (ldy = ldc) or memory apart from C's rows. It
// returns y, or nil if y is c and act is Identity (nothing to do).
func (i Impl) checkTiles(name string, m, n, np, k int, a []float32, rs, ps int, b []float32, ldb, qs int, packed bool, c []float32, ldc int, init GemmInit, bias []float32, act Activation, y []float32, ldy int) []float32 {
	i.must(name)
	act.must(name)
	s := gemmShapes[i]
	// bl is B's layout in the messages, where it is a parameter.
	bl := func() string {
		if packed {
			return ""
		}
		return fmt.Sprintf(" ldb=%d qs=%d", ldb, qs)
	}
	// (Packed, qs = k·nr may have wrapped for a huge k: the length check
	// below refuses that k.)
	if m < 1 || m > s.mr || n < 1 || k < 0 || ldc < n || rs < 0 || ps < 0 || !packed && (ldb < 0 || qs < 0) || init > GemmBias {
		panic(fmt.Sprintf("kernel: %s(%v): bad tile m=%d n=%d k=%d rs=%d ps=%d%s ldc=%d init=%d for a %d×%d kernel", name, i, m, n, k, rs, ps, bl(), ldc, init, s.mr, s.nr))
	}
	// The extents are computed exactly (fits, fits2): in int arithmetic
	// a stride or k large enough to wrap them would pass with a short
	// slice. C comes first: once it fits, n ≤ len(c), so np·nr < n + nr
	// cannot wrap.
	if !fits(len(c), m-1, ldc, n) || !i.fitsB(len(b), np, n, k, ldb, qs, packed) || k > 0 && !fits2(len(a), m-1, rs, k-1, ps, 1) || init == GemmBias && len(bias) < n {
		panicLen(fmt.Sprintf("%s(%v, m=%d n=%d k=%d rs=%d ps=%d%s ldc=%d init=%d)", name, i, m, n, k, rs, ps, bl(), ldc, init), "len(a), len(b), len(c), len(bias)", len(a), len(b), len(c), len(bias))
	}
	if y == nil {
		if act != Identity {
			panic(fmt.Sprintf("kernel: %s(%v): y is nil but the activation is %v", name, i, act))
		}
		return nil
	}
	if ldy < n {
		panic(fmt.Sprintf("kernel: %s(%v): bad ldy=%d for n=%d", name, i, ldy, n))
	}
	if !fits(len(y), m-1, ldy, n) {
		panicLen(fmt.Sprintf("%s(%v, m=%d n=%d ldy=%d)", name, i, m, n, ldy), "len(y)", len(y))
	}
	if &y[0] == &c[0] {
		if ldy != ldc {
			panic(fmt.Sprintf("kernel: %s(%v): y is c with ldy=%d ≠ ldc=%d", name, i, ldy, ldc))
		}
		if act == Identity {
			return nil
		}
		return y
	}
	if overlap(c[:(m-1)*ldc+n], y[:(m-1)*ldy+n]) {
		panic(fmt.Sprintf("kernel: %s(%v): y overlaps C's tile without being it (m=%d n=%d ldc=%d ldy=%d)", name, i, m, n, ldc, ldy))
	}
	return y
}

// fitsB reports whether a b of length lb holds B's np panels of k rows up
// to column n (n ≥ 1, np = ⌈n/nr⌉ < lc/nr + 1 for the length lc of a
// slice, k, ldb, qs ≥ 0): packed, np whole panels of k·nr values; else
// the k rows of the last panel to column n and, if it is narrow, of the
// one before it (whose rows end further on if qs < nr).
func (i Impl) fitsB(lb, np, n, k, ldb, qs int, packed bool) bool {
	nr := gemmShapes[i].nr
	if packed {
		return fits(lb, np*nr, k, 0)
	}
	if k == 0 {
		return true
	}
	w := n - (np-1)*nr // the last panel's columns, 1..nr
	return fits2(lb, np-1, qs, k-1, ldb, w) && (w == nr || np < 2 || fits2(lb, np-2, qs, k-1, ldb, nr))
}

// overlap reports whether the memory of x and y intersects.
func overlap(x, y []float32) bool {
	if len(x) == 0 || len(y) == 0 {
		return false
	}
	x0, y0 := uintptr(unsafe.Pointer(&x[0])), uintptr(unsafe.Pointer(&y[0]))
	return x0 < y0+4*uintptr(len(y)) && y0 < x0+4*uintptr(len(x))
}

func (i Impl) gemmMicro(name string, m, n, k int, a []float32, rs, ps int, b, c []float32, ldc int, init GemmInit, bias []float32, act Activation, y []float32, ldy int) {
	i.must(name)
	nr := gemmShapes[i].nr
	if n > nr {
		panic(fmt.Sprintf("kernel: %s(%v): bad tile n=%d for a %d-column kernel", name, i, n, nr))
	}
	y = i.checkTiles(name, m, n, 1, k, a, rs, ps, b, nr, k*nr, true, c, ldc, init, bias, act, y, ldy)
	i.tile(m, n, k, a, rs, ps, b, nr, true, c, ldc, init, bias, act, y, ldy)
}

// tile runs one checked tile of GemmMicroAct (y nil: none), B's rows ldb
// apart; wide says they can be read nr values wide within b (else a
// narrow tile runs the portable kernel, which reads n).
func (i Impl) tile(m, n, k int, a []float32, rs, ps int, b []float32, ldb int, wide bool, c []float32, ldc int, init GemmInit, bias []float32, act Activation, y []float32, ldy int) {
	s := gemmShapes[i]
	if i == Generic || !wide {
		gemmMicroGeneric(m, n, k, a, rs, ps, b, ldb, c, ldc, init, bias)
		actTile(i, act, m, n, c, ldc, y, ldy)
		return
	}
	ap, bp := unsafe.SliceData(a), unsafe.SliceData(b)
	if n == s.nr {
		// The kernel has a code path for each row count; its epilogue
		// applies the activation.
		var biasp *float32
		if init == GemmBias {
			biasp = &bias[0]
		}
		if act == Identity || y == nil {
			gemmMicroArch(i, k, m, ap, rs, ps, bp, ldb, 0, &c[0], ldc, biasp, init, nil, 0, Identity, 1)
			actTile(i, Identity, m, n, c, ldc, y, ldy)
			return
		}
		gemmMicroArch(i, k, m, ap, rs, ps, bp, ldb, 0, &c[0], ldc, biasp, init, &y[0], ldy, act, 1)
		return
	}
	// Narrow edge tile: run the kernel on a buffer, copy the m×n corner,
	// then the activation.
	var tile [maxMR * maxNR]float32
	var bb [maxNR]float32
	if init == GemmLoad {
		for r := range m {
			copy(tile[r*s.nr:r*s.nr+n], c[r*ldc:r*ldc+n])
		}
	}
	if init == GemmBias {
		copy(bb[:n], bias)
	}
	gemmMicroArch(i, k, m, ap, rs, ps, bp, ldb, 0, &tile[0], s.nr, &bb[0], init, nil, 0, Identity, 1)
	for r := range m {
		copy(c[r*ldc:r*ldc+n], tile[r*s.nr:r*s.nr+n])
	}
	actTile(i, act, m, n, c, ldc, y, ldy)
}

// actTile sets y = act(c) on an m×n tile with i's elementwise kernels;
// for Identity it copies c to y, if y is not nil.
func actTile(i Impl, act Activation, m, n int, c []float32, ldc int, y []float32, ldy int) {
	if y == nil {
		return
	}
	for r := range m {
		if act == Identity {
			copy(y[r*ldy:r*ldy+n], c[r*ldc:r*ldc+n])
			continue
		}
		actImpl(i, act, y[r*ldy:r*ldy+n], c[r*ldc:r*ldc+n])
	}
}

// gemmMicroGeneric is the portable microkernel on one tile, B's rows ldb
// apart: it reads n values of each.
func gemmMicroGeneric(m, n, k int, a []float32, rs, ps int, b []float32, ldb int, c []float32, ldc int, init GemmInit, bias []float32) {
	// The row's n chains advance together, one step of K at a time: the
	// same chains as one after the other, but independent of each other
	// within a step, so fma32's latency overlaps across them (fmaAxpy: one step).
	var acc [maxNR]float32
	for r := range m {
		row := c[r*ldc : r*ldc+n]
		s := acc[:n]
		switch init {
		case GemmLoad:
			copy(s, row)
		case GemmBias:
			copy(s, bias[:n])
		default:
			clear(s)
		}
		for p := range k {
			av := a[r*rs+p*ps]
			bp := b[p*ldb : p*ldb+n]
			fmaAxpy(av, bp, s)
		}
		copy(row, s)
	}
}
