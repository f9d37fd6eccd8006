// Command narrow generates the fused narrow dense-layer kernels of package
// kernel (kernel/narrow.go) into package asm: z = bias + x·Wᵀ for a layer
// with few outputs, vectorised over the rows of x. Run by go generate in
// kernel.
//
// A vector holds one output of 4·nl consecutive rows (nl 128-bit lanes:
// 16 rows on AVX-512, 8 on AVX2), so every lane runs the chain
// s = fma(x[r][p], w[j][p], s) over p in order, as the other dense paths
// do, and no horizontal sum is needed. The columns of x come from a
// transpose done by the loads: for four steps of K, register t[i] gets, in
// lane L, the four values x[4L+i][p..p+3] (a 128-bit load and nl−1
// 128-bit inserts from memory), and the 4×4 transposes within the lanes
// (vec.Transpose4, eight shuffles) leave in register c the column
// x[0..4nl−1][p+c], in order of p. Each column is multiplied by the
// broadcast w[j][p+c] of every output j (AVX-512: an embedded-broadcast
// operand; AVX2: VBROADCASTSS).
//
// With few outputs, several groups of rows run at once so that several
// accumulator chains are in flight (groups, below), n·groups(n) of them.
// n = 1 takes 4 groups, not 8: with k = 128 (rows 512 bytes apart) the
// 128 rows of 8 groups fall into 8 sets of the 12-way L1 and evicted each
// other (likely); 4 groups ran n = 1 about 1.6× as fast at k = 128
// (AVX-512; 1.1× AVX2), 1–4 % slower at k = 100.
//
// The code is kept small (it was 640 KB fully unrolled per n) by sharing
// what does not need to be per n, so only the k loops are:
//   - The output counts come in classes (isa.main, isa.part): n ≤ 4, and
//     n = 8 on AVX-512, each have their own loop; the others share one per
//     class, with hi accumulators per group, and every k step jumps by n
//     into a run of the multiply-adds of outputs hi−1, …, 0 that falls
//     through (outputs past n are skipped, and their accumulators never
//     stored). A binary search on n picks the class for each block.
//   - The k tail of 1–3 steps runs the same loop body once more, over
//     copies: the block's rows' last k mod 4 columns in xbuf padded with
//     −0, w's in wbuf padded with +0, so that the padding adds
//     fma(−0, +0, s) = s exactly, for every s (a zero column would change
//     −0 and carry NaN and Inf from w, and reading past k could fault).
//   - The rows left over after the whole blocks go one group at a time
//     through a second loop that reads rows through a table of pointers
//     in which rows past the end repeat the last row, and stores only the
//     rows that exist; for n ≤ 4 it shares the first group's accumulators
//     and store with the class's main loop.
//   - The output is transposed back the same way: 4×4 transposes of four
//     outputs' accumulators leave in lane L of register c the four outputs
//     4h..4h+3 of row 4L+c, stored as 128-bit pieces (the last n mod 4
//     outputs under a mask, or as 64- and 32-bit stores on AVX2), lane 0
//     of the four registers, then their lanes rotated down one. A class of
//     one n stores from its registers, group by group, moving the next
//     group's accumulators down; the others store their accumulators to
//     the frame and one store shared by all n reads them back.
//
// The loops are aligned to 64 bytes, and what they read from the frame
// (wtab, xtab, rew) is at short offsets from SP, as in the unrolled code.
//
// On Zen 5 (go test -bench DenseNarrow ./kernel) the transpose costs
// about 45 cycles per 16×16 block of x, the speed of Transpose16AVX512
// alone (its 12 inserts and 8 shuffles per four steps of a group share
// two pipes), so with n ≤ 4 the kernel runs at the speed of that
// transpose, and with n = 16 at 70–75 % of the FMA peak (the shuffles
// take some of an FMA pipe). Issuing the multiply-adds column by column
// instead of output by output, and merge-masked VBROADCASTF32X4 loads
// instead of VINSERTF32X4 from memory, measured no faster.
package main

import (
	"fmt"
	"slices"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/vec"
)

// isa is one instruction set's kernel shape.
type isa struct {
	v    *vec.ISA
	nl   int           // 128-bit lanes per vector: rows per group = 4·nl
	maxN int           // outputs per call
	grp  func(int) int // row groups per block for n outputs
	// main and part list the output counts that share one body: a
	// range lo..hi has hi accumulators per group, those of outputs lo..hi−1
	// used only if n is past them. The speed of n ≤ 4 (a score
	// network's last layer) matters most: each has its own.
	main, part [][2]int
}

var isas = []isa{
	// AVX2: 16 ymm. A group's transpose needs up to six registers, so
	// n·groups ≤ 9. n = 1 in 4 groups: see the package comment.
	{v: vec.AVX2, nl: 2, maxN: 8, grp: func(n int) int {
		if n <= 4 {
			return []int{0, 4, 4, 3, 2}[n]
		}
		return 1
	}, main: [][2]int{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 8}}, part: [][2]int{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 8}}},
	// AVX-512: 32 zmm; n·groups ≤ 16. n = 1 in 4 groups: see the
	// package comment.
	{v: vec.AVX512, nl: 4, maxN: 16, grp: func(n int) int {
		switch {
		case n <= 2:
			return 4
		case n == 3:
			return 3
		case n < 8:
			return 2
		}
		return 1
	}, main: [][2]int{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 7}, {8, 8}, {9, 16}}, part: [][2]int{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 16}}},
}

// class returns the range of cs that holds n.
func class(cs [][2]int, n int) [2]int {
	for _, c := range cs {
		if c[0] <= n && n <= c[1] {
			return c
		}
	}
	panic(fmt.Sprint("no class for ", n))
}

// maxG and maxGN are the most groups per block and accumulators
// (outputs × groups) of any n.
func (s isa) maxG() (g, gn int) {
	for n := 1; n <= s.maxN; n++ {
		g, gn = max(g, s.grp(n)), max(gn, n*s.grp(n))
	}
	return
}

const sig = "func(m, n, k int, x *float32, ldx int, w *float32, ldw int, bias, z *float32, ldz int)"

// laneMask holds four −1 then eight 0 dwords: the 128-bit mask of the
// first c ≤ 4 lanes starts 4−c dwords in. kMask holds the 16-bit masks
// (1<<c)−1, c = 0..4.
var laneMask, kMask Mem

func main() {
	ConstraintExpr("gc,!purego")
	laneMask = GLOBL("narrow_lanes", RODATA|NOPTR)
	for i := range 12 {
		v := uint32(0)
		if i < 4 {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}
	kMask = GLOBL("narrow_kmask", RODATA|NOPTR)
	for c := range 5 {
		DATA(2*c, U16(uint16(1<<c-1)))
	}
	groups := make([]Mem, len(isas))
	for i, s := range isas {
		groups[i] = GLOBL("narrow_groups_"+s.v.Name, RODATA|NOPTR)
		for n := 0; n <= s.maxN; n++ {
			g := 0
			if n > 0 {
				g = s.grp(n)
			}
			DATA(8*n, U64(uint64(g)))
		}
	}
	for i, s := range isas {
		narrow(s, groups[i])
	}
	Generate()
}

// frame is a kernel's locals.
type frame struct {
	acc   Mem // the accumulators of a block (classes of several n), from a 64-byte boundary: group gi's output j at (gi·n+j)·vector, then 3 vectors of slack
	xbuf  Mem // k tail: the last k mod 4 columns of a block's rows, 16 bytes a row, padded with −0
	wbuf  Mem // k tail: the last k mod 4 columns of w's rows, 16 bytes a row, padded with +0
	wtab  Mem // n pointers read by the k loop: wtabO's, or wtabT's during the k tail
	wtabO Mem // n pointers: w's row j at wtabO+8j, kept
	wtabT Mem // k tail: wbuf+16j−offT, read at the same offset as w's row j
	xtab  Mem // 4·nl pointers to the rows of the group being read (partial path), or xtabT's for the k tail
	xtabT Mem // k tail: xbuf+16r−offT, the partial path's xtab for the tail
	left  Mem // rows not yet done
	x0    Mem // x's next row
	z0    Mem // z's next row
	valid Mem // rows of the block to store
	ngr   Mem // groups of the block
	grows Mem // rows of a whole block: groups(n)·4·nl
	rew   Mem // main path: bytes from the last group's rows back to the first's, less 16
	kt    Mem // k mod 4
	offT  Mem // bytes from a row's start to its k tail: 4·(k − k mod 4)
}

func narrow(s isa, groups Mem) {
	name := "DenseNarrow" + s.v.Name
	rows, vb := 4*s.nl, s.v.Bytes()
	l := func(x string) string { return name + x }
	// Not NOSPLIT: the frame (mostly the k tail's copy of x) is past
	// the nosplit limit.
	TEXT(name, 0, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets z[r·ldz+j] = bias[j] + Σₚ x[r·ldx+p]·w[j·ldw+p] for r < m, j < n,", name),
		fmt.Sprintf("one FMA per p in order (1 ≤ n ≤ %d, k ≥ 1, m ≥ 1; bias is not nil), %d rows per vector;", s.maxN, rows),
		"strides are in elements, and nothing outside the m×k, n×k and m×n matrices is read or written.")
	mg, mgn := s.maxG()
	// What the k loops read comes first, at short offsets from SP.
	f := frame{
		wtab: AllocLocal(8 * s.maxN), xtab: AllocLocal(8 * rows),
		left: AllocLocal(8), x0: AllocLocal(8), z0: AllocLocal(8), valid: AllocLocal(8), rew: AllocLocal(8),
		ngr: AllocLocal(8), grows: AllocLocal(8), kt: AllocLocal(8), offT: AllocLocal(8),
		wtabO: AllocLocal(8 * s.maxN), wtabT: AllocLocal(8 * s.maxN), xtabT: AllocLocal(8 * rows),
		acc: AllocLocal((mgn+3)*vb + 64), xbuf: AllocLocal(16 * mg * rows), wbuf: AllocLocal(16 * s.maxN),
	}
	setup(s, f, l, groups)

	Label(l("_next"))
	Commentf("next block: groups(n) groups of %d rows if that many are left, else one group through a table of row pointers", rows)
	left := local(f.left)
	TESTQ(left, left)
	JLE(LabelRef(l("_ret")))
	CMPQ(left, f.grows)
	JL(LabelRef(l("_part")))
	{
		ldx := Load(Param("ldx"), GP64())
		SHLQ(U8(2), ldx)
		p := local(f.x0)
		cnt := local(f.grows)
		copyTail(f, l("_bcopy"), cnt, func(GPVirtual) Mem { return Mem{Base: p} }, func() { ADDQ(ldx, p) })
		n := Load(Param("n"), GP64())
		dispatch(n, 1, s.maxN, l("_bsel"), func(j int) string { c := class(s.main, j); return l(fmt.Sprintf("_n%d_%d", c[0], c[1])) })
	}

	Label(l("_part"))
	{
		v := local(f.left)
		CMPQ(v, U8(rows))
		JLE(LabelRef(l("_clamp")))
		MOVQ(U32(rows), v)
		Label(l("_clamp"))
		MOVQ(v, f.valid)
		Comment("xtab[r]: row r of the group, or the group's last row if r is past it")
		ldx := Load(Param("ldx"), GP64())
		SHLQ(U8(2), ldx)
		p := local(f.x0)
		for r := range rows {
			MOVQ(p, f.xtab.Offset(8*r))
			if r < rows-1 {
				CMPQ(v, U8(r+2))
				JL(LabelRef(l(fmt.Sprintf("_row%d", r))))
				ADDQ(ldx, p)
				Label(l(fmt.Sprintf("_row%d", r)))
			}
		}
		cnt := GP64()
		MOVQ(U32(rows), cnt)
		copyTail(f, l("_pcopy"), cnt, func(r GPVirtual) Mem {
			q := GP64()
			MOVQ(f.xtab.Idx(r, 8), q)
			return Mem{Base: q}
		}, func() {})
		n := Load(Param("n"), GP64())
		dispatch(n, 1, s.maxN, l("_psel"), func(j int) string { c := class(s.part, j); return l(fmt.Sprintf("_p%d_%d", c[0], c[1])) })
	}

	Label(l("_ret"))
	VZEROUPPER()
	RET()

	cl := func(kind string, c [2]int) string { return l(fmt.Sprintf("_%s%d_%d", kind, c[0], c[1])) }
	for _, c := range s.main {
		g := s.grp(c[0])
		Label(cl("n", c))
		Commentf("%d–%d outputs: a block of %d×%d rows (%d accumulators)", c[0], c[1], g, rows, c[1]*g)
		if c[0] < c[1] {
			body(s, f, cl("n", c), l("_store"), c[0], c[1], g, false, nil)
			continue
		}
		// One n: the partial path, if n has its own, uses the first
		// group's accumulators, and both store from registers.
		acc := body(s, f, cl("n", c), cl("s", c), c[0], c[1], g, false, nil)
		if !slices.Contains(s.part, c) {
			Label(cl("s", c))
			regStore(s, f, cl("s", c), l("_advance"), c[0], acc)
			continue
		}
		Label(cl("p", c))
		Commentf("%d outputs: one group of %d rows, read through xtab", c[0], rows)
		Comment("the other groups' accumulators are moved but not stored: defined here so as not to be live from the start")
		for _, ag := range acc[1:] {
			for _, v := range ag {
				VXORPS(v, v, v)
			}
		}
		body(s, f, cl("p", c), cl("s", c), c[0], c[1], 1, true, acc[:1])
		Label(cl("s", c))
		regStore(s, f, cl("s", c), l("_advance"), c[0], acc)
	}
	for _, c := range s.part {
		if c[0] == c[1] {
			continue
		}
		Label(cl("p", c))
		Commentf("%d–%d outputs: one group of %d rows, read through xtab", c[0], c[1], rows)
		body(s, f, cl("p", c), l("_store"), c[0], c[1], 1, true, nil)
	}

	Label(l("_store"))
	store(s, f, l)
}

// setup fills the tables of w's rows, the k tail's copy of w, and the
// locals.
func setup(s isa, f frame, l func(string) string, groups Mem) {
	rows := 4 * s.nl
	n := Load(Param("n"), GP64())
	Comment("wtab[j] = wtabO[j] = w's row j")
	wp := Load(Param("w"), GP64())
	ldw := Load(Param("ldw"), GP64())
	SHLQ(U8(2), ldw)
	j := GP64()
	XORQ(j, j)
	Label(l("_wtab"))
	MOVQ(wp, f.wtab.Idx(j, 8))
	MOVQ(wp, f.wtabO.Idx(j, 8))
	ADDQ(ldw, wp)
	INCQ(j)
	CMPQ(j, n)
	JL(LabelRef(l("_wtab")))

	Comment("groups of rows per block, and the bytes from a block's last group back to its first, less 16")
	t := GP64()
	LEAQ(groups, t)
	g := GP64()
	MOVQ(Mem{Base: t, Index: n, Scale: 8}, g)
	gr := GP64()
	IMUL3Q(U32(rows), g, gr)
	MOVQ(gr, f.grows)
	ldx := Load(Param("ldx"), GP64())
	SHLQ(U8(2), ldx)
	SUBQ(U8(rows), gr) // (g−1)·rows
	IMULQ(ldx, gr)
	SUBQ(U8(16), gr)
	MOVQ(gr, f.rew)

	m := Load(Param("m"), GP64())
	MOVQ(m, f.left)
	x := Load(Param("x"), GP64())
	MOVQ(x, f.x0)
	z := Load(Param("z"), GP64())
	MOVQ(z, f.z0)

	Comment("k tail: kt = k mod 4 steps at offT bytes; w's tails copied to wbuf padded with +0, and the tables that point the tail's reads at wbuf and xbuf")
	k := Load(Param("k"), GP64())
	kt := GP64()
	MOVQ(k, kt)
	ANDQ(U8(3), kt)
	MOVQ(kt, f.kt)
	SUBQ(kt, k)
	SHLQ(U8(2), k)
	MOVQ(k, f.offT)
	TESTQ(kt, kt)
	JZ(LabelRef(l("_next")))
	xm := tailMask(kt)
	wb := GP64()
	LEAQ(f.wbuf, wb)
	XORQ(j, j)
	Label(l("_wtail"))
	p := GP64()
	MOVQ(f.wtabO.Idx(j, 8), p)
	v := XMM()
	VMASKMOVPS(Mem{Base: p, Index: k, Scale: 1}, xm, v)
	VMOVUPS(v, Mem{Base: wb})
	SUBQ(k, wb)
	MOVQ(wb, f.wtabT.Idx(j, 8))
	ADDQ(k, wb)
	ADDQ(U8(16), wb)
	INCQ(j)
	CMPQ(j, n)
	JL(LabelRef(l("_wtail")))
	xb := GP64()
	LEAQ(f.xbuf, xb)
	SUBQ(k, xb)
	for r := range rows {
		MOVQ(xb, f.xtabT.Offset(8*r))
		if r < rows-1 {
			ADDQ(U8(16), xb)
		}
	}
}

// tailMask loads the 128-bit mask of the first kt lanes.
func tailMask(kt GPVirtual) VecVirtual {
	t := GP64()
	MOVQ(U32(4), t)
	SUBQ(kt, t)
	b := GP64()
	LEAQ(laneMask, b)
	xm := XMM()
	VMOVDQU(Mem{Base: b, Index: t, Scale: 4}, xm)
	return xm
}

// copyTail copies, if k mod 4 ≠ 0, the k tail of cnt rows into xbuf,
// padded with −0: row r from row(r)+offT, next() moving to the next row.
func copyTail(f frame, l string, cnt Register, row func(GPVirtual) Mem, next func()) {
	kt := local(f.kt)
	TESTQ(kt, kt)
	JZ(LabelRef(l + "_done"))
	Comment("wtab back from the last block's k tail")
	{
		n := Load(Param("n"), GP64())
		j := GP64()
		XORQ(j, j)
		Label(l + "_wtab")
		t := GP64()
		MOVQ(f.wtabO.Idx(j, 8), t)
		MOVQ(t, f.wtab.Idx(j, 8))
		INCQ(j)
		CMPQ(j, n)
		JL(LabelRef(l + "_wtab"))
	}
	Comment("the rows' last k mod 4 columns to xbuf, −0 after them (fma(−0, +0, s) = s for every s)")
	xm := tailMask(kt)
	pad := XMM()
	VPCMPEQD(pad, pad, pad)
	VPSLLD(U8(31), pad, pad)
	VANDNPS(pad, xm, pad)
	off := local(f.offT)
	dst := GP64()
	LEAQ(f.xbuf, dst)
	r := GP64()
	XORQ(r, r)
	Label(l)
	m := row(r)
	m.Index, m.Scale = off, 1
	v := XMM()
	VMASKMOVPS(m, xm, v)
	VORPS(pad, v, v)
	VMOVUPS(v, Mem{Base: dst})
	ADDQ(U8(16), dst)
	next()
	INCQ(r)
	CMPQ(r, cnt)
	JL(LabelRef(l))
	Label(l + "_done")
}

// dispatch jumps to target(n) for n in [lo, hi], by binary search; n
// that share a target (a class) are one leaf.
func dispatch(n Register, lo, hi int, l string, target func(int) string) {
	if target(lo) == target(hi) { // one class: the targets between are the same
		JMP(LabelRef(target(lo)))
		return
	}
	if lo == hi {
		JMP(LabelRef(target(lo)))
		return
	}
	mid := (lo + hi) / 2
	up := fmt.Sprintf("%s_%d_%d", l, mid+1, hi)
	CMPQ(n, U8(mid))
	JG(LabelRef(up))
	dispatch(n, lo, mid, l, target)
	Label(up)
	dispatch(n, mid+1, hi, l, target)
}

// pcalign aligns the next instruction to n bytes (the loops to a cache
// line, as the code before them changes with the rest of the file).
func pcalign(n int) {
	Instruction(&ir.Instruction{Opcode: "PCALIGN", Operands: []Op{Imm(uint64(n))}})
}

// tabCopy copies the first cnt pointers of the table from to the table to.
func tabCopy(from, to Mem, cnt int, l string) {
	i := GP64()
	XORQ(i, i)
	Label(l)
	t := GP64()
	MOVQ(from.Idx(i, 8), t)
	MOVQ(t, to.Idx(i, 8))
	INCQ(i)
	CMPQ(i, U8(cnt))
	JL(LabelRef(l))
}

// local loads a local into a fresh register.
func local(m Mem) GPVirtual {
	r := GP64()
	MOVQ(m, r)
	return r
}

// body emits one block of g groups of rows from x0 for lo ≤ n ≤ hi
// outputs: the accumulators from the bias, the k loop four steps at a
// time, the k tail as one more step over xbuf and wbuf, the accumulators
// to the frame, and a jump to the shared store. table selects the
// partial path (g = 1): rows read through xtab. With lo < hi, every step
// jumps by n into a run of outputs hi−1, hi−2, …, 0 that falls through
// (outputs past n are skipped); with lo = hi the groups are interleaved
// as loads, transpose and multiply-adds, group by group.
func body(s isa, f frame, l, store string, lo, hi, g int, table bool, acc [][]VecVirtual) [][]VecVirtual {
	rows := 4 * s.nl
	a := s.v
	n := hi
	var nr Register
	if lo < hi {
		nr = Load(Param("n"), GP64())
	}
	duff := func(x string, run func(j int)) {
		CMPQ(nr, U8(hi))
		JEQ(LabelRef(fmt.Sprintf("%s%s%d", l, x, hi)))
		dispatch(nr, lo, hi-1, l+x+"sel", func(v int) string { return fmt.Sprintf("%s%s%d", l, x, v) })
		for j := hi - 1; j >= 0; j-- {
			if j >= lo-1 {
				Label(fmt.Sprintf("%s%s%d", l, x, j+1))
			}
			run(j)
		}
	}
	if acc == nil {
		acc = make([][]VecVirtual, g)
		for gi := range g {
			acc[gi] = make([]VecVirtual, n)
			for j := range n {
				acc[gi][j] = a.Vec()
			}
		}
	}
	bias := Load(Param("bias"), GP64())
	for gi := range g {
		for j := range n {
			switch {
			case gi > 0:
			case j < lo:
				VBROADCASTSS(Mem{Base: bias, Disp: 4 * j}, acc[0][j])
			default:
				VXORPS(acc[0][j], acc[0][j], acc[0][j])
			}
		}
	}
	if lo < hi {
		Comment("the bias of outputs lo..n−1")
		dispatch(nr, lo, hi, l+"_bsel", func(v int) string { return fmt.Sprintf("%s_b%d", l, v) })
		for j := hi - 1; j >= lo-1; j-- {
			Label(fmt.Sprintf("%s_b%d", l, j+1))
			if j >= lo {
				VBROADCASTSS(Mem{Base: bias, Disp: 4 * j}, acc[0][j])
			}
		}
	}
	for gi := 1; gi < g; gi++ {
		for j := range n {
			VMOVAPS(acc[0][j], acc[gi][j])
		}
	}
	off := GP64() // bytes along the rows of x (partial path) and w
	XORQ(off, off)
	kk := Load(Param("k"), GP64())

	// The main path reads group gi's row 4L+i at xb[i] + L·ld4; the
	// partial path row r at xtab[r]+off.
	var xb [4]GPVirtual
	var ld4, ld4x3 GPVirtual
	if !table {
		ldx := Load(Param("ldx"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldx)
		xb[0] = local(f.x0)
		for i := 1; i < 4; i++ {
			xb[i] = GP64()
			LEAQ(Mem{Base: xb[i-1], Index: ldx, Scale: 1}, xb[i])
		}
		ld4 = ldx
		SHLQ(U8(2), ld4)
		ld4x3 = GP64()
		LEAQ(Mem{Base: ld4, Index: ld4, Scale: 2}, ld4x3)
	}
	piece := func(i, lane int) Mem {
		if table {
			p := GP64()
			MOVQ(f.xtab.Offset(8*(4*lane+i)), p)
			return Mem{Base: p, Index: off, Scale: 1}
		}
		switch lane {
		case 0:
			return Mem{Base: xb[i]}
		case 1:
			return Mem{Base: xb[i], Index: ld4, Scale: 1}
		case 2:
			return Mem{Base: xb[i], Index: ld4, Scale: 2}
		}
		return Mem{Base: xb[i], Index: ld4x3, Scale: 1}
	}
	columns := func(gi int) []VecVirtual {
		Commentf("group %d: rows 4L+i in lane L of t[i], four steps, then transposed within lanes", gi)
		t := make([]VecVirtual, 4)
		for i := range t {
			t[i] = a.Vec()
			for lane := range s.nl {
				m := piece(i, lane)
				switch {
				case lane > 0 && a.AVX512:
					VINSERTF32X4(U8(lane), m, t[i], t[i])
				case lane > 0:
					VINSERTF128(U8(lane), m, t[i], t[i])
				case a.AVX512:
					VBROADCASTF32X4(m, t[i])
				default:
					VBROADCASTF128(m, t[i])
				}
			}
		}
		return vec.Transpose4(t, a.Vec)
	}
	nextGroup := func(gi int) {
		if !table && gi < g-1 {
			for i := range xb {
				LEAQ(Mem{Base: xb[i], Index: ld4, Scale: uint8(s.nl)}, xb[i])
			}
		}
	}
	fmas := func(j int, groups []int, cols [][]VecVirtual) {
		wr := GP64()
		MOVQ(f.wtab.Offset(8*j), wr)
		for _, gi := range groups {
			for c := range 4 {
				fma(a, Mem{Base: wr, Index: off, Scale: 1, Disp: 4 * c}, cols[gi][c], acc[gi][j])
			}
		}
	}

	pcalign(64)
	Label(l + "_loop")
	SUBQ(U8(4), kk)
	JL(LabelRef(l + "_tail"))
	Label(l + "_step")
	cols := make([][]VecVirtual, g)
	if lo == hi {
		for gi := range g {
			cols[gi] = columns(gi)
			for j := range n {
				fmas(j, []int{gi}, cols)
			}
			nextGroup(gi)
		}
	} else {
		all := make([]int, g)
		for gi := range g {
			cols[gi] = columns(gi)
			nextGroup(gi)
			all[gi] = gi
		}
		Comment("the multiply-adds of outputs n−1, …, 0")
		duff("_f", func(j int) { fmas(j, all, cols) })
	}
	ADDQ(U8(16), off)
	if !table {
		for i := range xb {
			if g > 1 {
				SUBQ(f.rew, xb[i])
			} else {
				ADDQ(U8(16), xb[i])
			}
		}
	}
	JMP(LabelRef(l + "_loop"))

	Label(l + "_tail")
	Comment("k tail: one more step over the copies in xbuf and wbuf (kk = 0 ends the loop after it)")
	CMPQ(kk, I8(-4))
	JEQ(LabelRef(l + "_spill"))
	tabCopy(f.wtabT, f.wtab, hi, l+"_wT")
	if table {
		tabCopy(f.xtabT, f.xtab, rows, l+"_xT")
	} else {
		LEAQ(f.xbuf, xb[0])
		for i := 1; i < 4; i++ {
			LEAQ(Mem{Base: xb[0], Disp: 16 * i}, xb[i])
		}
		MOVQ(U32(64), ld4)
		MOVQ(U32(192), ld4x3)
	}
	XORQ(kk, kk)
	JMP(LabelRef(l + "_step"))

	Label(l + "_spill")
	MOVQ(U32(g), f.ngr)
	if !table {
		MOVQ(U32(g*rows), f.valid)
	}
	if lo == hi {
		JMP(LabelRef(store))
		return acc
	}
	Comment("the accumulators to the frame, group gi's output j at (gi·n+j)·vector (those past n are overwritten or not read)")
	ab := accBase(f)
	for gi := range g {
		for j := range n {
			VMOVUPS(acc[gi][j], Mem{Base: ab, Disp: j * a.Bytes()})
		}
		if gi < g-1 {
			nv := GP64()
			MOVQ(nr, nv)
			SHLQ(U8(map[int]uint8{32: 5, 64: 6}[a.Bytes()]), nv)
			ADDQ(nv, ab)
		}
	}
	JMP(LabelRef(store))
	return acc
}

// regStore emits the store of a block for one n from the registers: the
// accumulators of group 0's outputs 4h..4h+3 transposed within lanes give
// in lane L of register c those of row 4L+c, stored for the block's valid
// rows;
// then every group's accumulators move down one group, ngr times.
func regStore(s isa, f frame, l, advance string, n int, acc [][]VecVirtual) {
	a := s.v
	rows := 4 * s.nl
	Commentf("the accumulators of group 0 to z, then those of group g+1 to group g")
	ldz := Load(Param("ldz"), GP64())
	SHLQ(U8(2), ldz)
	zr := local(f.z0)
	gcnt := local(f.ngr)
	var km Register
	if n%4 != 0 && a.AVX512 {
		t := GP32()
		MOVL(U32(1<<(n%4)-1), t)
		km = K()
		KMOVW(t, km)
	}
	Label(l + "_group")
	for h := range (n + 3) / 4 {
		lanes := min(4, n-4*h)
		t := make([]VecVirtual, 4)
		for c := range t {
			if j := 4*h + c; j < n {
				t[c] = acc[0][j]
			} else {
				t[c] = a.Vec()
				VXORPS(t[c], t[c], t[c])
			}
		}
		outs := vec.Transpose4(t, a.Vec)
		zh := zr
		if h > 0 {
			zh = GP64()
			LEAQ(Mem{Base: zr, Disp: 16 * h}, zh)
		}
		lanesTo(s, fmt.Sprintf("%s_rows%d", l, h), outs, zh, ldz, f.valid, func(x Register, m Mem) {
			switch {
			case !a.AVX512:
				store2(x, lanes, m)
			case lanes == 4:
				VMOVUPS(x, m)
			default:
				VMOVUPS(x, km, m)
			}
		})
	}
	for gi := 1; gi < len(acc); gi++ {
		for j := range n {
			VMOVAPS(acc[gi][j], acc[gi-1][j])
		}
	}
	zs := GP64()
	IMUL3Q(U32(rows), ldz, zs)
	ADDQ(zs, zr)
	SUBQ(U8(rows), f.valid)
	DECQ(gcnt)
	JNZ(LabelRef(l + "_group"))
	JMP(LabelRef(advance))
}

// lanesTo emits the stores of a group's rows from outs, which hold row
// 4L+c in lane L of register c: lane 0 of each register, then every
// register's lanes rotated down one, until the group's rows or the valid
// ones (at least 1) are done. put stores the 128-bit x to m.
func lanesTo(s isa, l string, outs []VecVirtual, zr, ldz Register, valid Mem, put func(x Register, m Mem)) {
	zp := GP64()
	MOVQ(zr, zp)
	rem := GP64()
	MOVQ(valid, rem)
	lc := GP64()
	MOVQ(U32(s.nl), lc)
	Label(l)
	for _, v := range outs {
		put(v.AsX(), Mem{Base: zp})
		ADDQ(ldz, zp)
		DECQ(rem)
		JZ(LabelRef(l + "_done"))
	}
	DECQ(lc)
	JZ(LabelRef(l + "_done"))
	for _, v := range outs {
		if s.v.AVX512 {
			VSHUFF32X4(U8(0x39), v, v, v)
		} else {
			VPERM2F128(U8(0x01), v, v, v)
		}
	}
	JMP(LabelRef(l))
	Label(l + "_done")
}

// accBase returns the start of the accumulators in the frame, aligned to
// 64 bytes.
func accBase(f frame) GPVirtual {
	ab := GP64()
	LEAQ(f.acc.Offset(63), ab)
	ANDQ(I8(-64), ab)
	return ab
}

// store emits the code shared by every n that writes a block's
// accumulators from the frame to z: for each group and each four
// outputs 4h..4h+3, the four accumulators transposed within lanes give in
// lane L of register c the outputs of row 4L+c, stored as 128-bit pieces
// (the last n mod 4 outputs under a mask, or as 64- and 32-bit stores on
// AVX2), only for the block's valid rows. Then x0, z0 and left move on
// and it jumps back to the next block.
func store(s isa, f frame, l func(string) string) {
	a := s.v
	rows, vb := 4*s.nl, a.Bytes()
	Comment("the accumulators to z, then on to the next block")
	ldz := Load(Param("ldz"), GP64())
	SHLQ(U8(2), ldz)
	zr := local(f.z0)
	ab := accBase(f)
	n := Load(Param("n"), GP64())
	gcnt := local(f.ngr)
	var kf, kl Register
	if a.AVX512 {
		Comment("K: all four outputs of a piece, or the last piece's n mod 4 (if not 0)")
		t := GP64()
		LEAQ(kMask, t)
		li := GP64()
		MOVQ(n, li)
		DECQ(li)
		ANDQ(U8(3), li)
		INCQ(li)
		kl = K()
		KMOVW(Mem{Base: t, Index: li, Scale: 2}, kl)
		kf = K()
		KMOVW(Mem{Base: t, Disp: 8}, kf)
	}
	Label(l("_sgroup"))
	zh := GP64()
	MOVQ(zr, zh)
	ah := GP64()
	MOVQ(ab, ah)
	h := GP64()
	MOVQ(n, h)
	ADDQ(U8(3), h)
	SHRQ(U8(2), h)
	Label(l("_spiece"))
	t := make([]VecVirtual, 4)
	for c := range t {
		t[c] = a.Vec()
		VMOVUPS(Mem{Base: ah, Disp: c * vb}, t[c])
	}
	outs := vec.Transpose4(t, a.Vec)
	if a.AVX512 {
		km := K()
		KMOVW(kf, km)
		CMPQ(h, U8(1))
		JNE(LabelRef(l("_smask")))
		KMOVW(kl, km)
		Label(l("_smask"))
		lanesTo(s, l("_srows"), outs, zh, ldz, f.valid, func(x Register, m Mem) { VMOVUPS(x, km, m) })
	} else {
		Comment("outputs in this piece: 4, or n mod 4 in the last if not 0")
		ws := GP64()
		MOVQ(U32(4), ws)
		CMPQ(h, U8(1))
		JNE(LabelRef(l("_swidth")))
		MOVQ(n, ws)
		ANDQ(U8(3), ws)
		JNZ(LabelRef(l("_swidth")))
		MOVQ(U32(4), ws)
		Label(l("_swidth"))
		CMPQ(ws, U8(2))
		JL(LabelRef(l("_sw1")))
		JEQ(LabelRef(l("_sw2")))
		CMPQ(ws, U8(3))
		JEQ(LabelRef(l("_sw3")))
		for _, lanes := range []int{4, 3, 2, 1} {
			if lanes < 4 {
				Label(l(fmt.Sprintf("_sw%d", lanes)))
			}
			lanesTo(s, l(fmt.Sprintf("_srows%d", lanes)), outs, zh, ldz, f.valid, func(x Register, m Mem) { store2(x, lanes, m) })
			if lanes > 1 {
				JMP(LabelRef(l("_sdone")))
			}
		}
	}
	Label(l("_sdone"))
	ADDQ(U32(4*vb), ah)
	ADDQ(U8(16), zh)
	DECQ(h)
	JNZ(LabelRef(l("_spiece")))

	Comment("next group")
	nv := GP64()
	MOVQ(n, nv)
	SHLQ(U8(map[int]uint8{32: 5, 64: 6}[vb]), nv)
	ADDQ(nv, ab)
	zs := GP64()
	IMUL3Q(U32(rows), ldz, zs)
	ADDQ(zs, zr)
	SUBQ(U8(rows), f.valid)
	DECQ(gcnt)
	JNZ(LabelRef(l("_sgroup")))

	Label(l("_advance"))
	advance(f, rows)
	JMP(LabelRef(l("_next")))
}

// advance moves x0, z0 and left on by the block's ngr groups of rows.
func advance(f frame, rows int) {
	Comment("x0, z0 and left on by the block's rows")
	g := local(f.ngr)
	IMUL3Q(U32(rows), g, g)
	SUBQ(g, f.left)
	for _, q := range []struct {
		p  Mem
		ld string
	}{{f.x0, "ldx"}, {f.z0, "ldz"}} {
		t := Load(Param(q.ld), GP64())
		SHLQ(U8(2), t)
		IMULQ(g, t)
		ADDQ(t, q.p)
	}
}

// fma emits acc += col·w, w a float32 in memory broadcast to every lane.
func fma(a *vec.ISA, w Mem, col, acc VecVirtual) {
	if a.AVX512 {
		VFMADD231PS_BCST(w, col, acc)
		return
	}
	b := YMM()
	VBROADCASTSS(w, b)
	VFMADD231PS(b, col, acc)
}

// store2 emits the AVX2 store of the first lanes float32s of x to m, as
// 128-, 64- and 32-bit stores (VMASKMOVPS stores are slow on AMD).
func store2(x Register, lanes int, m Mem) {
	switch lanes {
	case 4:
		VMOVUPS(x, m)
	case 3:
		VMOVLPS(x, m)
		VEXTRACTPS(U8(2), x, m.Offset(8))
	case 2:
		VMOVLPS(x, m)
	case 1:
		VMOVSS(x, m)
	}
}
